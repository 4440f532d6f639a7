"""The search terms a crawl asks a source for, built from the brand configuration."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from config import BrandSettings
from core import fold

__all__ = ["SearchTerm", "hashtag", "hashtags", "search_terms"]

_NOT_TAG = re.compile(r"[^\w]+")


@dataclass(frozen=True)
class SearchTerm:
    """One query: the phrase, the brand it is for, and the phrases to exclude with it."""

    phrase: str
    brand: str
    exclusions: tuple[str, ...] = ()

    def quoted(self) -> str:
        """The phrase for engines that take quotes for exact phrases."""
        return f'"{self.phrase}"' if " " in self.phrase else self.phrase

    def with_exclusions(self) -> str:
        """``"phrase" -"excluded phrase"`` for engines with a minus operator."""
        minus = " ".join(f'-"{e}"' if " " in e else f"-{e}" for e in self.exclusions)
        return f"{self.quoted()} {minus}".strip()


def search_terms(brands: Sequence[BrandSettings], explicit: Sequence[str] = ()) -> list[SearchTerm]:
    """One term per brand name and alias (case-insensitive duplicates dropped), or the
    source's explicit ``queries`` when it has them."""
    if explicit:
        return [SearchTerm(q, brand="") for q in dict.fromkeys(explicit)]
    terms: dict[str, SearchTerm] = {}
    for brand in brands:
        for phrase in brand.terms:
            key = fold(phrase)
            terms.setdefault(key, SearchTerm(phrase, brand.name, tuple(brand.exclusions)))
    return list(terms.values())


def hashtags(brands: Sequence[BrandSettings], explicit: Sequence[str] = ()) -> list[str]:
    """Hashtags for tag timelines: each name/alias without spaces or punctuation, lowercase."""
    if explicit:
        return list(dict.fromkeys(explicit))
    tags = (hashtag(t) for b in brands for t in b.terms)
    return list(dict.fromkeys(t for t in tags if t))


def hashtag(phrase: str) -> str:
    """A phrase as a hashtag: NFKC, without spaces or punctuation, lowercase ('' if none)."""
    return _NOT_TAG.sub("", unicodedata.normalize("NFKC", phrase)).casefold()
