"""Language detection: script rules first, then py3langid restricted to the configured set.

Kana means Japanese and Hangul Korean, whatever else the post contains; Han-only text is
Japanese unless py3langid is very sure it is Chinese. Text with fewer than two letters once
links, @handles and emoji are removed (``"👍"``, ``"ok"`` is fine) is undetermined
(``"und"``) unless the source said which language it is. A low-confidence guess falls back
to the source's own language tag.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass

from py3langid import langid

UNDETERMINED = "und"
KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
NOISE = re.compile(r"https?://\S+|www\.\S+|[@＠][\w.\-]+|#")
LETTER = re.compile(r"[^\W\d_]")
CHINESE_CERTAINTY = 0.95


@dataclass(frozen=True)
class LanguageGuess:
    """A detected language (ISO 639-1, or ``und``) and how sure the detector was."""

    lang: str
    confidence: float


class LanguageDetector:
    """Detects the language of short social posts; build once, reuse (the model is in RAM)."""

    def __init__(self, languages: Iterable[str], min_confidence: float = 0.5) -> None:
        self.languages = tuple(dict.fromkeys(languages))
        if not self.languages:
            raise ValueError("at least one language is needed")
        self._min_confidence = min_confidence
        self._identifier = langid.LanguageIdentifier.from_model_file(
            langid.MODEL_FILE, norm_probs=True
        )
        self._han = copy.copy(self._identifier)  # shares the model (loading it takes ~0.5 s)
        self._han.set_languages(["ja", "zh"])
        usable = [code for code in self.languages if code in self._identifier.nb_classes]
        self._identifier.set_languages(usable or ["en"])

    def detect(self, text: str, hint: str | None = None) -> LanguageGuess:
        """The language of ``text``; ``hint`` is what the source said, if anything."""
        cleaned = NOISE.sub(" ", text)
        if KANA.search(cleaned):
            return LanguageGuess("ja", 1.0)
        if HANGUL.search(cleaned):
            return LanguageGuess("ko", 1.0)
        if len(LETTER.findall(cleaned)) < 2:
            return LanguageGuess(hint or UNDETERMINED, 0.0)
        if HAN.search(cleaned):
            if hint in ("ja", "zh"):
                return LanguageGuess(hint, 1.0)
            lang, probability = self._han.classify(cleaned)
            if lang == "zh" and probability >= CHINESE_CERTAINTY and "zh" in self.languages:
                return LanguageGuess("zh", float(probability))
            return LanguageGuess("ja", float(probability) if lang == "ja" else 0.5)
        lang, probability = self._identifier.classify(cleaned)
        if probability < self._min_confidence:
            return LanguageGuess(hint or UNDETERMINED, float(probability))
        return LanguageGuess(str(lang), float(probability))
