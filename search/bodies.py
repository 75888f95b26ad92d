"""Article bodies: read from their own column, one document at a time, by the event page only.

A result page loads the stored payload of every hit; the body of an archive
page can be megabytes, so it is kept out of the payload, in a compressed
column (``schema.BODY_FIELD``) that only ``SearchIndex.event`` reads.
"""

from __future__ import annotations

from whoosh.reading import IndexReader

from .schema import BODY_FIELD


class ArticleBodies:
    """The body column of every segment a reader sees, addressed by global document number."""

    def __init__(self, reader: IndexReader) -> None:
        # Opened now, with the searcher: an update that merges segments deletes the merged ones' files.
        self._segments = [
            (offset, sub.doc_count_all(), sub.column_reader(BODY_FIELD, translate=False))
            for sub, offset in reader.leaf_readers()
        ]

    def __getitem__(self, docnum: int) -> str:
        for offset, count, column in self._segments:
            if offset <= docnum < offset + count:
                return column[docnum - offset].decode("utf-8")
        raise IndexError(docnum)
