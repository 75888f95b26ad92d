"""Same content, same pages: an updated index and a fresh build of the same archive answer every search alike.

Document numbers differ between the two (an updated event is deleted and
added again at the end), and Whoosh's statistics count deleted documents
until a merge; nothing a page shows may depend on either.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.generate import generate
from search.request import SearchRequest
from search.searching import SearchIndex
from search.store import Store
from search.writer import build, update

REQUESTS = [
    SearchRequest(),
    SearchRequest(sort="oldest", page_number=2),
    SearchRequest(text="government"),
    SearchRequest(text="police army", page_number=2),
    SearchRequest(text="ministry OR village", sort="newest"),
    SearchRequest(text="at least", page_size=25),
    SearchRequest(text="dozens NOT army"),
    SearchRequest(text="march*"),
    SearchRequest(facet_size=7),
    SearchRequest(text="people", facet_size=3),
]


def _edit(content: Path, seed: int) -> None:
    """Change the summary of some event pages and delete a few (their index entries stay)."""
    rng = random.Random(seed)
    pages = sorted(p for p in content.rglob("*.md") if p.name not in ("index.md", "README.md"))
    for page in rng.sample(pages, 25):
        page.write_text(
            page.read_text().replace("\n\n### Source", " A government spokesman said more.\n\n### Source")
        )
    for page in rng.sample(pages, 5):
        page.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SearchIndex, SearchIndex]]:
    """The same edited archive, indexed by a build then an update, and by one fresh build."""
    root = tmp_path_factory.mktemp("same-pages")
    content = root / "content"
    generate(content, 400, seed=11)
    updated, fresh = Store(root / "updated"), Store(root / "fresh")
    build(content, updated, workers=2)
    _edit(content, seed=11)
    report = update(content, updated, scan=True)
    assert report.changed and report.removed == 0  # deleted pages leave index-only events behind
    build(shutil.copytree(content, root / "copy"), fresh, workers=2)
    with SearchIndex(updated.root) as one, SearchIndex(fresh.root) as other:
        yield one, other


@pytest.mark.parametrize(
    "request_", REQUESTS, ids=lambda r: f"{r.text or '-'}/{r.sort}/p{r.page_number}/f{r.facet_size}"
)
def test_an_updated_index_and_a_fresh_build_give_the_same_page(indexes, request_):
    updated, fresh = indexes
    assert updated.search(request_).to_json() == fresh.search(request_).to_json()


def test_the_day_pages_agree(indexes):
    updated, fresh = indexes
    day = fresh.span()[1]
    assert [e.id for e in updated.day(day)] == [e.id for e in fresh.day(day)]
