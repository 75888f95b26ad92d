"""Which tags stand out, by three documented scores, on a real archive: the evidence for choosing JLH.

    python -m bench.significance INDEX_DIR [--tag TAG ...] [--query TEXT ...]

For each tag (its events against the archive, as a tag page shows them) and
each query (its matches against the archive, as the search page does), prints
the top tags by Elasticsearch's JLH (what eventsearch uses), by chi-square
(Elasticsearch's ``chi_square``, background a superset, no negatives), by a
binomial z-score and by plain count (the tag facet), each with its count in the
set and in the archive. All need at least ``MIN_COUNT`` events in the set.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from search.facet_table import TAG_FACET
from search.facets import name_order, value_counts
from search.request import SearchRequest
from search.searching import SearchIndex
from search.significance import MIN_COUNT, jlh


def chi_square(fg: np.ndarray, fg_size: int, bg: np.ndarray, bg_size: int) -> np.ndarray:
    """Pearson's chi-square of the 2x2 table (in the set or not, with the tag or not); 0 where rarer in it."""
    n11, n01 = fg.astype(float), fg_size - fg.astype(float)
    n10 = bg - fg.astype(float)
    n00 = (bg_size - fg_size) - n10
    n = float(bg_size)
    num = n * (n11 * n00 - n10 * n01) ** 2
    den = (n11 + n01) * (n11 + n10) * (n10 + n00) * (n01 + n00)
    score = np.divide(num, den, out=np.zeros_like(num), where=den > 0)
    return np.where(fg / fg_size > bg / bg_size, score, 0.0)


def z_score(fg: np.ndarray, fg_size: int, bg: np.ndarray, bg_size: int) -> np.ndarray:
    """How many standard deviations the set's count is above what a random set of its size would hold."""
    p = np.maximum(bg, 1) / bg_size
    return (fg - fg_size * p) / np.sqrt(fg_size * p * (1 - p) + 1e-12)


def most_common(fg: np.ndarray, fg_size: int, bg: np.ndarray, bg_size: int) -> np.ndarray:
    """The plain count in the set: what the tag facet lists, for comparison."""
    return fg.astype(float)


SCORES = {"JLH": jlh, "chi-square": chi_square, "z-score": z_score, "most common": most_common}


def top_tags(index: SearchIndex, request: SearchRequest, limit: int) -> tuple[int, dict[str, list[str]]]:
    """The set's size and, per score, its top tags as "tag (in the set/in the archive)"."""
    columns, tallies = index.archive()
    result = index.search(request)
    mask = index._base_mask(request)  # the set, rebuilt the way the search builds it
    for selected in index._facet_masks(request).values():
        mask &= selected
    if request.text:
        mask &= index._text_mask(index.parser.parse(request.text))
    fg, size = value_counts(columns, mask, TAG_FACET), int(mask.sum())
    assert size == result.total, (size, result.total)
    bg, vocab = tallies.tag_totals, columns.vocab[TAG_FACET]
    excluded = {columns.value_id(TAG_FACET, tag) for tag in request.selected(TAG_FACET)}
    order = name_order(columns, TAG_FACET)
    found = {}
    for name, score in SCORES.items():
        values = np.where(fg >= MIN_COUNT, score(fg, size, bg, tallies.events), 0.0)
        values[list(excluded)] = 0
        ranked = [i for i in np.lexsort((order, -values)) if values[i] > 0][:limit]
        found[name] = [f"{vocab[i]} ({fg[i]}/{bg[i]})" for i in ranked]
    return size, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("index_dir")
    parser.add_argument("--tag", action="append", default=[], help="a tag page's set (repeat)")
    parser.add_argument("--query", action="append", default=[], help="a search's set (repeat)")
    parser.add_argument("--limit", type=int, default=8)
    args = parser.parse_args(argv)
    with SearchIndex(args.index_dir) as index:
        sets = [(f"tag {t}", SearchRequest(filters={TAG_FACET: (t,)})) for t in args.tag]
        sets += [(f"query {q}", SearchRequest(text=q)) for q in args.query]
        for label, request in sets:
            size, found = top_tags(index, request, args.limit)
            print(f"\n## {label}: {size} events\n")
            print("| rank | " + " | ".join(found) + " |")
            print("|---" * (len(found) + 1) + "|")
            for rank in range(args.limit):
                cells = [column[rank] if rank < len(column) else "" for column in found.values()]
                print(f"| {rank + 1} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
