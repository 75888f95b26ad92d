"""Analyzers: one text analyzer for English and Chinese, one for exact facet values.

Chinese has no spaces between words, so CJK runs are indexed as overlapping
character bigrams: a query of two or more characters becomes a phrase of
bigrams and finds exactly the texts that contain it (measured against a word
segmenter in ``bench/zh_analyzer.py``). Latin-script words are case- and
accent-folded, stop-worded and stemmed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from whoosh.analysis import (
    Composable,
    CompositeAnalyzer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    StripFilter,
    Token,
    Tokenizer,
)
from whoosh.analysis.filters import Filter

from .text import CJK_CHARS, strip_accents, to_simplified

_WORD = re.compile(rf"[{CJK_CHARS}]+|[^\W_{CJK_CHARS}]+(?:['’][^\W_{CJK_CHARS}]+)*")
_CJK_RUN = re.compile(rf"^[{CJK_CHARS}]")
FACET_SEPARATOR = "\x1f"  # joins several facet values in one indexed string
_FACET_VALUE = re.compile(rf"[^{FACET_SEPARATOR}]+")


class MixedTokenizer(Tokenizer):
    """Words for Latin script, overlapping bigrams for CJK runs (a lone character stays a unigram)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MixedTokenizer)

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for match in _WORD.finditer(value):
            word, start = match.group(), match.start()
            pieces = _bigrams(word) if _CJK_RUN.match(word) else [(_without_possessive(word), 0)]
            for text, offset in pieces:
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = text
                if positions:
                    token.pos = pos
                    pos += 1
                if chars:
                    token.startchar = start_char + start + offset
                    token.endchar = token.startchar + len(text)
                yield token


def _without_possessive(word: str) -> str:
    """The word with a straight apostrophe and without a possessive "'s": "Japan’s" is "Japan".

    The stemmer would keep the apostrophe ("japan'"), so "japan" would miss it.
    Other apostrophes stay inside the word ("Kata'ib", "O'Neill").
    """
    word = word.replace("’", "'")
    return word[:-2] if word[-2:] in ("'s", "'S") else word


def _bigrams(run: str) -> list[tuple[str, int]]:
    if len(run) == 1:
        return [(run, 0)]
    return [(run[i : i + 2], i) for i in range(len(run) - 1)]


class FoldFilter(Filter):
    """Normalise, strip accents, simplify Chinese: "Nicolás" finds "Nicolas", "俄罗斯" finds "俄羅斯"."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FoldFilter)

    def __call__(self, tokens):
        for token in tokens:
            token.text = to_simplified(strip_accents(token.text))
            yield token


class _IndexMemo(CompositeAnalyzer):
    """A Whoosh analyzer chain that remembers what it made of each distinct word when indexing.

    A build runs the chain over every word of the archive, tens of millions at
    1M events, but only a few hundred thousand are distinct; each goes through
    the chain once. Queries and highlighting (which ask for character offsets or
    stop words) take the chain itself. The memo is not part of the pickled schema.
    """

    MAX_WORDS = 500_000  # then start afresh, to bound memory

    def __init__(self, *composables) -> None:
        super().__init__(*composables)
        self._memo: dict[str, tuple] = {}
        self._span_memo: dict[str, tuple] = {}

    def __getstate__(self) -> dict:
        return {"items": self.items}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._memo, self._span_memo = {}, {}

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        mode="",
        no_morph=False,
        **kwargs,
    ):
        if mode != "index" or chars or keeporiginal or not removestops or start_pos or no_morph:
            return super().__call__(
                value,
                positions=positions,
                chars=chars,
                keeporiginal=keeporiginal,
                removestops=removestops,
                start_pos=start_pos,
                start_char=start_char,
                mode=mode,
                no_morph=no_morph,
                **kwargs,
            )
        return self._index_tokens(value, positions)

    def _terms(self, word: str) -> tuple:
        """The chain's output for one word: a term per token, None where the chain stops it."""
        terms = self._memo.get(word)
        if terms is None:
            if len(self._memo) >= self.MAX_WORDS:
                self._memo.clear()
            chain = super().__call__(word, removestops=False, mode="index")
            terms = self._memo[word] = tuple(None if token.stopped else token.text for token in chain)
        return terms

    def _index_tokens(self, value: str, positions: bool):
        """The tokens the chain would give ``value`` for indexing, made from the memo (per subclass)."""
        raise NotImplementedError


