"""The one comparison form of brand names, terms and handles across the stages."""

from __future__ import annotations

import unicodedata

__all__ = ["fold"]


def fold(text: str) -> str:
    """NFKC (full-width to ASCII, half-width kana to full width), then case-folded."""
    return unicodedata.normalize("NFKC", text).casefold()
