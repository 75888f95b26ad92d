"""What stands out in a set of events: values much more common in it than in a background set.

Elasticsearch's ``significant_terms`` default, the JLH score, computed for
every value at once with numpy. For a value seen in ``fg`` of the ``fg_size``
events of the set and in ``bg`` of the ``bg_size`` events of the background
(the whole archive, which contains the set)::

    fg_p = fg / fg_size        bg_p = bg / bg_size
    jlh  = (fg_p - bg_p) * (fg_p / bg_p)      when fg_p > bg_p, else 0

The absolute change favours values that cover much of the set; the relative
change favours values the rest of the archive rarely has: the big tags that
are in every result set score low, the story's own tags high. A value must be
in at least ``MIN_COUNT`` events of the set, as in Elasticsearch
(``min_doc_count``): with fewer, one stray event would stand out.
"""

from __future__ import annotations

import numpy as np

MIN_COUNT = 3  # Elasticsearch's min_doc_count default: two events are chance, not a pattern


def jlh(fg: np.ndarray, fg_size: int, bg: np.ndarray, bg_size: int) -> np.ndarray:
    """The JLH score of every value (0 where it is not more common in the set than in the background)."""
    if not fg_size or not bg_size:
        return np.zeros(len(fg))
    fg_p = fg / fg_size
    bg_p = np.maximum(bg, 1) / bg_size  # as Elasticsearch: a value unseen in the background counts once
    return np.where(fg_p > bg_p, (fg_p - bg_p) * (fg_p / bg_p), 0.0)


def significant(
    fg: np.ndarray,
    fg_size: int,
    bg: np.ndarray,
    bg_size: int,
    limit: int,
    order: np.ndarray,
    exclude: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The ids of the ``limit`` most significant values and their scores, best first.

    Only values in at least MIN_COUNT events of the set, scoring above 0, not in
    ``exclude`` (ids: the values the set was selected by) are listed. Equal
    scores go by ``order`` (each id's rank by name), so any index of the same
    content lists the same values.
    """
    bg = bg[: len(fg)] if len(bg) >= len(fg) else np.pad(bg, (0, len(fg) - len(bg)))
    candidates = np.flatnonzero(fg >= MIN_COUNT)
    if exclude is not None and len(exclude):
        candidates = candidates[~np.isin(candidates, exclude)]
    scores = jlh(fg[candidates], fg_size, bg[candidates], bg_size)
    keep = scores > 0
    candidates, scores = candidates[keep], scores[keep]
    ranked = np.lexsort((order[candidates], -scores))[:limit]
    return candidates[ranked], scores[ranked]
