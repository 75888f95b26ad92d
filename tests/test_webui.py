"""The web UI and JSON API: URL helpers, views, bad input, the sanitiser and reindexing under a running app."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from search.cli import main as cli
from search.parse import article_markdown
from search.request import SearchRequest, params_of, request_from_args
from search.results import Bucket
from search.store import Store
from search.writer import build, update
from webui import CONTENT_SECURITY_POLICY, create_app
from webui.index import close_index, get_index
from webui.render import Links, archive_event_ids, render_markdown, rewrite_href
from webui.timeline import bars, filled
from webui.urls import (
    path_with_added_args,
    path_with_query,
    path_with_removed_args,
    path_with_replaced_args,
)

BOSTON = "2013-04-15/two-explosions-in-boston-united-states-near-the-finish-line-of-the-2013-boston-marathon-leave-3-people-dead-and-183-injured"
DUSHANBE_2015 = (
    "2015-09-04/clashes-in-and-around-tajikistan-s-capital-dushanbe-kill-at-least-17-people-government-"
    "representatives-blame-the-attacks-against-security"
)
DUSHANBE_2005 = "2005-01-31/car-bomb-explodes-in-dushanbe-the-capital-of-tajikistan"
HOSTILE = "2010-06-15/a-hostile-archive-page-tests-the-sanitiser"
BRIDGE = "2010-06-15/the-fixture-city-harbour-bridge-reopens-after-repairs"
LINKS = Links(event=lambda event_id: f"/event/{event_id}", day=lambda date: f"/day/{date.isoformat()}")


def html(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.get_data(as_text=True)


def api_total(client: FlaskClient, query: str) -> int:
    return client.get(f"/api/search?{query}").get_json()["total"]


def hrefs(page: str, pattern: str = "") -> list[str]:
    """The hrefs of a page (HTML-unescaped), those containing ``pattern``."""
    found = [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]*)"', page)]
    return [h for h in found if pattern in h]


def query_of(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


# -- URL helpers -------------------------------------------------------------

CURRENT = [("q", "war"), ("tag", "Syria"), ("page", "3")]


@pytest.mark.parametrize(
    ("changes", "expected"),
    (
        ({"tag": "Iraq"}, "/search?q=war&tag=Syria&page=3&tag=Iraq"),
        ({"tag": "Syria"}, "/search?q=war&tag=Syria&page=3"),
        ({"page": None, "tag": "Iraq"}, "/search?q=war&tag=Syria&tag=Iraq"),
        ({"q": None}, "/search?tag=Syria&page=3"),
    ),
)
def test_path_with_added_args(changes, expected):
    assert path_with_added_args("/search", CURRENT, changes) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    (
        ([("tag", "Syria")], "/search?q=war&page=3"),
        ([("tag", "Iraq")], "/search?q=war&tag=Syria&page=3"),
        ({"page": None}, "/search?q=war&tag=Syria"),
        ({"q": None, "tag": None, "page": None}, "/search"),
    ),
)
def test_path_with_removed_args(changes, expected):
    assert path_with_removed_args("/search", CURRENT, changes) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    (
        ({"page": "4"}, "/search?q=war&tag=Syria&page=4"),
        ({"q": "peace", "page": None}, "/search?tag=Syria&q=peace"),
        ({"tag": "Iraq"}, "/search?q=war&page=3&tag=Iraq"),
    ),
)
def test_path_with_replaced_args(changes, expected):
    assert path_with_replaced_args("/search", CURRENT, changes) == expected


def test_path_with_query_leaves_out_empty_values_and_encodes():
    assert (
        path_with_query("/s", [("q", ""), ("tag", "Arab–Israeli & co"), ("to", "")])
        == "/s?tag=Arab%E2%80%93Israeli+%26+co"
    )


@pytest.mark.parametrize(
    "args",
    (
        {},
        {"q": ["boston"], "tag": ["Boston", "U.S."], "tags_mode": ["any"], "sort": ["newest"], "page": ["2"]},
        {
            "topic": ["Sinai insurgency"],
            "source": ["bbc.co.uk"],
            "lang": ["en"],
            "from": ["2005-1-31"],
            "to": ["2015-09-04"],
        },
        {"size": ["50"], "facet_size": ["200"], "tag_filter": ["syr"]},
    ),
)
def test_params_of_round_trips_a_request(args):
    request, _ = request_from_args(args)
    assert (
        request_from_args(
            {k: [v for key, v in params_of(request) if key == k] for k, _ in params_of(request)}
        )[0]
        == request
    )


def test_params_of_leaves_out_defaults_and_dropped_values():
    request, _ = request_from_args(
        {"q": ["x" * 5000], "sort": ["sideways"], "page": ["1"], "from": ["not a date"]}
    )
    assert params_of(request) == [("q", "x" * 1000)]


# -- timeline ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "starts", "expected"),
    (
        ("year", ["2005-01-01", "2008-01-01"], ["2005-01-01", "2006-01-01", "2007-01-01", "2008-01-01"]),
        ("month", ["2015-11-01", "2016-02-01"], ["2015-11-01", "2015-12-01", "2016-01-01", "2016-02-01"]),
        ("day", ["2015-09-04", "2015-09-06"], ["2015-09-04", "2015-09-05", "2015-09-06"]),
    ),
)
def test_timeline_fills_empty_buckets_between(unit, starts, expected):
    buckets = [Bucket(start, start, start, 1) for start in starts]
    result = filled(unit, buckets)
    assert [b.start for b in result] == expected
    assert [b.count for b in result][1:-1] == [0] * (len(expected) - 2)


def test_timeline_bars_scale_to_the_largest_and_link_to_their_dates():
    buckets = [Bucket("2005", "2005-01-01", "2005-12-31", 40), Bucket("2007", "2007-01-01", "2007-12-31", 1)]
    result = bars("year", buckets, "/search", [("q", "war"), ("page", "2")])
    assert [(bar.label, bar.step) for bar in result] == [("2005", 20), ("2006", 0), ("2007", 1)]
    assert result[0].url == "/search?q=war&from=2005-01-01&to=2005-12-31"
    assert result[1].url is None


# -- the sanitiser -----------------------------------------------------------


@pytest.mark.parametrize(
    ("markdown", "forbidden"),
    (
        ("<script>alert(1)</script>", "alert"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ("[x](javascript:alert(1))", "javascript"),
        ("[x]( JaVaScRiPt:alert(1))", "alert"),
        ('<iframe src="https://evil.example"></iframe>', "iframe"),
        ('<a href="javascript:alert(1)" onclick="alert(2)">x</a>', "alert"),
        ('<svg onload="alert(1)"></svg>', "onload"),
        ('<p style="position:fixed">x</p>', "style"),
        ("<style>body{display:none}</style>", "display"),
        ("[x](//evil.example/)", "evil"),
        ("[x](data:text/html,hi)", "data:"),
        ('<a href="https://a.example" title="t" target="_top">x</a>', "target"),
        ("<form action=https://evil.example><input name=p></form>", "<input"),
    ),
)
def test_render_markdown_removes_active_content(markdown, forbidden):
    assert forbidden not in render_markdown(markdown, set(), LINKS)


@pytest.mark.parametrize(
    ("markdown", "expected"),
    (
        ("CO<sub>2</sub>", "CO<sub>2</sub>"),
        (
            "[BBC](https://www.bbc.co.uk/news)",
            '<a rel="nofollow noopener" href="https://www.bbc.co.uk/news">BBC</a>',
        ),
        (f"[it](/news/2010/06/15/{BRIDGE[11:]}.md)", f'<a href="/event/{BRIDGE}">it</a>'),
        (f"[it](/zh/news/2010/06/15/{BRIDGE[11:]}.md)", f'<a href="/event/{BRIDGE}">it</a>'),
        ("[it](/news/1999/01/2/gone.md)", "<a>it</a>"),
        ("[day](/news/2010/06/15/index.md)", '<a href="/day/2010-06-15">day</a>'),
    ),
)
def test_render_markdown_keeps_text_and_points_archive_links_here(markdown, expected):
    assert expected in render_markdown(markdown, {BRIDGE}, LINKS)


@pytest.mark.parametrize(
    ("href", "expected"),
    (
        ("https://example.com/a?b=c", "https://example.com/a?b=c"),
        ("  http://example.com ", "http://example.com"),
        ("https://", None),
        ("mailto:a@example.com", None),
        ("/news/2010/6/15/the-fixture-city-harbour-bridge-reopens-after-repairs.md", f"/event/{BRIDGE}"),
        ("/news/2010/02/30/impossible.md", None),
        ("/news/2010/06/15/README.md", "/day/2010-06-15"),
        ("2015/09/4/index.html", None),
        ("#top", None),
    ),
)
def test_rewrite_href(href, expected):
    assert rewrite_href(href, {BRIDGE}, LINKS) == expected


def test_archive_event_ids_finds_every_linked_event_once():
    text = f"[a](/news/2010/06/15/{BRIDGE[11:]}.md) [b](/zh/news/2010/06/15/{BRIDGE[11:]}.md) [c](/news/2010/06/15/index.md)"
    assert archive_event_ids(text) == [BRIDGE]


def test_article_markdown_drops_header_and_sources_but_keeps_related():
    page = "### [2010-06-15](/news/2010/06/15/index.md)\n\n# Headline\n\nSummary.\n\n### Source:\n\n1. [S](https://s.example)\n\n### Related:\n\n1. [R](/r.md)\n"
    assert article_markdown(page) == "Summary.\n\n### Related:\n\n1. [R](/r.md)"


# -- pages -------------------------------------------------------------------


def test_home_shows_latest_day_and_span(client):
    page = html(client, "/")
    assert "31 January 2005" in page and "29 March 2018" in page
    assert "Valencia" in page
    assert 'name="q"' in page


def test_search_highlights_matches(client):
    page = html(client, "/search?q=boston")
    assert "<mark>Boston</mark>" in page
    assert f'href="/event/{BOSTON}"' in page


def test_search_result_count_is_in_a_live_region(client):
    page = html(client, "/search?q=boston")
    assert re.search(
        r'<p id="result-count"[^>]*aria-live="polite"[^>]*>\s*<strong>1</strong> event, 1–1 shown', page
    )


def test_search_hit_tags_link_to_adding_the_filter(client):
    page = html(client, "/search?q=boston")
    assert "/search?q=boston&tags=Boston" in hrefs(page)


def test_search_hit_lists_its_source_outlets(client):
    page = html(client, "/search?q=boston")
    assert (
        'href="http://www.cnn.com/2013/04/15/us/boston-marathon-explosions" rel="nofollow noopener">CNN</a>'
        in page
    )
    assert '<span class="domain">cnn.com</span>' in page


@pytest.mark.parametrize(
    ("query", "total"),
    (
        ("tag=Tajikistan", 2),
        ("tag=Tajikistan&tag=Dushanbe", 2),
        ("tag=Tajikistan&tag=Boston", 0),
        ("tag=Tajikistan&tag=Boston&tags_mode=any", 3),
    ),
)
def test_tags_all_must_match_unless_any(client, query, total):
    assert api_total(client, query) == total


def test_selected_tags_show_as_chips_with_remove_links(client):
    page = html(client, "/search?tags=Tajikistan&tags=Dushanbe")
    assert "/search?tags=Dushanbe" in hrefs(page, "/search?tags=D")
    assert "/search?tags=Tajikistan" in hrefs(page, "/search?tags=T")
    assert "Clear all" in page


def test_tags_mode_toggle_appears_with_two_tags(client):
    assert "any of them" not in html(client, "/search?tags=Tajikistan")
    page = html(client, "/search?tags=Tajikistan&tags=Dushanbe")
    assert "/search?tags=Tajikistan&tags=Dushanbe&tags_mode=any" in hrefs(page)


def test_facets_show_counts_and_toggle_links(client):
    page = html(client, "/search?q=dushanbe")
    assert re.search(
        r'href="/search\?q=dushanbe&amp;tags=Tajikistan">\s*<span class="facet-value">Tajikistan</span>\s*'
        r'<span class="count">2</span>',
        page,
    )
    assert "/search?q=dushanbe&language=en" in hrefs(page)


def test_more_tags_link_widens_the_tag_facet(client):
    page = html(client, "/search")
    assert "/search?facet_size=200" in hrefs(page)
    assert page.count('class="facet-value"') < html(client, "/search?facet_size=200").count(
        'class="facet-value"'
    )


def test_tag_filter_lists_only_matching_tags(client):
    data = client.get("/api/search?tag_filter=syria").get_json()
    assert data["facets"]["tags"] and all("syria" in v["value"].lower() for v in data["facets"]["tags"])
    assert 'value="syria"' in html(client, "/search?tag_filter=syria")


@pytest.mark.parametrize(("sort", "order"), (("newest", -1), ("oldest", 1)))
def test_sort_orders_by_date(client, sort, order):
    dates = [hit["date"] for hit in client.get(f"/api/search?sort={sort}&size=100").get_json()["hits"]]
    assert dates == sorted(dates, reverse=order < 0)


def test_pagination_links_to_the_next_page(client):
    page = html(client, "/search?sort=oldest")
    assert "/search?sort=oldest&page=2" in hrefs(page)
    assert 'rel="prev"' not in page


def test_did_you_mean_links_to_the_suggestion(client):
    page = html(client, "/search?q=bostn&exact=1")  # searched as typed: nothing found, a suggestion
    assert "Did you mean" in page
    assert "/search?exact=1&q=boston" in hrefs(page)


def test_a_misspelled_word_is_searched_corrected_with_a_link_to_search_it_as_typed(client):
    page = html(client, "/search?q=bostn")
    assert "Showing results for <em>boston</em>" in page and "Did you mean" not in page
    assert "<strong>1</strong> event" in page
    assert "/search?q=bostn&exact=1" in hrefs(page)
    as_typed = html(client, "/search?q=bostn&exact=1")
    assert "No events match" in as_typed and "Showing results for" not in as_typed


def test_timeline_bars_narrow_the_dates(client):
    page = html(client, "/search?q=dushanbe")
    assert "/search?q=dushanbe&from=2005-01-01&to=2005-12-31" in hrefs(page)
    narrowed = html(client, "/search?q=dushanbe&from=2005-01-01&to=2005-12-31")
    assert "<strong>1</strong> event" in narrowed


def test_date_form_carries_the_other_filters(client):
    page = html(client, "/search?q=dushanbe&tags=Tajikistan&from=2005-01-01")
    form = page[page.index('<form class="dates"') :]
    form = form[: form.index("</form>")]
    assert 'name="tags" value="Tajikistan"' in form and 'name="q" value="dushanbe"' in form
    assert 'name="from" type="date" value="2005-01-01"' in form


def test_event_page_shows_sources_tags_and_more_like_this(client):
    page = html(client, f"/event/{BOSTON}")
    assert "<h1" in page and "Two explosions in Boston" in page
    assert '<span class="domain">reuters.com</span>' in page
    assert "/search?tags=Boston" in hrefs(page)
    assert "More like this" in page


def test_event_page_links_related_events_that_are_in_the_index(client):
    page = html(client, f"/event/{DUSHANBE_2015}")
    assert f"/event/{DUSHANBE_2005}" in hrefs(page)


def test_day_page_groups_by_topic_and_links_neighbours(client):
    page = html(client, "/day/2011-03-11")
    assert 'href="/day/2008-11-26"' in page and 'href="/day/2013-04-15"' in page
    assert page.index("2011 Bahraini protests") < page.index("2011 Libyan civil war")


def test_day_in_archive_spelling_redirects_to_the_canonical_one(client):
    response = client.get("/day/2015-09-4")
    assert response.status_code == 301 and response.headers["Location"].endswith("/day/2015-09-04")


@pytest.mark.parametrize(
    "url",
    (
        "/day/2015-09-05",
        "/day/2015-02-30",
        "/day/yesterday",
        "/day/9999-99-99",
        "/event/2015-09-04/no-such-event",
        "/event/",
        "/event/..%2f..%2fetc%2fpasswd",
        "/nowhere",
    ),
)
def test_unknown_pages_are_404_pages(client, url):
    page = html(client, url, status=404)
    assert 'class="error-page"' in page or "No events are recorded on this day" in page


def test_empty_day_links_the_nearest_days(client):
    page = html(client, "/day/2015-09-05", status=404)
    assert 'href="/day/2015-09-04"' in page and 'href="/day/2018-03-29"' in page


# -- bad input: a message or an empty result, never a 500 -----------------

BAD_INPUTS = (
    ("from=2015-13-45", "is not a date"),
    ("from=2016-01-01&to=2011-01-01", "dates were reversed"),
    ("page=99999", "page 10000 is empty"),
    ("page=abc", "is not a number"),
    ("tag=No+such+tag", None),
    ("q=" + "x" * 10240, "cut to its first 1,000 characters"),
    ("q=" + quote('tag:"'), None),
    ("q=" + quote("AND OR ("), "has nothing to search for"),
    ("q=" + quote("date:[2019 TO"), "not understood"),
    ("q=" + quote("(" * 200), "has nothing to search for"),
    ("q=the+of", "only words too common to search for"),
    ("q=%00%ff%fe", None),
    ("sort=sideways", "Unknown sort"),
    ("tags_mode=some", "Unknown tags_mode"),
    ("size=0&facet_size=-5", "must be between"),
    ("lang=xx&topic=" + "é" * 3000, None),
)


@pytest.mark.parametrize(("query", "message"), BAD_INPUTS)
def test_bad_input_gives_a_page_with_a_message(client, query, message):
    page = html(client, f"/search?{query}")
    assert message is None or message in page.replace("&#34;", '"')


@pytest.mark.parametrize(("query", "message"), BAD_INPUTS)
def test_bad_input_gives_api_messages(client, query, message):
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 200
    messages = response.get_json()["messages"]
    assert any(message in m for m in messages) if message else isinstance(messages, list)


def test_links_on_a_page_carry_the_cut_query_not_the_sent_one(client):
    page = html(client, "/search?q=" + "x" * 10240)
    assert max(len(href) for href in hrefs(page)) < 1200


# -- the API ---------------------------------------------------------------


def test_api_search_is_the_cli_json(client, en_index_dir):
    api = client.get("/api/search?q=boston&tag=Boston&sort=newest").get_json()
    result = CliRunner().invoke(
        cli,
        [
            "search",
            "boston",
            "--tag",
            "Boston",
            "--sort",
            "newest",
            "--json",
            "--index-dir",
            str(en_index_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    assert api == json.loads(result.output)


def test_api_unknown_path_is_a_json_404(client):
    response = client.get("/api/nothing")
    assert response.status_code == 404 and response.get_json()["status"] == 404


def test_api_wrong_method_is_a_json_405_that_says_what_is_allowed(client):
    response = client.post("/api/search")
    assert response.status_code == 405 and response.get_json()["error"] == "Method Not Allowed"
    assert "GET" in response.headers["Allow"]


# -- headers, errors and configuration -------------------------------------


@pytest.mark.parametrize(
    "url",
    (
        "/",
        "/search?q=boston",
        f"/event/{BOSTON}",
        "/day/2015-09-04",
        "/api/search",
        "/static/style.css",
        "/nowhere",
    ),
)
def test_every_response_has_security_headers(client, url):
    with client.get(url) as response:  # a static file stays open until closed
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "url", ("/", "/search?q=boston&tag=Boston", f"/event/{BOSTON}", "/day/2015-09-04", "/nowhere")
)
def test_pages_have_no_inline_script_or_style(client, url):
    page = client.get(url).get_data(as_text=True)
    assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/app.js" defer>']
    assert " style=" not in page and "<style" not in page


def test_every_form_control_has_a_label(client):
    page = html(client, "/search?tag=Tajikistan")
    ids = re.findall(r'<input id="([^"]+)"', page)
    assert ids and all(f'for="{i}"' in page for i in ids)


def test_server_error_is_a_calm_500_page(en_index_dir):
    app = create_app({"INDEX_DIR": str(en_index_dir)})

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    close_index(app)
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True) and "boom" not in response.get_data(
        as_text=True
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("url", "kind"), (("/search?q=x", "text/html"), ("/api/search", "application/json")))
def test_no_index_yet_is_a_503_not_a_500(tmp_path, url, kind):
    client = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none")}).test_client()
    response = client.get(url)
    assert response.status_code == 503 and response.mimetype == kind


def test_index_of_another_version_is_a_503_that_says_rebuild(tmp_path):
    store = Store(tmp_path / "index")
    build(Path(__file__).parent / "fixtures" / "webui_archive", store, workers=1)
    store.write_manifest(store.current(), {**store.manifest(), "schema_version": 1})
    client = create_app({"TESTING": True, "INDEX_DIR": str(store.root)}).test_client()
    response = client.get("/search?q=x")
    assert response.status_code == 503
    assert "Rebuild it with" in response.get_data(as_text=True)
    assert str(tmp_path) not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("env", "test_config", "expected"),
    (
        (None, None, "index"),
        ("/srv/ix", None, "/srv/ix"),
        ("/srv/ix", {"INDEX_DIR": "/tmp/other"}, "/tmp/other"),
    ),
)
def test_index_dir_comes_from_test_config_then_env_then_default(monkeypatch, env, test_config, expected):
    monkeypatch.delenv("EVENTSEARCH_INDEX_DIR", raising=False)
    if env:
        monkeypatch.setenv("EVENTSEARCH_INDEX_DIR", env)
    assert create_app(test_config).config["INDEX_DIR"] == expected


# -- a hostile archive page ------------------------------------------------


@pytest.fixture
def fixture_client(webui_archive_index_dir: Path) -> Iterator[FlaskClient]:
    """A client of the app over the hand-written archive (linked events, a Chinese one, a hostile page)."""
    app = create_app({"TESTING": True, "INDEX_DIR": str(webui_archive_index_dir)})
    yield app.test_client()
    close_index(app)


@pytest.mark.parametrize(
    "forbidden",
    (
        "alert(",
        "__pwned",
        "onerror",
        "onload",
        "onclick",
        "onmouseover",
        "javascript:",
        "<iframe",
        "<img",
        "<svg",
        '<form action="https://evil',
        '<input name="password"',
        "<style",
        " style=",
        "//evil.fixture.example",
        "data:text",
    ),
)
def test_hostile_archive_page_reaches_the_browser_inert(fixture_client, forbidden):
    assert forbidden not in html(fixture_client, f"/event/{HOSTILE}")


def test_hostile_archive_page_keeps_its_text_and_safe_links(fixture_client):
    page = html(fixture_client, f"/event/{HOSTILE}")
    assert "CO<sub>2</sub>" in page and "Plain words first" in page
    assert f'<a href="/event/{BRIDGE}">bridge story</a>' in page
    assert '<a href="/day/2010-06-15">that day</a>' in page
    assert "<a>missing story</a>" in page
    assert (
        '<a rel="nofollow noopener" href="https://gazette.fixture.example/2010/06/15/sanitiser">outlet</a>'
        in page
    )


def test_chinese_events_are_labelled_and_marked_up_as_chinese(fixture_client):
    page = html(fixture_client, "/search?lang=zh")
    assert "测试城渡轮公布新的夏季时刻表。" in page and "> · </span>Chinese" in page
    assert '<span class="facet-value">Chinese</span>' in page
    assert 'lang="zh"' in html(fixture_client, "/event/2010-06-15/fixture-city-ferry-timetable-in-chinese")


# -- reindexing under a running app ----------------------------------------

NEW_PAGE = """### [2015-09-4](/news/2015/09/4/index.md)

