"""The explore pages in the real Flask app: tag pages, on this day, compare, the front page; their JSON
and their 404s; links from every tag to its page; the search page's significant tags and OR counts."""

from __future__ import annotations

import csv as csv_module
import io
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from explore_archive import FLOOD, MAYOR, PORT, STRIKE, UNION
from flask.testing import FlaskClient

from webui import CONTENT_SECURITY_POLICY, create_app
from webui.index import close_index

STRIKE_URL = "/tag/Harbour%20strike"


@pytest.fixture(scope="module")
def client(explore_index_dir: Path) -> Iterator[FlaskClient]:
    """A client of the app over the explore archive."""
    app = create_app({"TESTING": True, "INDEX_DIR": str(explore_index_dir)})
    yield app.test_client()
    close_index(app)


def html(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def hrefs(page: str, pattern: str = "") -> list[str]:
    found = [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]*)"', page)]
    return [h for h in found if pattern in h]


def section(page: str, start: str, end: str = "</section>") -> str:
    at = page.index(start)
    return page[at : page.index(end, at)]


# -- every page, its JSON and its 404s -------------------------------------------------

PAGES = (
    "/",
    STRIKE_URL,
    f"{STRIKE_URL}?q=mayor&from=2021-01-01",
    "/on-this-day/09-04",
    "/on-this-day/02-29",
    "/on-this-day",
    "/compare?tags=Harbour+strike&tags=Flood+relief",
    "/compare?q=strike&tags=Flood+relief&measure=share",
    "/compare",
)


@pytest.mark.parametrize("url", PAGES)
def test_explore_pages_answer_without_inline_script_or_style(client, url):
    with client.get(url) as response:
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/app.js" defer>']
    assert " style=" not in page and "<style" not in page


@pytest.mark.parametrize(
    ("url", "keys"),
    (
        (f"/api/tag/{quote(STRIKE)}", {"tag", "count", "first", "last", "co_occurring", "results"}),
        ("/api/on-this-day/09-04", {"date", "total", "years", "page", "pages", "hits", "messages"}),
        ("/api/on-this-day", {"date", "total", "years", "page", "pages", "hits", "messages"}),
        ("/api/compare?tags=Harbour+strike&q=flood", {"unit", "periods", "series", "messages"}),
        ("/api/front", {"events", "first", "last", "rising", "biggest", "years", "latest", "on_this_day"}),
    ),
)
def test_every_explore_page_is_json_too(client, url, keys):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert set(response.get_json()) == keys


@pytest.mark.parametrize("day", ("02-30", "13-01", "00-10", "04-31", "today", "2015-09-04"))
def test_a_day_no_year_has_is_a_404(client, day):
    assert "error-page" in html(client, f"/on-this-day/{day}", status=404)
    assert client.get(f"/api/on-this-day/{day}").get_json()["status"] == 404


@pytest.mark.parametrize(
    ("url", "location"),
    (("/on-this-day/9-4", "/on-this-day/09-04"), ("/api/on-this-day/2-29", "/api/on-this-day/02-29")),
)
def test_a_day_of_the_year_has_one_address(client, url, location):
    response = client.get(url)
    assert response.status_code == 301 and response.headers["Location"].endswith(location)


def test_a_tag_in_another_case_redirects_to_the_archive_s_spelling(client):
    response = client.get("/tag/harbour%20STRIKE?page=1")
    assert response.status_code == 301 and response.headers["Location"].endswith(f"{STRIKE_URL}?page=1")


def test_a_tag_no_event_has_is_a_404_offering_the_nearest(client):
    page = html(client, "/tag/Harbour%20strik", status=404)
    assert STRIKE_URL in hrefs(page) and "No event has the tag" in page
    data = client.get("/api/tag/Harbour%20strik").get_json()
    assert data["status"] == 404 and data["nearest"][0] == {"tag": STRIKE, "count": 8}


def test_a_long_missing_tag_gets_a_calm_404(client):
    assert "error-page" in html(client, "/tag/" + "x" * 5000, status=404)


# -- the tag page ----------------------------------------------------------------------------


