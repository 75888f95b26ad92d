"""Why a hit ranks where it does: its score taken apart, after Elasticsearch's ``explain``.

An explanation is a tree of values, each with what it is and what it is made
of; a hit's root is its score. ``scoring.Scorer.explain`` builds them from the
same arrays the ranking sums, for the hits of one page only; the JSON API,
``eventsearch search --explain`` and the search page show them.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class Explanation:
    """One value of a score and what it is made of."""

    value: float
    description: str
    details: list[Explanation] = dataclasses.field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "value": round(float(self.value), 4),
            "description": self.description,
            "details": [detail.to_json() for detail in self.details],
        }

    def lines(self, depth: int = 0) -> list[str]:
        """The tree as indented text lines (the CLI's form)."""
        lines = [f"{'  ' * depth}{self.value:.3f}  {self.description}"]
        for detail in self.details:
            lines += detail.lines(depth + 1)
        return lines


@dataclasses.dataclass
class HitExplanation:
    """Which of the query's words each field of a hit holds, and its score taken apart."""

    matched: dict[str, list[str]]  # field -> the query's terms found there, in query order
    score: Explanation

    def to_json(self) -> dict:
        return {"matched": self.matched, "score": self.score.to_json()}

    def lines(self) -> list[str]:
        found = "; ".join(f"{field}: {', '.join(terms)}" for field, terms in self.matched.items())
        return [f"matched  {found or 'no words (filters only)'}", *self.score.lines()]
