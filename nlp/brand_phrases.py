"""Brand terms in a text: phrases of token norms, found behind an exact pre-filter.

Text with CJK characters is cut by SudachiPy (split mode A, ``sudachidict_core``) into the
tokens ``spacy.blank("ja")`` makes (the same alignment of morphemes with the text and its
whitespace), without the tags, lemmas and readings that tokenizer also computes. Other text is
tokenized by ``spacy.blank("en")``. A token's norm is Sudachi's normalised form (Japanese) or
spaCy's NORM (English), casefolded, so ``ＨＯＳＨＩ``, ``HOSHI`` and ``hoshi`` match alike and
``ほしモバイル`` is ``星モバイル``. A phrase (a term or an exclusion, tokenized the same way)
matches where its norms occur in a row, as spaCy's ``PhraseMatcher`` on ``NORM`` would find it,
but on the list of norms: no ``Doc`` is built and no norm enters a vocabulary.

The pre-filter: a term can only match where a token's norm is the norm of the term's first
token, so a text without such a token is skipped before any phrase is looked up. It reads the
very tokens the phrases are matched on, so it skips no match; a test of the text's surface
could (Sudachi reads ほし as 星, spaCy's English norms turn ’s into 's).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

import spacy
from spacy.attrs import NORM
from sudachipy import Dictionary, SplitMode

from core import fold

Script = Literal["en", "ja"]
SCRIPTS: tuple[Script, ...] = ("en", "ja")
BLANK = "空白"  # Sudachi's part of speech for whitespace
FOLDED_NORMS_CACHED = 65_536  # distinct norms whose casefolded form is kept


@dataclass(frozen=True)
class Tokens:
    """A text's tokens as the phrases are matched on them."""

    norms: list[str]  # casefolded
    text_of: Callable[[int, int], str]  # the text of tokens start..end-1, as written


class BrandPhrases:
    """Finds each brand's terms, outside its exclusions, in normalised texts; build once."""

    def __init__(self, terms: Sequence[Sequence[str]], exclusions: Sequence[Sequence[str]]) -> None:
        """``terms[i]`` and ``exclusions[i]``: the phrases of brand ``i`` (NFKC-normalised)."""
        self._english = spacy.blank("en")
        self._sudachi = Dictionary().tokenizer(mode=SplitMode.A)  # as spacy.blank("ja") cuts
        strings = self._english.vocab.strings
        self._english_norm = functools.lru_cache(FOLDED_NORMS_CACHED)(
            lambda key: fold(str(strings[key]))
        )
        self._folded = functools.lru_cache(FOLDED_NORMS_CACHED)(fold)
        self._terms = {script: self._phrases(script, terms) for script in SCRIPTS}
        self._exclusions = {script: self._phrases(script, exclusions) for script in SCRIPTS}

    def find(self, script: Script, text: str) -> dict[int, list[str]]:
        """The terms (as written) of each brand, by brand index, found in ``text``."""
        tokens = self.tokens(script, text)
        terms = self._terms[script]
        if terms.first_norms.isdisjoint(tokens.norms):
            return {}
        excluded: dict[int, list[tuple[int, int]]] = {}
        for brand, start, end in self._exclusions[script].occurrences(tokens.norms):
            excluded.setdefault(brand, []).append((start, end))
        found: dict[int, list[str]] = {}
        for brand, start, end in terms.occurrences(tokens.norms):
            if any(s <= start and end <= e for s, e in excluded.get(brand, [])):
                continue
            found.setdefault(brand, []).append(tokens.text_of(start, end))
        return found

    def tokens(self, script: Script, text: str) -> Tokens:
        """The tokens of ``text`` that the ``script`` phrases are matched on."""
        if script == "en":
            doc = self._english.make_doc(text)
            return Tokens(
                [self._english_norm(int(norm)) for norm in doc.to_array(NORM)],
                lambda start, end: doc[start:end].text,
            )
        words, spaces, norms = self._japanese(text)
        return Tokens(
            [self._folded(norm) for norm in norms],
            functools.partial(_joined, words, spaces),
        )

    def _japanese(self, text: str) -> tuple[list[str], list[bool], list[str]]:
        """Words, whether one space follows each, and norms, as ``spacy.blank("ja")`` makes
        them: Sudachi's morphemes (empty ones dropped, a run of whitespace morphemes as its
        first one) aligned with the text, its whitespace kept as gap tokens or a word's one
        trailing space (spaCy's ``get_dtokens_and_spaces``)."""
        morphemes: list[tuple[str, str]] = []  # (surface, normalised form)
        previous_blank = False
        for morpheme in self._sudachi.tokenize(text):
            surface = morpheme.surface()
            if not surface:
                continue
            tag = ""
            if surface.isspace():
                tag = "-".join(part for part in morpheme.part_of_speech()[:4] if part != "*")
            blank = tag == BLANK
            if not (blank and previous_blank):
                morphemes.append((surface, morpheme.normalized_form()))
            previous_blank = blank
        words: list[str] = []
        spaces: list[bool] = []
        norms: list[str] = []

        def add(word: str, norm: str) -> None:
            words.append(word)
            spaces.append(False)
            norms.append(norm)

        if morphemes and all(surface.isspace() for surface, _ in morphemes):
            add(text, text)
            return words, spaces, norms
        position = 0
        for index, (surface, norm) in enumerate(morphemes):
            if surface.isspace():
                continue
            start = text.index(surface, position)
            if start > position:
                add(text[position:start], text[position:start])
            add(surface, norm)
            position = start + len(surface)
            if index + 1 < len(morphemes) and morphemes[index + 1][0] == " ":
                spaces[-1] = True
                position += 1
        if position < len(text):
            add(text[position:], text[position:])
        return words, spaces, norms

    def _phrases(self, script: Script, phrases: Sequence[Sequence[str]]) -> PhraseTable:
        return PhraseTable(
            [[tuple(self.tokens(script, phrase).norms) for phrase in brand] for brand in phrases]
        )


class PhraseTable:
    """Phrases (tuples of norms) by brand, looked up at each position of a text's norms."""

    def __init__(self, phrases: Sequence[Sequence[tuple[str, ...]]]) -> None:
        """``phrases[i]``: the phrases of brand ``i``."""
        self._brands: dict[tuple[str, ...], list[int]] = {}
        for brand, brand_phrases in enumerate(phrases):
            for phrase in brand_phrases:
                if not phrase:  # no tokens: nothing to find
                    continue
                brands = self._brands.setdefault(phrase, [])
                if brand not in brands:
                    brands.append(brand)
        self._lengths = sorted({len(phrase) for phrase in self._brands})
        self.first_norms = frozenset(phrase[0] for phrase in self._brands)

    def occurrences(self, norms: Sequence[str]) -> Iterator[tuple[int, int, int]]:
        """(brand, start, end) of every phrase in ``norms``, overlapping ones included, by
        start, then length, then brand."""
        for start, norm in enumerate(norms):
            if norm not in self.first_norms:
                continue
            for length in self._lengths:
                if start + length > len(norms):
                    break
                for brand in self._brands.get(tuple(norms[start : start + length]), []):
                    yield brand, start, start + length


def _joined(words: Sequence[str], spaces: Sequence[bool], start: int, end: int) -> str:
    """The text of words ``start..end-1``: each followed by its space, but the last."""
    pieces = zip(words[start:end], spaces[start:end], strict=True)
    text = "".join(word + " " * space for word, space in pieces)
    return text[:-1] if spaces[end - 1] else text
