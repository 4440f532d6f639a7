"""Brand terms in a text: spaCy PhraseMatchers over token norms, behind an exact pre-filter.

Text with CJK characters is cut by SudachiPy (split mode A, ``sudachidict_core``) into the
tokens ``spacy.blank("ja")`` makes (its own ``get_dtokens_and_spaces`` aligns them with the
text), without the tags, lemmas and readings that tokenizer also computes: that bookkeeping
took three quarters of its time. Other text is tokenized by ``spacy.blank("en")``. A token's
norm is Sudachi's normalised form (Japanese) or spaCy's NORM (English), casefolded, so
``ＨＯＳＨＩ``, ``HOSHI`` and ``hoshi`` match alike and ``ほしモバイル`` is ``星モバイル``.

The pre-filter: a term can only match where a token's norm is the norm of the term's first
token, so a text without such a token is skipped before its Doc is built and the matchers
run. It reads the very tokens the matchers would read, so it skips no match; a test of the
text's surface could (Sudachi reads ほし as 星, spaCy's English norms turn ’s into 's).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import spacy
from spacy.attrs import NORM
from spacy.lang.ja import DetailedToken, get_dtokens_and_spaces
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from sudachipy import Dictionary, SplitMode

from core import fold

Script = Literal["en", "ja"]
BLANK = "空白"  # Sudachi's part of speech for whitespace


class BrandPhrases:
    """Finds each brand's terms, outside its exclusions, in normalised texts; build once."""

    def __init__(self, terms: Sequence[Sequence[str]], exclusions: Sequence[Sequence[str]]) -> None:
        """``terms[i]`` and ``exclusions[i]``: the phrases of brand ``i`` (NFKC-normalised)."""
        self._english = spacy.blank("en")
        self._sudachi = Dictionary().tokenizer(mode=SplitMode.A)  # as spacy.blank("ja") cuts
        self._labels = [f"brand-{index}" for index in range(len(terms))]
        self._brand_of = {
            self._english.vocab.strings.add(label): index
            for index, label in enumerate(self._labels)
        }
        self._terms = {script: self._matcher(script, terms) for script in ("en", "ja")}
        self._exclusions = {script: self._matcher(script, exclusions) for script in ("en", "ja")}
        self._first_norms = {
            script: {
                norms[0]
                for phrases in terms
                for phrase in phrases
                if (norms := self._tokenized(script, phrase)[1])
            }
            for script in ("en", "ja")
        }

    def find(self, script: Script, text: str) -> dict[int, list[str]]:
        """The terms (as written) of each brand, by brand index, found in ``text``."""
        make_doc, norms = self._tokenized(script, text)
        if self._first_norms[script].isdisjoint(norms):
            return {}
        return self._matched(script, self._with_norms(make_doc(), norms))

    def doc(self, script: Script, text: str) -> Doc:
        """The Doc of ``text`` that the ``script`` matchers read (NORMs casefolded)."""
        make_doc, norms = self._tokenized(script, text)
        return self._with_norms(make_doc(), norms)

    def _tokenized(self, script: Script, text: str) -> tuple[Callable[[], Doc], list[str]]:
        """How to make the Doc of ``text`` that the ``script`` matchers read, and its tokens'
        casefolded norms (the Doc waits until the pre-filter asks for it)."""
        if script == "en":
            doc = self._english.make_doc(text)
            strings = self._english.vocab.strings
            return lambda: doc, [fold(strings[int(norm)]) for norm in doc.to_array(NORM)]
        aligned, spaces = get_dtokens_and_spaces(  # type: ignore[no-untyped-call]
            self._japanese(text), text
        )
        words = [token.surface for token in aligned]
        return lambda: Doc(self._english.vocab, words=words, spaces=spaces), [
            fold(token.norm) for token in aligned
        ]

    def _japanese(self, text: str) -> list[DetailedToken]:
        """Sudachi's morphemes as ``spacy.blank("ja")`` keeps them: empty ones dropped, a run of
        whitespace morphemes kept as its first one (the alignment puts the rest back)."""
        tokens: list[DetailedToken] = []
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
                tokens.append(
                    DetailedToken(surface, tag, "", surface, morpheme.normalized_form(), None, None)
                )
            previous_blank = blank
        return tokens

    def _with_norms(self, doc: Doc, norms: Sequence[str]) -> Doc:
        strings = self._english.vocab.strings
        ids = np.array([strings.add(norm) for norm in norms], dtype=np.uint64)
        doc.from_array([NORM], ids.reshape(-1, 1))  # type: ignore[arg-type] # thinc's Ints2d
        return doc

    def _matcher(self, script: Script, phrases: Sequence[Sequence[str]]) -> PhraseMatcher:
        matcher = PhraseMatcher(self._english.vocab, attr="NORM")
        for label, brand_phrases in zip(self._labels, phrases, strict=True):
            if brand_phrases:
                matcher.add(label, [self.doc(script, p) for p in brand_phrases])
        return matcher

    def _matched(self, script: Script, doc: Doc) -> dict[int, list[str]]:
        excluded: dict[int, list[tuple[int, int]]] = {}
        for key, start, end in self._exclusions[script](doc):
            excluded.setdefault(key, []).append((start, end))
        found: dict[int, list[str]] = {}
        for key, start, end in self._terms[script](doc):
            if any(s <= start and end <= e for s, e in excluded.get(key, [])):
                continue
            found.setdefault(self._brand_of[key], []).append(doc[start:end].text)
        return found
