"""Brand matching with spaCy: aliases in English and Japanese, exclusions, tagged or not.

Text with CJK characters is tokenized by ``spacy.blank("ja")`` (SudachiPy with
``sudachidict_core``), other text by ``spacy.blank("en")``, after NFKC normalisation; every
token's NORM is casefolded, so ``ＨＯＳＨＩ``, ``HOSHI`` and ``hoshi`` match alike, and Sudachi's
normalised forms make ``ほしモバイル`` and ``星モバイル`` the same phrase. A brand match inside
one of that brand's exclusion phrases (``hoshi tea``) does not count. A mention is *tagged*
for a brand when it addresses one of the brand's official handles (``@hoshi_support``).

Tokenizers take bounded input: spaCy refuses texts over 1,000,000 characters and SudachiPy
over 49,149 bytes, so only the first :data:`MAX_TOKENIZED_BYTES` (UTF-8, after NFKC) of a
text are matched: a brand named only after that is not seen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from config import BrandSettings
from core import BrandMatch, fold

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
MAX_TOKENIZED_BYTES = {"en": 1_000_000, "ja": 45_000}  # spaCy: 1e6 chars; Sudachi: 49,149 B


@dataclass(frozen=True)
class _Brand:
    settings: BrandSettings
    role: Literal["own", "competitor"]
    handles: re.Pattern[str] | None


class BrandMatcher:
    """Finds configured brands and competitors in post texts; build once, reuse."""

    def __init__(
        self, brands: Sequence[BrandSettings], competitors: Sequence[BrandSettings]
    ) -> None:
        self._brands = [_Brand(b, "own", _handle_pattern(b.handles)) for b in brands] + [
            _Brand(c, "competitor", _handle_pattern(c.handles)) for c in competitors
        ]
        self._tokenizers = {"en": spacy.blank("en"), "ja": spacy.blank("ja")}
        self._matchers = {
            script: self._build(nlp, exclusions=False) for script, nlp in self._tokenizers.items()
        }
        self._exclusions = {
            script: self._build(nlp, exclusions=True) for script, nlp in self._tokenizers.items()
        }

    def match(self, text: str) -> list[BrandMatch]:
        """The brands ``text`` talks about, in configuration order."""
        script = "ja" if CJK.search(text) else "en"
        doc = self._doc(self._tokenizers[script], text, MAX_TOKENIZED_BYTES[script])
        excluded: dict[int, list[tuple[int, int]]] = {}
        for key, start, end in self._exclusions[script](doc):
            excluded.setdefault(key, []).append((start, end))
        found: dict[int, list[str]] = {}
        for key, start, end in self._matchers[script](doc):
            if any(s <= start and end <= e for s, e in excluded.get(key, [])):
                continue
            found.setdefault(key, []).append(doc[start:end].text)
        folded = fold(text)
        matches = []
        for index, brand in enumerate(self._brands):
            key = self._key(index)
            tagged = brand.handles is not None and brand.handles.search(folded) is not None
            if key in found or tagged:
                matches.append(
                    BrandMatch(
                        brand=brand.settings.name,
                        role=brand.role,
                        tagged=tagged,
                        terms=list(dict.fromkeys(found.get(key, []))),
                    )
                )
        return matches

    def _build(self, nlp: Language, *, exclusions: bool) -> PhraseMatcher:
        matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        for index, brand in enumerate(self._brands):
            phrases = brand.settings.exclusions if exclusions else brand.settings.terms
            if phrases:
                matcher.add(self._label(index), [self._doc(nlp, p) for p in phrases])
        return matcher

    def _label(self, index: int) -> str:
        return f"brand-{index}"

    def _key(self, index: int) -> int:
        return int(self._tokenizers["en"].vocab.strings.add(self._label(index)))

    @staticmethod
    def _doc(nlp: Language, text: str, max_bytes: int | None = None) -> Doc:
        normalized = unicodedata.normalize("NFKC", text)
        if max_bytes is not None:
            normalized = normalized.encode()[:max_bytes].decode(errors="ignore")
        doc = nlp.make_doc(normalized)
        for token in doc:
            token.norm_ = fold(token.norm_)
        return doc


def _handle_pattern(handles: Sequence[str]) -> re.Pattern[str] | None:
    names = sorted({fold(h).lstrip("@") for h in handles if h.strip("@ ")}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(rf"(?<![\w.@])@(?:{alternatives})(?![\w])")
