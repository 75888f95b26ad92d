"""The relevance runner (bench.relevance): its queries, its measures, and a whole run on a tiny archive."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

pytest.importorskip("tantivy")  # the bench extra: ./test.sh installs it

from bench import relevance
from bench.known_items import (
    STYLES,
    Vocabulary,
    mean_reciprocal_rank,
    misspell,
    precision_at,
    rank_of,
    recall,
    typed_words,
)
from bench.relevance_report import SECTION, record

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "relevance_archive"
FLOODING = "2020-03-02/flooding-in-quuxville-closes-the-zorblax-bridge-for-a-week"
REOPENS = "2020-03-09/the-zorblax-bridge-reopens-to-traffic-in-quuxville"
COUNCIL = "2020-03-09/quuxville-council-approves-repairs-to-the-zorblax-bridge"
SNOW = "2020-03-02/snowdrifts-bury-the-grindlewick-hillside-hamlets-for-the-first-time-in-a-decade"
KITES = "2020-03-02/测试城举行第一届风筝节-数千名市民参加"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One run: 300 synthetic events and the fixture's two archives, which share a day."""
    work = tmp_path_factory.mktemp("relevance")
    json_path = work / "report.json"
    argv = ["--events", "300", "--no-shared", "--work", str(work / "run"), "--json", str(json_path)]
    assert relevance.main([*argv, "--real", str(FIXTURE / "en"), "--real", str(FIXTURE / "zh")]) == 0
    return json.loads(json_path.read_text())


def _query(report: dict, style: str, event: str) -> dict:
    return next(q for q in report["queries"] if q["style"] == style and q["event_id"] == event)


def test_relevance_mixes_real_days_into_the_synthetic_archive(report: dict) -> None:
    # 2020-03-02 is in both fixture archives: one merged day holds the events of both.
    assert report["archive"]["real_events"] == {"en": 4, "zh": 1}
    assert report["archive"]["events"] == 300 + 5


def test_relevance_metrics_are_shares(report: dict) -> None:
    assert set(report["styles"]) <= set(STYLES)
    for scores in report["styles"].values():
        for engine in relevance.ENGINES:
            assert 0 <= scores[engine]["mrr10"] <= scores[engine]["recall10"] <= 1
    for scores in report["more_like"].values():
        assert all(0 <= scores[m] <= 1 for m in relevance.SIMILAR_METHODS)


def test_relevance_scores_are_the_mean_of_the_ranks(report: dict) -> None:
    for style, scores in report["styles"].items():
        ranks = [q["ranks"] for q in report["queries"] if q["style"] == style]
        assert scores["queries"] == len(ranks)
        for engine in relevance.ENGINES:
            found = [r[engine] for r in ranks]
            assert scores[engine]["mrr10"] == pytest.approx(sum(1 / r for r in found if r) / len(found))
            assert scores[engine]["recall10"] == pytest.approx(sum(1 for r in found if r) / len(found))


def test_relevance_words_only_one_event_has_find_it_first(report: dict) -> None:
    query = _query(report, "rare", SNOW)
    assert "snowdrifts" in query["text"].split()  # a word no other event has
    assert query["ranks"] == {"eventsearch": 1, "sqlite": 1, "tantivy": 1}
    assert _query(report, "zh_substring", KITES)["ranks"]["eventsearch"] == 1


def test_relevance_judges_more_like_this_by_related_lists(report: dict) -> None:
    judged = {j["event_id"]: j for j in report["more_like_events"]}
    assert set(judged) == {FLOODING, REOPENS}  # the events whose Related entries are in the index
    # FLOODING: the two events sharing both its tags are its two Related entries.
    assert judged[FLOODING]["tags_only"] == judged[FLOODING]["best_possible"] == 2 / 5
    # REOPENS: COUNCIL (same tags, same day) comes before FLOODING (same tags, a week earlier).
    assert judged[REOPENS]["tags_only"] == judged[REOPENS]["best_possible"] == 1 / 5
    assert report["more_like"]["en"]["tags_only"] == pytest.approx(0.3)


def test_record_puts_the_table_first_in_its_own_section(tmp_path: Path) -> None:
    results = tmp_path / "RESULTS.md"
    results.write_text("# Benchmark results\n\n### a speed run\n\n## Targets\n\nkept\n")
    record("### first\n", results)
    record("### second\n", results)
    text = results.read_text()
    assert text.index("### a speed run") < text.index(SECTION) < text.index("### second")
    assert text.index("### second") < text.index("### first") < text.index("## Targets")


@pytest.mark.parametrize("word", ["afghanistan", "earthquake", "syrian", "playground", "cities"])
def test_misspell_makes_one_edit_that_is_no_word(word: str) -> None:
    vocabulary = Vocabulary([])
    vocabulary.frequency.update(["afghanistans", "earthquakes"])
    for seed in range(20):
        typo = misspell(word, random.Random(seed), vocabulary)
        assert typo is not None and typo[0] == word[0] and typo not in vocabulary
        assert _edit_distance(word, typo) == 1


def test_misspell_never_keeps_the_stem() -> None:
    # Dropping the last letter of "cities" gives "citie", which stems like it: never a typo.
    assert all(misspell("cities", random.Random(seed)) != "citie" for seed in range(200))


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Japan's Miyagi", ["japan", "miyagi"]),  # people type the name, not the possessive
        ("the people’s choice", [None, "people", "choice"]),
        ("Kata'ib Hezbollah", [None, "hezbollah"]),  # half of it is no word; spellings of all of it vary
        ("U.S. troops in al-Anbar 2015", [None, None, "troops", None, None, "anbar", None]),
    ],
)
def test_typed_words_are_what_people_would_type(text: str, words: list[str | None]) -> None:
    assert typed_words(text) == words


def test_known_item_measures_by_hand() -> None:
    assert rank_of(["a", "b", "c"], "b") == 2
    assert rank_of(["a", "b", "c"], "c", k=2) is None
    ranks = [1, 2, None, 4]
    assert mean_reciprocal_rank(ranks) == pytest.approx((1 + 1 / 2 + 1 / 4) / 4)
    assert recall(ranks) == 0.75
    assert precision_at(["a", "b", "x"], {"a", "x", "z"}) == 2 / 5


def test_real_days_takes_a_tree_or_a_part_of_one() -> None:
    whole = relevance.real_days([FIXTURE / "en"])
    assert sorted(whole) == ["news/2020/03/2", "news/2020/03/9"]
    assert list(relevance.real_days([FIXTURE / "en" / "news" / "2020" / "03" / "9"])) == ["news/2020/03/9"]
    with pytest.raises(ValueError, match="no news/YYYY/MM/D"):
        relevance.real_days([FIXTURE])


def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: a swap of neighbouring letters is one edit."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]