def test_tag_page_shows_count_dates_and_the_tags_often_with_it(client):
    page = html(client, STRIKE_URL)
    assert "<strong>8</strong> events" in page and "4 September 2020" in page and "5 June 2021" in page
    often = section(page, 'class="facet facet-significant"')
    assert often.index(UNION) < often.index(MAYOR) and PORT not in often
    assert f"/tag/{quote(UNION)}" in hrefs(often)
    assert page.count('class="hit"') == 8


def test_tag_page_timeline_bars_narrow_within_the_tag(client):
    page = html(client, STRIKE_URL)
    assert f"{STRIKE_URL}?from=2020-09-01&to=2020-09-30" in hrefs(page)
    narrowed = html(client, f"{STRIKE_URL}?from=2020-09-01&to=2020-09-30")
    assert "<strong>2</strong> of its events match" in narrowed and "Events per day" in narrowed


def test_tag_page_search_box_searches_within_the_tag(client):
    page = html(client, STRIKE_URL)
    form = section(page, '<form class="search-form tag-search"', "</form>")
    assert f'action="{STRIKE_URL}"' in form and 'name="q"' in form
    assert "<strong>4</strong> of its events match" in html(client, f"{STRIKE_URL}?q=mayor")


def test_tag_page_links_leave_its_own_tag_to_its_address(client):
    page = html(client, f"{STRIKE_URL}?tags={quote(UNION)}")
    assert "<strong>5</strong> of its events match" in page
    assert hrefs(page, f"{STRIKE_URL}?") and not [
        h for h in hrefs(page, f"{STRIKE_URL}?") if "tags=Harbour" in h
    ]
    assert f"{STRIKE_URL}?tags=Dock+workers+union&page=2" not in hrefs(page)  # all five fit on one page


def test_tag_page_offers_a_comparison_with_the_tags_often_with_it(client):
    page = html(client, STRIKE_URL)
    assert "/compare?tags=Harbour+strike&tags=Dock+workers+union&tags=Mayor+Lena+Ortiz" in hrefs(page)


# -- every tag reaches its page and still filters ---------------------------------------------


def test_hit_tags_filter_and_open_their_page(client):
    page = html(client, "/search?q=walk+out")
    hit = section(page, '<li class="hit">', "</li>\n</ol>") if "</li>\n</ol>" in page else page
    assert "/search?q=walk+out&tags=Harbour+strike" in hrefs(hit)
    assert STRIKE_URL in hrefs(hit)


def test_tag_facet_values_filter_and_open_their_page(client):
    facet = section(html(client, "/search"), 'class="facet facet-tags"')
    assert "/search?tags=Port+City" in hrefs(facet) and "/tag/Port%20City" in hrefs(facet)


def test_event_page_tags_filter_and_open_their_page(client):
    page = html(client, "/event/2020-09-04/dock-workers-walk-out-at-the-harbour")
    assert "/search?tags=Harbour+strike" in hrefs(page) and STRIKE_URL in hrefs(page)


# -- significant tags and OR counts on the search page ---------------------------------------


def test_search_page_shows_what_stands_out(client):
    page = html(client, "/search?q=strike+OR+dock")
    stands_out = section(page, 'class="facet facet-significant"')
    assert "Stands out in these results" in stands_out and STRIKE_URL in hrefs(stands_out)
    assert "/search?q=strike+OR+dock&tags=Harbour+strike" in hrefs(stands_out)


def test_selecting_a_topic_keeps_the_others_with_counts_that_widen(client):
    facet = section(html(client, "/search?topic=Labour"), 'class="facet facet-topic"')
    assert re.search(
        r'href="/search\?topic=Labour&amp;topic=Weather">\s*<span class="facet-value">Weather</span>\s*<span class="count">7</span>',
        facet,
    )
    assert client.get("/api/search?topic=Labour&topic=Weather").get_json()["total"] == 16


def test_any_mode_tag_counts_add_up(client):
    data = client.get(f"/api/search?tags={quote(FLOOD)}&tags={quote(STRIKE)}&tags_mode=any").get_json()
    counts = {v["value"]: v["count"] for v in data["facets"]["tags"]}
    assert counts[FLOOD] + counts[STRIKE] == data["total"] == 13


