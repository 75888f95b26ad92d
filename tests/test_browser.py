"""End to end in real Chromium, against the app served by waitress over the English corpus plus the hand-written day."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from webui import create_app
from webui.index import close_index

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
BRIDGE = "/event/2010-06-15/the-fixture-city-harbour-bridge-reopens-after-repairs"
FERRY = "/event/2010-06-15/ferry-service-across-fixture-bay-resumes"
HOSTILE = "/event/2010-06-15/a-hostile-archive-page-tests-the-sanitiser"
DUSHANBE = (
    "/event/2015-09-04/clashes-in-and-around-tajikistan-s-capital-dushanbe-kill-at-least-17-people-"
    "government-representatives-blame-the-attacks-against-security"
)
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests need Debian's chromium"
    ),
]


@pytest.fixture(scope="module")
def base_url(mixed_index_dir: Path) -> Iterator[str]:
    """The app over the English corpus and the hand-written day, served by a real waitress."""
    yield from serve(mixed_index_dir)


def serve(index_dir: Path) -> Iterator[str]:
    """The app over an index, served by a real waitress on 127.0.0.1 (an ephemeral port) in a thread."""
    waitress = pytest.importorskip("waitress")
    app = create_app({"INDEX_DIR": str(index_dir)})
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"

    def stop() -> None:  # runs in the server's own loop: closing every socket ends server.run()
        server.task_dispatcher.shutdown()
        for channel in list(server._map.values()):
            channel.close()

    server.trigger.pull_trigger(stop)
    thread.join(timeout=10)
    close_index(app)
    assert not thread.is_alive(), "waitress did not stop"


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url: str):
    """A fresh desktop-sized tab whose relative URLs go to the test server."""
    context = browser.new_context(base_url=base_url, viewport=SIZES["desktop"])
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


def count(page) -> str:
    return page.locator("#result-count").inner_text()


def test_typed_query_shows_highlighted_hits(page):
    page.goto("/")
    page.get_by_label("Search events").fill("boston")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=boston")
    assert page.locator(".hit mark").first.inner_text() == "Boston"
    assert count(page).startswith("1 event")


def test_slash_key_jumps_to_the_search_box(page):
    page.goto("/day/2015-09-04")
    page.keyboard.press("/")
    page.keyboard.type("dushanbe")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?q=dushanbe")
    assert count(page).startswith("2 events")


def test_two_tags_narrow_the_results(page):
    page.goto("/search")
    assert count(page).startswith("67 events")
    tags = page.locator("#tags-values")
    assert tags.locator("a", has_text="Fixture City").locator(".count").inner_text() == "3"
    tags.locator("a", has_text="Fixture City").click()
    page.wait_for_url("**/search?tags=Fixture+City")
    assert count(page).startswith("3 events")
    tags.locator("a", has_text="Harbour bridge").click()
    page.wait_for_url("**/search?tags=Fixture+City&tags=Harbour+bridge")
    assert count(page).startswith("2 events")
    assert page.locator(".chip").count() == 2
    page.get_by_role("link", name="any of them").click()
    page.wait_for_url("**tags_mode=any")
    assert count(page).startswith("3 events")


def test_date_range_then_timeline_bar(page):
    page.goto("/search")
    page.get_by_label("From", exact=True).fill("2005-01-01")
    page.get_by_label("To", exact=True).fill("2011-12-31")
    page.get_by_role("button", name="Apply dates").click()
    page.wait_for_url("**/search?from=2005-01-01&to=2011-12-31")
    assert count(page).startswith("40 events")
    page.locator(".bars a", has_text="2008: 10 events").click()
    page.wait_for_url("**/search?from=2008-01-01&to=2008-12-31")
    assert count(page).startswith("10 events")
    assert page.get_by_label("From", exact=True).input_value() == "2008-01-01"


def test_removing_a_chip_removes_that_filter(page):
    page.goto("/search?tag=Fixture+City&tag=Harbour+bridge")
    page.locator(".chip", has_text="Fixture City").click()
    page.wait_for_url("**/search?tags=Harbour+bridge")
    assert page.locator(".chip").count() == 1
    assert count(page).startswith("2 events")


def test_tag_find_box_filters_the_list_as_one_types(page):
    page.goto("/search")
    page.get_by_label("Find a tag").fill("fixture")
    visible = [text for text in page.locator("#tags-values li:visible .facet-value").all_inner_texts()]
    assert visible and all("fixture" in text.lower() for text in visible)
    assert page.url.endswith("/search")  # filtered here, no request


def test_related_links_lead_from_event_to_event(page):
    page.goto(BRIDGE)
    page.locator(".article-body a", has_text="Ferry service across Fixture Bay").click()
    page.wait_for_url(f"**{FERRY}")
    assert page.locator("h1").inner_text().startswith("Ferry service across Fixture Bay")
    page.locator(
        ".article-body a", has_text="harbour bridge reopens"
    ).click()  # a /zh/news/… link in the archive
    page.wait_for_url(f"**{BRIDGE}")
    page.goto(DUSHANBE)
    page.locator(".article-body a", has_text="Car bomb explodes in Dushanbe").click()
    page.wait_for_url("**/event/2005-01-31/car-bomb-explodes-in-dushanbe-the-capital-of-tajikistan")


def test_days_step_with_previous_and_next_and_back(page):
    page.goto("/day/2010-06-15")
    page.locator("a[rel=next]").click()
    page.wait_for_url("**/day/2011-03-11")
    page.locator("a[rel=prev]").click()
    page.wait_for_url("**/day/2010-06-15")
    page.locator("a[rel=prev]").click()
    page.wait_for_url("**/day/2008-11-26")
    assert page.locator("h1").inner_text() == "26 November 2008"
    page.go_back()
    page.wait_for_url("**/day/2010-06-15")
    assert page.locator("h1").inner_text() == "15 June 2010"


def test_back_button_returns_to_the_previous_search(page):
    page.goto("/search?q=fixture")
    page.locator("#tags-values a", has_text="Harbour bridge").click()
    page.wait_for_url("**/search?q=fixture&tags=Harbour+bridge")
    page.go_back()
    page.wait_for_url("**/search?q=fixture")
    assert page.locator(".chip").count() == 0
    assert page.get_by_label("Search events").input_value() == "fixture"


def test_everything_works_without_javascript(browser, base_url):
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/search?q=fixture")
    page.get_by_label("Find a tag").fill("ferry")
    page.get_by_role("button", name="Find").click()
    page.wait_for_url("**tag_filter=ferry")
    assert page.locator("#tags-values .facet-value").all_inner_texts() == ["Fixture Bay ferry"]
    context.close()


def test_hostile_archive_page_runs_nothing(page):
    dialogs, violations = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for url in (HOSTILE, "/search?q=hostile+sanitiser", "/day/2010-06-15"):
        page.goto(url)
        page.wait_for_load_state("networkidle")
    page.goto(HOSTILE)
    page.mouse.move(640, 450)  # where a full-window onmouseover <div> would be
    page.locator(".article-body a", has_text="javascript link").click()
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == [] and violations == []
    assert page.locator(".article-body sub").inner_text() == "2"


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(
    ("name", "url"), (("search", "/search?q=war"), ("event", DUSHANBE), ("day", "/day/2015-09-04"))
)
def test_screenshot_fits_the_width(browser, base_url, size, name, url):
    context = browser.new_context(base_url=base_url, viewport=SIZES[size])
    page = context.new_page()
    page.goto(url)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"), full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {size} width"


def test_result_count_is_announced(page):
    page.goto("/search?q=war")
    live = page.locator("[aria-live=polite]")
    assert re.match(r"\d+ events?", live.inner_text())
