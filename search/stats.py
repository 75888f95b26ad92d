"""Figures about an index: what ``eventsearch stats`` prints."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .searching import SearchIndex


def index_stats(index_dir: Path) -> dict:
    """Events, days, distinct tags, date span, events per language and skipped files of the live index."""
    index = SearchIndex(index_dir)
    columns = index.columns
    live = columns.live
    docs, values = columns.multi["tags"]
    languages = columns.single["language"][live]
    per_language = np.bincount(languages[languages >= 0], minlength=len(columns.vocab["language"]))
    span = index.span()
    manifest = index.store.manifest()
    index.close()
    return {
        "events": int(live.sum()),
        "days": len(np.unique(columns.days[live])),
        "distinct_tags": len(np.unique(values[live[docs]])),
        "first_day": span[0].isoformat() if span else None,
        "last_day": span[1].isoformat() if span else None,
        "languages": {
            name: int(count)
            for name, count in zip(columns.vocab["language"], per_language, strict=False)
            if count
        },
        "content_dir": manifest.get("content_dir"),
        "git_commit": manifest.get("git_commit"),
        "built_at": manifest.get("built_at"),
        "updated_at": manifest.get("updated_at"),
        "skipped": manifest.get("skipped", {}),
    }
