"""Measure how Chinese should be tokenised: character bigrams (ours) against the jieba word segmenter.

    pip install jieba && python -m bench.zh_analyzer [../shared/corpus/zh]

For each query, the events whose headline or summary contain the query text
are the ones a reader expects. Bigrams turned into a phrase query find exactly
those; a segmenter finds an event only when it cut the event's text the same
way it cut the query. Prints recall per query and the tokenising time.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from search.analysis import text_analyzer
from search.archive import read_archive

QUERIES = ("俄罗斯", "普京", "地震", "总统", "选举", "台风", "联合国", "美国总统", "叙利亚", "足球")


def bigram_matches(texts: list[str], query: str) -> set[int]:
    """Events whose bigram tokens contain the query's bigrams at consecutive positions."""
    analyzer = text_analyzer()
    wanted = [t.text for t in analyzer(query)]
    found = set()
    for number, text in enumerate(texts):
        tokens = [t.text for t in analyzer(text)]
        if any(tokens[i : i + len(wanted)] == wanted for i in range(len(tokens))):
            found.add(number)
    return found


def jieba_matches(cut_texts: list[set[str]], query: str, jieba) -> set[int]:
    words = [w for w in jieba.cut(query) if w.strip()]
    return {n for n, words_of_text in enumerate(cut_texts) if all(w in words_of_text for w in words)}


def main(root: Path) -> None:
    import jieba

    jieba.setLogLevel(60)
    texts = [f"{e.headline} {e.summary}" for e in read_archive(root).events]
    started = time.perf_counter()
    cut_texts = [set(jieba.cut(text)) for text in texts]
    jieba_seconds = time.perf_counter() - started
    started = time.perf_counter()
    analyzer = text_analyzer()
    for text in texts:
        list(analyzer(text))
    bigram_seconds = time.perf_counter() - started
    print(
        f"{len(texts)} events; tokenising all: bigrams {bigram_seconds:.1f} s, jieba {jieba_seconds:.1f} s\n"
    )
    print("| query | events containing it | bigram recall | jieba recall |\n|---|---:|---:|---:|")
    for query in QUERIES:
        expected = {n for n, text in enumerate(texts) if query in text}
        bigrams, segmented = bigram_matches(texts, query), jieba_matches(cut_texts, query, jieba)
        print(
            f"| {query} | {len(expected)} | {_recall(bigrams, expected):.0%} "
            f"| {_recall(segmented, expected):.0%} |"
        )


def _recall(found: set[int], expected: set[int]) -> float:
    return len(found & expected) / len(expected) if expected else 1.0


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/corpus/zh"))
