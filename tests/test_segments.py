"""The parallel build's pieces: how days are shared out, and the segment writer."""

from functools import partial
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from search.archive import read_archive
from search.postings import PostingRecorder
from search.schema import document_of, make_schema
from search.segments import share_days
from search.whoosh_internals import BuildWriter

FIXTURE = Path(__file__).parent / "fixtures" / "archive"


@pytest.mark.parametrize(
    ("days", "parts", "expected"),
    [
        ([], 2, []),
        (
            ["news/2020/01/1", "news/2020/01/2", "news/2020/01/3"],
            1,
            [["news/2020/01/1", "news/2020/01/2", "news/2020/01/3"]],
        ),
        (
            ["news/2020/01/1", "news/2020/01/2", "news/2020/01/3", "news/2020/01/4"],
            2,
            [["news/2020/01/1", "news/2020/01/2"], ["news/2020/01/3", "news/2020/01/4"]],
        ),
        # "01/2" and "1/02" are one date: never split between two workers.
        (
            ["news/2020/01/1", "news/2020/01/2", "news/2020/1/02", "news/2020/01/3"],
            2,
            [["news/2020/01/1", "news/2020/01/2", "news/2020/1/02"], ["news/2020/01/3"]],
        ),
        (["news/2020/01/1"], 4, [["news/2020/01/1"]]),
    ],
)
def test_share_days(days, parts, expected):
    assert share_days(days, parts) == expected


def _segment_files(writer_class, generation: Path, limitmb: float = 128) -> dict[str, bytes]:
    generation.mkdir()
    whoosh_index.create_in(generation, make_schema())
    writer = writer_class(whoosh_index.open_dir(generation), compound=False, limitmb=limitmb)
    for event in read_archive(FIXTURE).events:
        writer.add_document(**document_of(event))
    writer.commit()
    # Segment files are named MAIN_<random id>.<part>: compare them part by part.
    return {path.name.split(".", 1)[1]: path.read_bytes() for path in generation.glob("MAIN_*.*")}


@pytest.mark.parametrize(
    "limitmb",
    [
        128,  # every posting in memory
        0.002,  # spilled to disk in dozens of runs
        0.0002,  # in hundreds: Whoosh merges some runs before the final merge
    ],
)
def test_build_writer_writes_the_same_segment_as_whoosh(tmp_path, limitmb):
    # As the build workers use it: recording the postings for the bulk arrays on the way.
    recorder = PostingRecorder()
    ours = _segment_files(partial(BuildWriter, watch=recorder.watch), tmp_path / "ours", limitmb)
    assert len(recorder.docs) > 100
    whoosh = _segment_files(SegmentWriter, tmp_path / "whoosh", limitmb)
    assert {"pst", "trm", "_headline_len.col"} <= ours.keys()
    assert ours == whoosh