# -- on this day, the day page, the front page and compare ---------------------------------------


def test_on_this_day_groups_by_year_newest_first_with_links_to_each_day(client):
    page = html(client, "/on-this-day/09-04")
    assert "<strong>3</strong> events on 4 September, in 3 years" in page
    headings = re.findall(r'<h2 id="year-(\d{4})"', page)
    assert headings == ["2020", "2019", "2018"]
    assert "/day/2019-09-04" in hrefs(page) and "/search?calendar_day=09-04&sort=newest" in hrefs(page)
    assert "/on-this-day/09-03" in hrefs(page) and "/on-this-day/09-05" in hrefs(page)


def test_leap_day_neighbours_are_28_february_and_1_march(client):
    page = html(client, "/on-this-day/02-29")
    assert "/on-this-day/02-28" in hrefs(page) and "/on-this-day/03-01" in hrefs(page)
    assert re.findall(r'<h2 id="year-(\d{4})"', page) == ["2020", "2016"]


def test_day_page_links_to_on_this_day(client):
    assert "/on-this-day/09-04" in hrefs(html(client, "/day/2020-09-04"))


def test_front_page_opens_the_archive(client):
    page = html(client, "/")
    rising = section(page, 'aria-labelledby="rising-heading"')
    assert rising.index(FLOOD) < rising.index("River Vale")
    biggest = section(page, 'aria-labelledby="biggest-heading"')
    assert biggest.index(PORT) < biggest.index(STRIKE) and "/tag/Port%20City" in hrefs(biggest)
    browse = section(page, 'aria-labelledby="browse-heading"')
    assert "/search?from=2021-06-01&to=2021-06-30" in hrefs(
        browse
    ) and "/search?from=2016-01-01&to=2016-12-31" in hrefs(browse)
    assert "/on-this-day/" in " ".join(hrefs(page)) and 'name="q"' in page


def test_compare_draws_an_svg_with_a_table_of_the_same_figures(client):
    page = html(client, "/compare?tags=Harbour+strike&tags=Flood+relief")
    svg = section(page, "<svg", "</svg>")
    assert 'role="img"' in svg and svg.count("<polyline") == 2 and "<title" in svg
    table = section(page, '<table class="compare-table"', "</table>")
    assert "<caption>" in table and "2021-06" in table and "57%" in table
    assert "/compare?tags=Harbour+strike&tags=Flood+relief&measure=share" in hrefs(page)


def test_compare_with_one_series_asks_for_another(client):
    page = html(client, "/compare?tags=Harbour+strike")
    assert "Give 2 to 5 queries or tags to compare." in page and "<svg" not in page
    assert 'name="tags" type="search" value="Harbour strike"' in page


@pytest.mark.parametrize(
    ("url", "json_url"),
    (
        (f"{STRIKE_URL}?q=mayor", "/api/tag/Harbour%20strike?q=mayor"),
        ("/on-this-day/09-04", "/api/on-this-day/09-04"),
        ("/compare?tags=Harbour+strike&q=flood", "/api/compare?q=flood&tags=Harbour+strike"),
        ("/", "/api/front"),
        ("/search?q=strike&topic=Labour", "/api/search?q=strike&topic=Labour"),
    ),
)
def test_every_page_links_to_its_json(client, url, json_url):
    footer = section(html(client, url), '<footer class="site-footer">', "</footer>")
    assert hrefs(footer) == [json_url]
    assert client.get(json_url).status_code == 200


def test_tag_page_links_its_feed_and_exports_of_the_tag_s_events(client):
    page = html(client, STRIKE_URL)
    alternate = re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*href="([^"]*)"', page)
    feed = alternate.group(1).replace("&amp;", "&")
    assert feed in hrefs(page, "/search.atom") and "tags=Harbour+strike" in feed
    assert client.get(feed).get_data(as_text=True).count("<entry>") == 8
    csv = hrefs(page, "/search.csv")[0]
    rows = list(csv_module.DictReader(io.StringIO(client.get(csv).get_data(as_text=True))))
    assert len(rows) == 8 and all("Harbour strike" in row["tags"].splitlines() for row in rows)
