"""Exploring the archive in real Chromium, over the hand-written explore archive served by waitress:
from a hit to a tag's page, its timeline, a tag often with it, on this day, comparisons; phone width too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from explore_archive import FLOOD, STRIKE, UNION
from test_browser import CHROMIUM, SCREENSHOTS, SIZES, browser, serve

STRIKE_URL = "/tag/Harbour%20strike"
EXPLORE_PAGES = {
    "tag": STRIKE_URL,
    "front": "/",
    "on-this-day": "/on-this-day/09-04",
    "compare": "/compare?tags=Harbour+strike&tags=Flood+relief&tags=Mayor+Lena+Ortiz",
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: the browser tests need Debian's chromium"
    ),
]
__all__ = ["browser"]  # the module's one Chromium, shared with test_browser.py's fixture


@pytest.fixture(scope="module")
def base_url(explore_index_dir: Path) -> Iterator[str]:
    """The app over the explore archive, served by a real waitress."""
    yield from serve(explore_index_dir)


@pytest.fixture(params=sorted(SIZES))
def page(request, browser, base_url: str):
    """A fresh tab at desktop and at phone width, collecting what the browser complains about."""
    context = browser.new_context(base_url=base_url, viewport=SIZES[request.param])
    context.set_default_timeout(10_000)
    tab = context.new_page()
    tab.complaints = []
    tab.on(
        "console", lambda message: tab.complaints.append(message.text) if message.type == "error" else None
    )
    yield tab
    assert tab.complaints == []  # no CSP violation, no script error
    context.close()


def test_from_a_hit_a_tag_leads_to_its_page(page):
    page.goto("/search?q=walk+out")
    page.get_by_role("link", name=f"The page of the tag {STRIKE}").first.click()
    page.wait_for_url(f"**{STRIKE_URL}")
    assert page.locator("h1").inner_text() == STRIKE
    assert page.locator("#result-count").inner_text().startswith("8 events")


def test_a_timeline_bar_narrows_the_tag_page_to_its_month(page):
    page.goto(STRIKE_URL)
    page.locator(".bars a", has_text="Sep 2020: 2 events").click()
    page.wait_for_url(f"**{STRIKE_URL}?from=2020-09-01&to=2020-09-30")
    assert page.locator("#result-count").inner_text().startswith("2 of its events match")
    assert page.locator(".lede").first.inner_text().startswith("8 events")  # the tag's own count stays


def test_a_tag_often_with_it_opens_its_own_page(page):
    page.goto(STRIKE_URL)
    page.locator(".facet-significant .significant-tag", has_text=UNION).click()
    page.wait_for_url("**/tag/Dock%20workers%20union")
    assert page.locator("h1").inner_text() == UNION
    assert STRIKE in page.locator(".facet-significant").inner_text()


def test_a_day_page_leads_to_the_same_day_in_other_years(page):
    page.goto("/day/2020-09-04")
    page.get_by_role("link", name="On this day in other years").click()
    page.wait_for_url("**/on-this-day/09-04")
    assert page.locator(".year-heading").all_inner_texts() == [
        "4 September 2020",
        "4 September 2019",
        "4 September 2018",
    ]
    page.locator("a[rel=next]").click()
    page.wait_for_url("**/on-this-day/09-05")


def test_two_tags_are_compared_from_the_form(page):
    page.goto("/compare")
    page.get_by_label("Search 1").fill(f'tags:"{STRIKE}"')
    page.get_by_label("Search 2").fill(f'tags:"{FLOOD}"')
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/compare?q=*")
    assert page.locator("svg.chart-svg polyline").count() == 2
    assert page.locator(".legend").inner_text().count("events") == 2
    june = page.locator(".compare-table tr", has_text="2021-06").inner_text().split()
    assert june[:5] == ["2021-06", "1", "14%", "4", "57%"]


def test_a_tag_page_compares_it_with_the_tags_often_with_it(page):
    page.goto(STRIKE_URL)
    page.get_by_role("link", name="Compare over time with").click()
    page.wait_for_url("**/compare?tags=Harbour+strike&tags=Dock+workers+union&tags=Mayor+Lena+Ortiz")
    assert page.locator("svg.chart-svg polyline").count() == 3
    page.get_by_role("link", name="Share of all events").click()
    page.wait_for_url("**measure=share")
    assert "%" in page.locator("svg .y-label").last.text_content()


def test_the_front_page_opens_a_story(page):
    page.goto("/")
    page.locator("[aria-labelledby=biggest-heading] a", has_text=STRIKE).click()
    page.wait_for_url(f"**{STRIKE_URL}")
    page.go_back()
    page.locator("[aria-labelledby=rising-heading] a", has_text=FLOOD).click()
    page.wait_for_url("**/tag/Flood%20relief")


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", EXPLORE_PAGES)
def test_explore_screenshot_fits_the_width(browser, base_url, size, name):
    context = browser.new_context(base_url=base_url, viewport=SIZES[size])
    tab = context.new_page()
    tab.goto(EXPLORE_PAGES[name])
    SCREENSHOTS.mkdir(exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"), full_page=True)
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {size} width"
