"""Brand matching: aliases in English and Japanese, exclusions, tagged or not.

Terms and exclusions are found by :mod:`nlp.brand_phrases` (spaCy and SudachiPy, after NFKC
normalisation, on casefolded token norms: ``ＨＯＳＨＩ``, ``HOSHI`` and ``hoshi`` match alike,
and Sudachi's normalised forms make ``ほしモバイル`` and ``星モバイル`` the same phrase); it loads
on the first match, so what only scores posts never loads spaCy (nor the torch it imports).
A brand match inside one of that brand's exclusion phrases (``hoshi tea``) does not count. A
mention is *tagged* for a brand when it addresses one of the brand's official handles
(``@hoshi_support``).

Tokenizers take bounded input: spaCy refuses texts over 1,000,000 characters and SudachiPy
over 49,149 bytes, so only the first :data:`MAX_TOKENIZED_BYTES` (UTF-8, after NFKC) of a
text are matched: a brand named only after that is not seen.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from config import BrandSettings
from core import BrandMatch, fold

if TYPE_CHECKING:
    from nlp.brand_phrases import BrandPhrases, Script

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
        self._loaded: BrandPhrases | None = None

    def match(self, text: str) -> list[BrandMatch]:
        """The brands ``text`` talks about, in configuration order."""
        script: Script = "ja" if CJK.search(text) else "en"
        found = self._phrases().find(script, _bounded(text, MAX_TOKENIZED_BYTES[script]))
        folded = fold(text)
        matches = []
        for index, brand in enumerate(self._brands):
            tagged = brand.handles is not None and brand.handles.search(folded) is not None
            if index in found or tagged:
                matches.append(
                    BrandMatch(
                        brand=brand.settings.name,
                        role=brand.role,
                        tagged=tagged,
                        terms=list(dict.fromkeys(found.get(index, []))),
                    )
                )
        return matches

    def _phrases(self) -> BrandPhrases:
        if self._loaded is None:
            from nlp.brand_phrases import BrandPhrases  # noqa: PLC0415 - spaCy loads on first use

            self._loaded = BrandPhrases(
                [[_normalized(t) for t in b.settings.terms] for b in self._brands],
                [[_normalized(e) for e in b.settings.exclusions] for b in self._brands],
            )
        return self._loaded


def _normalized(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _bounded(text: str, max_bytes: int) -> str:
    """``text`` after NFKC, cut to its first ``max_bytes`` UTF-8 bytes (whole characters)."""
    return _normalized(text).encode()[:max_bytes].decode(errors="ignore")


def _handle_pattern(handles: Sequence[str]) -> re.Pattern[str] | None:
    names = sorted({fold(h).lstrip("@") for h in handles if h.strip("@ ")}, key=len, reverse=True)
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(rf"(?<![\w.@])@(?:{alternatives})(?![\w])")
