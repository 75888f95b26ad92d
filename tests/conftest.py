"""Shared fixtures.

Web UI fixtures (test_webui.py, test_browser.py): indexes of the English
corpus and of the hand-written ``fixtures/webui_archive``, and the Flask
tutorial's ``app`` and ``client`` over the English corpus.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from explore_archive import write_explore_archive
from flask import Flask
from flask.testing import FlaskClient

from search.store import Store
from search.writer import build
from webui import create_app
from webui.index import close_index

EN_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "en"
WEBUI_ARCHIVE = Path(__file__).resolve().parent / "fixtures" / "webui_archive"


@pytest.fixture(scope="session")
def en_corpus_dir() -> Path:
    """The English corpus beside the checkout (read only: copy it before changing anything)."""
    if not EN_CORPUS.is_dir():
        pytest.skip(f"{EN_CORPUS} is not there")
    return EN_CORPUS


@pytest.fixture(scope="session")
def en_index_dir(tmp_path_factory: pytest.TempPathFactory, en_corpus_dir: Path) -> Path:
    """An index of the English corpus, built once per session."""
    index_dir = tmp_path_factory.mktemp("en-index")
    build(en_corpus_dir, Store(index_dir), workers=1)
    return index_dir


@pytest.fixture(scope="session")
def webui_archive_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the hand-written web UI archive alone (linked events and one hostile page)."""
    index_dir = tmp_path_factory.mktemp("webui-archive-index")
    build(WEBUI_ARCHIVE, Store(index_dir), workers=1)
    return index_dir


@pytest.fixture(scope="session")
def mixed_index_dir(tmp_path_factory: pytest.TempPathFactory, en_corpus_dir: Path) -> Path:
    """An index of the English corpus plus the hand-written day, as one archive (for the browser)."""
    content = tmp_path_factory.mktemp("mixed-content")
    shutil.copytree(en_corpus_dir / "news", content / "news")
    shutil.copytree(WEBUI_ARCHIVE / "news", content / "news", dirs_exist_ok=True)
    index_dir = tmp_path_factory.mktemp("mixed-index")
    build(content, Store(index_dir), workers=1)
    return index_dir


@pytest.fixture(scope="session")
def explore_archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-written archive of tests/explore_archive.py (tag stories, days of the year, a rising tag)."""
    return write_explore_archive(tmp_path_factory.mktemp("explore-archive"))


@pytest.fixture(scope="session")
def explore_index_dir(tmp_path_factory: pytest.TempPathFactory, explore_archive_dir: Path) -> Path:
    """An index of the explore archive, built once per session."""
    index_dir = tmp_path_factory.mktemp("explore-index")
    build(explore_archive_dir, Store(index_dir), workers=1)
    return index_dir


@pytest.fixture
def app(en_index_dir: Path) -> Iterator[Flask]:
    """The web app over the English corpus index."""
    app = create_app({"TESTING": True, "INDEX_DIR": str(en_index_dir)})
    yield app
    close_index(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of ``app``."""
    return app.test_client()
