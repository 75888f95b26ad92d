"""Archive words within one or two edits of a word, found through a deletion index (SymSpell's).

A full edit set of a word is tens of thousands of strings at two edits. Here
every archive word's variants with up to one letter deleted (two, for words
of ``LONG_WORD`` letters or more) from its first ``PREFIX`` letters are hashed
into one sorted numpy array. Two words within d edits share a variant with at
most d letters deleted from each (a replacement is a deletion on both sides, a
swap of neighbouring letters a deletion of the same letter on both sides), and
so do their first ``PREFIX`` letters; a lookup hashes the word's own variants
(at most 29) and binary-searches them, then checks each candidate's real
distance. A swap of two neighbouring letters counts as one edit (optimal
string alignment distance), as Meilisearch counts it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import numpy as np

from .limits import MAX_SPELLING_WORD_CHARS, MAX_TYPO_LOOKUPS

PREFIX = 7  # letters of a word whose deletion variants are indexed (SymSpell's default prefix length)
LONG_WORD = 7  # words this long may lie two edits from a query word (of 9 letters or more)
LONGEST = MAX_SPELLING_WORD_CHARS + 2  # longer archive words are no correction of any query word
_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # an odd constant: the variants' polynomial hash


class TypoIndex:
    """The deletion variants of a word list, for finding the words near a word."""

    def __init__(self, words: Iterable[str]) -> None:
        self.words = sorted({word for word in words if 0 < len(word) <= LONGEST})
        self.lengths = np.array([len(word) for word in self.words], dtype=np.int8)
        codes = _codes(self.words)
        keys, ids = [], []
        for length in range(1, PREFIX + 1):
            for depth in (1, 2):
                within = np.flatnonzero(
                    (np.minimum(self.lengths, PREFIX) == length)
                    & ((self.lengths >= LONG_WORD) if depth == 2 else True)
                )
                if len(within):
                    for hashes in _variants(codes[within], length, depth, exactly=depth == 2):
                        keys.append(hashes)
                        ids.append(within)
        keys_all = np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint32)
        ids_all = np.concatenate(ids).astype(np.int32) if ids else np.zeros(0, dtype=np.int32)
        order = np.argsort(keys_all, kind="stable")
        self.keys, self.ids = keys_all[order], ids_all[order]

    def __len__(self) -> int:
        return len(self.words)

    @property
    def nbytes(self) -> int:
        """Memory held by the index's arrays (not counting the word list itself)."""
        return self.lengths.nbytes + self.keys.nbytes + self.ids.nbytes

    def near(self, word: str, distance: int) -> list[tuple[str, int]]:
        """The words within ``distance`` edits of ``word`` (not itself), with their distances, nearest first.

        At most ``MAX_TYPO_LOOKUPS`` words that share a variant with it are compared.
        """
        if not word or not self.words:
            return []
        length = min(len(word), PREFIX)
        hashes = np.unique(np.concatenate(list(_variants(_codes([word]), length, distance))))
        starts = np.searchsorted(self.keys, hashes, side="left")
        stops = np.searchsorted(self.keys, hashes, side="right")
        candidates = np.unique(np.concatenate([self.ids[a:b] for a, b in zip(starts, stops, strict=True)]))
        near_length = np.abs(self.lengths[candidates].astype(np.int32) - len(word)) <= distance
        found = []
        for candidate in (self.words[at] for at in candidates[near_length][:MAX_TYPO_LOOKUPS].tolist()):
            edits = edit_distance(word, candidate, distance)
            if 0 < edits <= distance:
                found.append((candidate, edits))
        return sorted(found, key=lambda pair: (pair[1], pair[0]))


def edit_distance(a: str, b: str, limit: int = 99) -> int:
    """Optimal string alignment distance: insertions, deletions, replacements, swaps of neighbours.

    Stops counting past ``limit`` (returns ``limit + 1``).
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, row = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            if before is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, row = row, current
    return row[-1]


def _codes(words: list[str]) -> np.ndarray:
    """Each word's first PREFIX characters as code points, zero-padded: one row per word."""
    cut = np.array([word[:PREFIX] for word in words], dtype=f"<U{PREFIX}")
    return np.frombuffer(cut.tobytes(), dtype=np.uint32).reshape(len(words), PREFIX).astype(np.uint64)


def _variants(codes: np.ndarray, length: int, depth: int, exactly: bool = False):
    """The hashes of each row's variants with up to ``depth`` of its first ``length`` letters deleted."""
    for deleted in range(depth if exactly else 0, depth + 1):
        for gone in itertools.combinations(range(length), deleted):
            kept = [at for at in range(PREFIX) if at not in gone]
            yield _hash(codes[:, kept])


def _hash(codes: np.ndarray) -> np.ndarray:
    """A polynomial hash of each row (its high 32 bits); trailing zeros (padding) leave it unchanged.

    Two variants that share a hash only make a candidate more to check.
    """
    hashes = np.zeros(len(codes), dtype=np.uint64)
    power = _MULTIPLIER  # not 1: every character, the first too, must reach the high bits
    with np.errstate(over="ignore"):
        for column in range(codes.shape[1]):
            hashes += codes[:, column] * power
            power *= _MULTIPLIER
    return (hashes >> np.uint64(32)).astype(np.uint32)