# A {word} lands in the harbour of a test town.

Invented for the reindex test.
"""


def test_running_app_serves_an_update_then_a_rebuild(tmp_path, en_corpus_dir):
    content = tmp_path / "content"
    shutil.copytree(en_corpus_dir, content)
    store = Store(tmp_path / "index")
    build(content, store, workers=1)
    app: Flask = create_app({"TESTING": True, "INDEX_DIR": str(store.root)})
    client = app.test_client()
    assert api_total(client, "q=zeppelin") == 0
    index = get_index(app)

    page = content / "news/2015/09/4/a-zeppelin-lands-in-the-harbour.md"
    page.write_text(NEW_PAGE.format(word="zeppelin"))
    update(content, store, paths=[str(page.relative_to(content))])
    assert api_total(client, "q=zeppelin") == 1
    assert client.get("/event/2015-09-04/a-zeppelin-lands-in-the-harbour").status_code == 200

    page.write_text(NEW_PAGE.format(word="balloon"))
    build(content, store, workers=1)
    assert api_total(client, "q=zeppelin") == 0
    assert api_total(client, "q=balloon") == 1
    assert get_index(app) is index  # the same app and SearchIndex all along: no restart
    close_index(app)


def test_day_page_lists_every_event_of_the_day(client):
    assert html(client, f"/day/{dt.date(2013, 4, 15).isoformat()}").count('class="event-item"') == 10


def test_search_request_default_page_size_shows_ten_hits(client):
    assert html(client, "/search").count('class="hit"') == SearchRequest().page_size