class TextAnalyzer(_IndexMemo):
    """Stemmed English plus CJK bigrams: for headlines and summaries."""

    def __init__(self) -> None:
        # No stemming cache: the memo already remembers each word's stem.
        super().__init__(
            MixedTokenizer(), LowercaseFilter(), FoldFilter(), StopFilter(), StemFilter(cachesize=0)
        )

    def __call__(self, value, removestops=True, mode="", **kwargs):
        if mode == "query" and removestops:
            # One Chinese character is too short to index, yet a fine query: keep it,
            # and the search answers it from the bigrams that contain it (characters.py).
            return _keep_lone_cjk(super().__call__(value, removestops=False, mode=mode, **kwargs))
        return super().__call__(value, removestops=removestops, mode=mode, **kwargs)

    def term_spans(self, value: str, terms: set[str] | None = None) -> Iterator[tuple[str, int, int]]:
        """(text, start, end) of every token of ``value``, stop words too: the chain's ``chars=True`` tokens.

        Only those whose text is in ``terms``, if given; in order, as the caller reads on (highlighting
        a long summary stops once past what it shows). Highlighting asks this of every hit's headline
        and summary: each distinct word goes through the chain once (``_span_memo``), not once per hit.
        """
        memo = self._span_memo
        for match in _WORD.finditer(value):
            word = match.group()
            spans = memo.get(word)
            if spans is None:
                if len(memo) >= self.MAX_WORDS:
                    memo.clear()
                spans = memo[word] = self._word_spans(word)
            for text, begin, end in spans:
                if terms is None or text in terms:
                    yield text, match.start() + begin, match.start() + end

    def _word_spans(self, word: str) -> tuple[tuple[str, int, int], ...]:
        """The chain's tokens of one word (a CJK run: its bigrams), with their characters in the word."""
        pieces = _bigrams(word) if _CJK_RUN.match(word) else [(_without_possessive(word), 0)]
        chain = super().__call__  # (not in the comprehension: super() needs the method's own scope)
        return tuple(
            (token.text, offset, offset + len(piece))
            for piece, offset in pieces
            for token in chain(piece, chars=True, positions=False, removestops=False)
        )

    def _index_tokens(self, value: str, positions: bool):
        # Same tokens and positions as the chain: StopFilter(renumber=True) keeps the
        # first kept token's position and numbers the following ones consecutively.
        token = Token(positions, False, removestops=True, mode="index")
        token.boost, token.stopped = 1.0, False
        pos, index = None, 0
        for word in _WORD.findall(value):
            for piece in _memo_pieces(word):
                for term in self._terms(piece):
                    if term is not None:
                        pos = index if pos is None else pos + 1
                        token.text, token.pos = term, pos
                        yield token
                    index += 1


def is_lone_cjk(text: str) -> bool:
    """True for a single CJK character (what the text analyzer cannot index alone)."""
    return len(text) == 1 and _CJK_RUN.match(text) is not None


def _keep_lone_cjk(tokens):
    for token in tokens:
        if token.stopped and is_lone_cjk(token.text):
            token.stopped = False
        if not token.stopped:
            yield token


def _memo_pieces(word: str) -> list[str]:
    """What to remember the analysis of: the word, or the bigrams of a CJK run (rarely seen twice)."""
    if len(word) > 2 and _CJK_RUN.match(word):
        return [word[i : i + 2] for i in range(len(word) - 1)]
    return [word]


class LatinOnlyFilter(Filter):
    """Drops CJK tokens: nothing is stemmed there, so a word as typed says nothing more."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LatinOnlyFilter)

    def __call__(self, tokens):
        for token in tokens:
            if not _CJK_RUN.match(token.text):
                yield token


class ExactAnalyzer(TextAnalyzer):
    """The words as written, lower-cased and folded but not stemmed, stop words kept; no CJK."""

    def __init__(self) -> None:
        # CJK is dropped as the tokenizer made it: folded to Simplified, a rare character can leave the range.
        _IndexMemo.__init__(self, MixedTokenizer(), LatinOnlyFilter(), LowercaseFilter(), FoldFilter())

    def _index_tokens(self, value: str, positions: bool):
        # The chain's terms (its field keeps no positions). CJK runs are skipped before the chain:
        # folding them to Simplified costs, and the chain would drop them anyway.
        token = Token(positions, False, removestops=True, mode="index")
        token.boost, token.stopped = 1.0, False
        for pos, word in enumerate(w for w in _WORD.findall(value) if not _CJK_RUN.match(w)):
            for term in self._terms(word):
                token.text, token.pos = term, pos
                yield token


def typed_forms(text: str, stemmed: TextAnalyzer, exact: ExactAnalyzer) -> dict[str, frozenset[str]]:
    """Each term of the query text (a stem) and the words that make it as they were typed.

    "killed kills" gives {"kill": {"killed", "kills"}}: the ranking's exactness bonus (scoring.py)
    goes to a headline that has a word as typed, not only its stem.
    """
    forms: dict[str, set[str]] = {}
    for word in _WORD.findall(text):
        if _CJK_RUN.match(word):
            continue  # nothing is stemmed there
        # The analyzers' memos of each word's terms: what their chains make of it, stop words as None.
        stems = [term for term in stemmed._terms(word) if term is not None]
        exacts = [term for term in exact._terms(word) if term is not None]
        if len(stems) == len(exacts):  # else a stop word
            for stem, form in zip(stems, exacts, strict=True):
                forms.setdefault(stem, set()).add(form)
    return {stem: frozenset(words) for stem, words in forms.items()}


class FacetAnalyzer(_IndexMemo):
    """Whole facet values ("Syrian Civil War"), case-folded, several per field."""

    def __init__(self) -> None:
        super().__init__(RegexTokenizer(_FACET_VALUE.pattern), StripFilter(), LowercaseFilter(), FoldFilter())

    def _index_tokens(self, value: str, positions: bool):
        token = Token(positions, False, removestops=True, mode="index")
        token.boost, token.stopped = 1.0, False
        for pos, piece in enumerate(_FACET_VALUE.findall(value)):
            for term in self._terms(piece):
                token.text, token.pos = term, pos
                yield token


def text_analyzer() -> Composable:
    """Stemmed English plus CJK bigrams: for headlines and summaries."""
    return TextAnalyzer()


def exact_analyzer() -> Composable:
    """The words as written (lower-cased, folded, not stemmed): the headline's exact words."""
    return ExactAnalyzer()


def facet_analyzer() -> Composable:
    """Whole facet values ("Syrian Civil War"), case-folded, several per field."""
    return FacetAnalyzer()


def fold_value(value: str) -> str:
    """A facet value as the facet analyzer indexes it."""
    return next((token.text for token in facet_analyzer()(value)), "")
