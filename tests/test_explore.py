"""Exploring the archive in the search model: tallies, significance, disjunctive facets, on this day,
tag pages, comparisons and the front page, on the hand-written explore archive (tests/explore_archive.py)."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from explore_archive import FLOOD, ITEMS, MAYOR, PORT, STRIKE, UNION, slug

from search.cli import main
from search.columns import date_of
from search.compare import compare, compare_request
from search.facets import value_counts
from search.front_page import front_page
from search.on_this_day import on_this_day
from search.request import SearchRequest, request_from_args
from search.searching import SearchIndex
from search.significance import MIN_COUNT, jlh, significant
from search.store import Store
from search.tag_page import nearest_tags, tag_name, tag_page
from search.writer import build, update


@pytest.fixture(scope="module")
def index(explore_index_dir: Path):
    with SearchIndex(explore_index_dir) as index:
        yield index


def total(index: SearchIndex, **fields) -> int:
    return index.search(SearchRequest(**fields)).total


# -- tallies ---------------------------------------------------------------------


def tallied(index: SearchIndex) -> dict:
    """What the tallies say: events per day, per tag, per tag and month."""
    columns, tallies = index.archive()
    vocab = columns.vocab["tags"]
    days = {date_of(tallies.first_day + i): int(c) for i, c in enumerate(tallies.day_counts) if c}
    tags = {vocab[i]: int(c) for i, c in enumerate(tallies.tag_totals) if c}
    months = {}
    for i in range(len(vocab)):
        for month, count in zip(*tallies.months_of(i), strict=True):
            months[vocab[i], int(month)] = int(count)
    return {"days": days, "tags": tags, "months": months}


def counted(index: SearchIndex) -> dict:
    """The same figures counted over every live document, one by one."""
    columns, _ = index.archive()
    live = np.flatnonzero(columns.live)
    days = Counter(date_of(columns.days[d]) for d in live)
    docs, values = columns.multi["tags"]
    pairs = [(columns.vocab["tags"][v], int(d)) for d, v in zip(docs, values, strict=True) if columns.live[d]]
    months = Counter(
        (tag, (date_of(columns.days[d]).year - 1970) * 12 + date_of(columns.days[d]).month - 1)
        for tag, d in pairs
    )
    return {"days": dict(days), "tags": dict(Counter(tag for tag, _ in pairs)), "months": dict(months)}


def test_tallies_equal_a_count_over_every_event(index):
    assert tallied(index) == counted(index)
    assert index.tallies.events == len(ITEMS)


def test_tallies_after_updates_and_merges_equal_a_fresh_build(tmp_path, explore_archive_dir):
    content = tmp_path / "content"
    shutil.copytree(explore_archive_dir, content)
    store = Store(tmp_path / "index")
    build(content, store, workers=2)
    day = content / "news/2021/06/30"
    for number in range(9):  # past eight segments an update merges them: merged segments get tallies too
        page = day / f"a-new-tag-{number}.md"
        page.write_text(
            f"### [2021-06-30](/news/2021/06/30/index.md)\n\n# New tag {number} arrives\n\nText.\n"
        )
        index_md = day / "index.md"
        index_md.write_text(
            index_md.read_text()
            + f"\n##### Tests\n### [New tag {number} arrives ](/news/2021/06/30/a-new-tag-{number}.md)\n_Context: Tag {number}, {PORT}_\n"
        )
        update(content, store, paths=[str(page.relative_to(content)), str(index_md.relative_to(content))])
    removed = content / "news/2020/09/4" / f"{slug('Dock workers walk out at the harbour')}.md"
    removed.unlink()
    shutil.rmtree(removed.parent)
    update(content, store, paths=[str(removed.relative_to(content))])
    with SearchIndex(store.root) as updated:
        assert len(updated._searcher.reader().leaf_readers()) < 9
        figures = tallied(updated)
        assert figures == counted(updated)
        assert_counts_are_exact(updated)
    fresh = Store(tmp_path / "fresh")
    build(content, fresh, workers=1)
    with SearchIndex(fresh.root) as rebuilt:
        assert figures == tallied(rebuilt)
    assert figures["tags"][STRIKE] == 7 and figures["tags"]["Tag 8"] == 1


def assert_counts_are_exact(index: SearchIndex) -> None:
    """Facet counts over sets of every density equal a count document by document."""
    columns, _ = index.archive()
    rng = np.random.default_rng(0)
    for density in (0.05, 0.3, 0.9):
        mask = columns.live & (rng.random(columns.size) < density)
        for name, (docs, values) in columns.multi.items():
            expected = np.zeros(len(columns.vocab[name]), dtype=np.int64)
            for doc, value in zip(docs, values, strict=True):
                expected[value] += mask[doc]
            assert value_counts(columns, mask, name).tolist() == expected.tolist(), (name, density)


def test_facet_counts_are_exact_at_every_density(index):
    assert_counts_are_exact(index)


# -- significance ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fg", "fg_size", "bg", "bg_size", "expected"),
    (
        (5, 8, 6, 25, (5 / 8 - 6 / 25) * (5 / 8) / (6 / 25)),  # Elasticsearch's JLH
        (6, 8, 21, 25, 0.0),  # less common in the set than in the archive
        (3, 10, 0, 100, (0.3 - 0.01) * 30),  # unseen in the background counts once
        (0, 0, 5, 10, 0.0),  # an empty set
    ),
)
def test_jlh_score(fg, fg_size, bg, bg_size, expected):
    assert jlh(np.array([fg]), fg_size, np.array([bg]), bg_size)[0] == pytest.approx(expected)


def test_significant_needs_min_count_and_leaves_out_excluded_values():
    fg, bg = np.array([2, 5, 4, 9]), np.array([2, 6, 100, 9])
    ids, _ = significant(fg, 10, bg, 1000, limit=10, order=np.arange(4), exclude=np.array([3]))
    assert MIN_COUNT == 3 and list(ids) == [1, 2]


def test_search_lists_the_tags_that_stand_out(index):
    page = index.search(SearchRequest(filters={"tags": (STRIKE,)}))
    found = [(v.value, v.count, v.background) for v in page.significant["tags"]]
    assert found == [(UNION, 5, 6), (MAYOR, 4, 6)]  # Port City is in 6 of 8 but 21 of 25: no more common


def test_significant_tags_are_absent_for_the_whole_archive_or_when_not_asked(index):
    assert index.search(SearchRequest()).significant == {"tags": []}
    assert index.search(SearchRequest(text="strike", significant_size=0)).significant == {}


def test_significant_tags_are_in_the_json(index):
    data = index.search(SearchRequest(text="strike OR dock")).to_json()
    assert data["significant"]["tags"][0]["value"] == STRIKE
    assert set(data["significant"]["tags"][0]) == {"value", "count", "background", "score"}


# -- disjunctive facets ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "facet"),
    (
        ({"tags": [FLOOD, STRIKE], "tags_mode": ["any"]}, "tags"),
        ({"topic": ["Labour"], "q": ["harbour OR port OR flood"]}, "topic"),
        ({"source": ["reuters.com"], "from": ["2020-01-01"]}, "source"),
        ({"language": ["zh"], "tags": [PORT]}, "language"),
    ),
)
def test_or_facet_counts_say_what_adding_the_value_finds(index, args, facet):
    request, _ = request_from_args(args)
    page = index.search(request)
    without = {**request.filters}
    without.pop(facet)
    for value in page.facets[facet].values:
        alone = SearchRequest(
            text=request.text, filters={**without, facet: (value.value,)}, date_from=request.date_from
        )
        assert value.count == index.search(alone).total, value


def test_or_facet_lists_the_other_values_of_a_single_value_facet(index):
    page = index.search(SearchRequest(filters={"topic": ("Labour",)}))
    topics = {v.value: (v.count, v.selected) for v in page.facets["topic"].values}
    assert topics["Labour"] == (9, True) and topics["Weather"] == (7, False)
    assert index.search(SearchRequest(filters={"topic": ("Labour", "Weather")})).total == 16


def test_all_mode_tag_counts_stay_within_the_matches(index):
    page = index.search(SearchRequest(filters={"tags": (STRIKE,)}))
    counts = {v.value: v.count for v in page.facets["tags"].values}
    assert counts[STRIKE] == 8 and counts[UNION] == 5


# -- on this day ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "years"), (("09-04", [2020, 2019, 2018]), ("02-29", [2020, 2016]), ("12-25", []))
)
def test_calendar_day_finds_that_day_in_every_year(index, day, years):
    hits = index.search(SearchRequest(calendar_day=day, sort="newest")).hits
    assert [int(hit.date[:4]) for hit in hits] == years
    assert all(hit.date[5:] == day for hit in hits)


@pytest.mark.parametrize(
    ("value", "kept"), (("9-4", "09-04"), ("02-29", "02-29"), ("02-30", ""), ("13-01", ""), ("x", ""))
)
def test_calendar_day_parameter_is_read_or_said_wrong(value, kept):
    request, messages = request_from_args({"calendar_day": [value]})
    assert request.calendar_day == kept and bool(messages) == (not kept)


def test_on_this_day_groups_years_newest_first_and_pages(index):
    page = on_this_day(index, 9, 4, {"size": ["2"]})
    assert page.years == [(2020, 1), (2019, 1), (2018, 1)] and page.results.total == 3
    assert [hit.date for hit in page.results.hits] == ["2020-09-04", "2019-09-04"]
    assert on_this_day(index, 9, 4, {"size": ["2"], "page": ["2"]}).results.hits[0].date == "2018-09-04"
    assert page.to_json()["date"] == "09-04" and page.label == "4 September"


# -- tag pages -------------------------------------------------------------------------


def test_tag_page_is_the_search_with_the_tag_newest_first(index):
    page = tag_page(index, "harbour STRIKE", {})
    assert (page.tag, page.count, page.first, page.last) == (STRIKE, 8, "2020-09-04", "2021-06-05")
    dates = [hit.date for hit in page.results.hits]
    assert dates == sorted(dates, reverse=True) and len(dates) == 8
    assert [v.value for v in page.results.significant["tags"]] == [UNION, MAYOR]


def test_narrowed_tag_page_keeps_the_tag_s_own_figures(index):
    page = tag_page(index, STRIKE, {"q": ["mayor"], "from": ["2021-01-01"]})
    assert page.narrowed and page.results.total == 3
    assert (page.count, page.first, page.last) == (8, "2020-09-04", "2021-06-05")


def test_a_tag_no_event_has_is_none_with_the_nearest_tags(index):
    assert tag_name(index, "Harbour strik") is None and tag_page(index, "Harbour strik", {}) is None
    assert nearest_tags(index, "Harbour strik")[0] == (STRIKE, 8)
    assert nearest_tags(index, "flood")[0] == (FLOOD, 5)


def test_tag_page_json_has_the_tag_s_figures_and_its_co_occurring_tags(index):
    data = tag_page(index, STRIKE, {}).to_json()
    assert (data["tag"], data["count"], data["first"], data["last"]) == (
        STRIKE,
        8,
        "2020-09-04",
        "2021-06-05",
    )
    assert [t["value"] for t in data["co_occurring"]] == [UNION, MAYOR]
    assert data["results"]["total"] == 8 and data["results"]["facets"]["source"]


# -- comparisons -------------------------------------------------------------------------


def test_compare_counts_each_series_per_period(index):
    wanted, messages = compare_request({"tags": [STRIKE, FLOOD], "q": ["mayor"]})
    comparison = compare(index, wanted, messages)
    assert [r.series.label for r in comparison.results] == ["mayor", STRIKE, FLOOD]
    assert comparison.unit == "month" and comparison.periods[0].label == "2020-08"
    for result in comparison.results:
        assert sum(result.counts) == result.total
    june = [p.label for p in comparison.periods].index("2021-06")
    assert comparison.periods[june].events == 7
    assert (
        comparison.results[2].counts[june] == 4
        and comparison.results[2].shares(comparison.periods)[june] == 4 / 7
    )


@pytest.mark.parametrize(
    ("args", "message"),
    (
        ({"tags": [STRIKE]}, "Give 2 to 5"),
        ({"q": ["a", "b", "c", "d", "e", "f"]}, "Only the first 5"),
        ({"q": ["strike", "flood"], "from": ["2021-01-01"], "to": ["2020-01-01"]}, "swapped"),
    ),
)
def test_compare_says_what_it_could_not_do(index, args, message):
    wanted, messages = compare_request(args)
    assert any(message in m for m in compare(index, wanted, messages).messages)


def test_compare_over_dates_uses_their_unit(index):
    wanted, messages = compare_request(
        {"tags": [STRIKE, UNION], "from": ["2020-09-01"], "to": ["2020-09-30"]}
    )
    comparison = compare(index, wanted, messages)
    assert comparison.unit == "day" and len(comparison.periods) == 30
    assert [sum(r.counts) for r in comparison.results] == [2, 2]


# -- the front page --------------------------------------------------------------------


def test_front_page_shows_rising_tags_biggest_stories_and_months(index):
    overview = front_page(index).overview
    assert overview.rising[0].value == FLOOD and (
        overview.rising[0].count,
        overview.rising[0].background,
    ) == (4, 5)
    assert [story.tag for story in overview.biggest[:2]] == [PORT, STRIKE]
    assert (overview.biggest[1].first, overview.biggest[1].last) == ("2020-09", "2021-06")
    assert sum(year.count for year in overview.years) == overview.events == len(ITEMS)
    assert overview.years[0].year == 2021 and overview.years[0].months[5] == 7


def test_front_page_overview_is_computed_once_per_opened_index(index):
    assert front_page(index).overview is front_page(index).overview


def test_cli_search_says_what_stands_out(explore_index_dir):
    result = CliRunner().invoke(main, ["search", "--tags", STRIKE, "--index-dir", str(explore_index_dir)])
    assert result.exit_code == 0, result.output
    assert f"Stands out: {UNION} (5 here, 6 in all), {MAYOR} (4 here, 6 in all)" in result.output
