"""The Whoosh internals that search/whoosh_internals.py relies on: there, with the shape and behaviour used.

An upgrade of whoosh-reloaded that renames or reshapes one of them fails here,
by name, and stops the seam's import (so every command and server) at startup.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.query import qcore
from whoosh.reading import SegmentReader
from whoosh.util.numeric import byte_to_length
from whoosh.writing import PostingPool, SegmentWriter

from search import whoosh_internals
from search.archive import read_archive
from search.query import make_parser
from search.schema import document_of, make_schema
from search.store import Store
from search.whoosh_internals import (
    commit_segment_list,
    field_length_bytes,
    finalize_segment,
    is_null_query,
    missing_internals,
    read_postings,
    worker_writer,
)
from search.writer import build

FIXTURE = Path(__file__).parent / "fixtures" / "archive"
ROOT = Path(__file__).resolve().parents[1]


def test_every_internal_the_seam_uses_is_there():
    assert missing_internals() == []


def _init_without_perdoc(self, *args, **kwargs):
    self.perdoc_reader = None  # as if Whoosh renamed SegmentReader._perdoc


def _write_run_of_another_shape(self, f, items, protocol):
    pass


@pytest.mark.parametrize(
    ("owner", "name", "replacement", "named"),
    [
        (W3LeafMatcher, "_read_ids", None, "W3LeafMatcher._read_ids"),
        (W3LeafMatcher, "_next_block", None, "W3LeafMatcher._next_block"),
        (PostingPool, "_write_run", _write_run_of_another_shape, "PostingPool._write_run"),
        (SegmentWriter, "_commit_toc", None, "SegmentWriter._commit_toc"),
        (SegmentReader, "__init__", _init_without_perdoc, "SegmentReader.__init__ no longer sets ._perdoc"),
        (qcore, "_NullQuery", None, "_NullQuery"),
        (
            whoosh_index.TOC,
            "_filename",
            classmethod(lambda cls, name, gen: f"{name}.{gen}.toc"),
            "_MAIN_<n>.toc",
        ),
    ],
)
def test_a_renamed_or_reshaped_internal_is_named(monkeypatch, owner, name, replacement, named):
    if replacement is None:
        monkeypatch.delattr(owner, name)  # renamed away
    else:
        monkeypatch.setattr(owner, name, replacement)
    assert any(named in line for line in missing_internals())
    with pytest.raises(ImportError, match=named.split(" ")[-1].replace(".", r"\.")):
        whoosh_internals.require_internals()


def test_a_missing_internal_stops_the_import_of_the_seam():
    rename = (
        "from whoosh.codec.whoosh3 import W3LeafMatcher as M; "
        "M._read_ids_renamed = M._read_ids; del M._read_ids; "
        "import search.searching"
    )
    done = subprocess.run([sys.executable, "-c", rename], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode != 0
    assert "ImportError" in done.stderr and "W3LeafMatcher._read_ids is gone" in done.stderr


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    """A real index of the fixture archive in two segments, one with a deleted document."""
    store = Store(tmp_path_factory.mktemp("internals"))
    build(FIXTURE, store, workers=1)
    ix = whoosh_index.open_dir(store.current())
    with ix.searcher() as searcher:
        first = next(iter(searcher.documents()))["id"]
    writer = ix.writer()
    writer.delete_by_term("id", first)
    writer.add_document(**document_of(read_archive(FIXTURE).events[0]))
    writer.commit(merge=False)
    with ix.reader() as reader:
        yield reader


def _one_by_one(matcher):
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return ids, weights


def test_postings_read_by_block_are_whooshs_postings(reader):
    segments = reader.leaf_readers()
    assert len(segments) == 2 and segments[0][0].has_deletions()
    checked = 0
    for segment, _ in segments:
        deleted = set(segment.segment().deleted_docs())
        for field in ("headline", "summary", "context", "tags"):
            for text in segment.lexicon(field):
                ids, weights = read_postings(segment, field, text, weights=True)
                live = [i for i, docnum in enumerate(ids) if docnum not in deleted]
                expected_ids, expected_weights = _one_by_one(segment.postings(field, text))
                assert ids[live].tolist() == expected_ids
                assert weights[live].tolist() == pytest.approx(expected_weights)
                checked += 1
    assert checked > 100


def test_postings_include_deleted_documents(reader):
    segment = reader.leaf_readers()[0][0]
    (deleted,) = segment.segment().deleted_docs()
    event_id = segment.stored_fields(deleted)["id"]
    assert read_postings(segment, "id", event_id)[0].tolist() == [deleted]
    assert _one_by_one(segment.postings("id", event_id)) == ([], [])


def test_field_length_bytes_are_whooshs_field_lengths(reader):
    for segment, _ in reader.leaf_readers():
        for field in ("headline", "summary", "context"):
            decoded = [byte_to_length(b) if b else 0 for b in field_length_bytes(segment, field)]
            expected = [segment.doc_field_length(n, field) or 0 for n in range(segment.doc_count_all())]
            assert decoded == expected and any(expected)


@pytest.mark.parametrize(
    ("text", "null"), [("AND OR (", True), ("a:b", True), ("syria", False), ('"prime minister"', False)]
)
def test_null_query_is_the_parsers_mark_of_broken_syntax(text, null):
    parsed = make_parser(make_schema()).parse(text)
    assert any(is_null_query(leaf) for leaf in parsed.leaves()) == null
    assert is_null_query(wq.NullQuery) and not is_null_query(wq.Term("headline", "syria"))


def test_worker_segments_become_the_index_in_one_commit(tmp_path):
    whoosh_index.create_in(tmp_path, make_schema())
    events = read_archive(FIXTURE).events
    ix = whoosh_index.open_dir(tmp_path)
    segments = []
    lock = ix.lock("WRITELOCK")
    assert lock.acquire()  # the parent holds the lock; workers write anyway
    for share in (events[:4], events[4:]):
        writer = worker_writer(whoosh_index.open_dir(tmp_path), limitmb=1)
        for event in share:
            writer.add_document(**document_of(event))
        segments.append(finalize_segment(writer))
    lock.release()
    assert whoosh_index.open_dir(tmp_path).doc_count() == 0  # nothing listed yet
    commit_segment_list(tmp_path, segments)
    with whoosh_index.open_dir(tmp_path).searcher() as searcher:
        assert searcher.doc_count() == len(events)
        assert len(searcher.reader().leaf_readers()) == 2
        ids = np.array(sorted(doc["id"] for doc in searcher.documents()))
    assert ids.tolist() == sorted(event.id for event in events)
