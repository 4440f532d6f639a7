"""Matching brand terms in post text locally, for streams that cannot be searched server-side.

Text and terms are compared after NFKC normalisation, case folding and collapsing white
space, so ``ＨＯＳＨＩ　mobile`` and ``hoshi  MOBILE`` meet ``Hoshi Mobile`` and half-width
``ﾅﾐﾃﾚｺﾑ`` meets ``ナミテレコム``. A Latin term must stand as a word (``Nami`` does not match
``tsunami``); Japanese terms match anywhere. A term's exclusions veto that term's match.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core import fold
from crawlers.queries import SearchTerm

__all__ = ["TermMatcher", "normalize"]

_SPACE = re.compile(r"\s+")
_WORD_EDGE = re.compile(r"[0-9a-z]")


def normalize(text: str) -> str:
    """NFKC, case-folded, runs of white space as one space."""
    return _SPACE.sub(" ", fold(text)).strip()


def _pattern(phrase: str) -> re.Pattern[str]:
    body = re.escape(phrase)
    before = r"(?<![0-9a-z])" if _WORD_EDGE.fullmatch(phrase[0]) else ""
    after = r"(?![0-9a-z])" if _WORD_EDGE.fullmatch(phrase[-1]) else ""
    return re.compile(before + body + after)


@dataclass(frozen=True)
class _Rule:
    term: SearchTerm
    pattern: re.Pattern[str]
    exclusions: tuple[re.Pattern[str], ...]


class TermMatcher:
    """The first search term whose phrase is in a text and none of whose exclusions are."""

    def __init__(self, terms: Sequence[SearchTerm], extra: Iterable[SearchTerm] = ()) -> None:
        rules: dict[str, _Rule] = {}
        for term in [*terms, *extra]:
            phrase = normalize(term.phrase.lstrip("@"))
            if phrase and phrase not in rules:
                exclusions = tuple(_pattern(e) for e in map(normalize, term.exclusions) if e)
                rules[phrase] = _Rule(term, _pattern(phrase), exclusions)
        self._rules = list(rules.values())

    def __bool__(self) -> bool:
        return bool(self._rules)

    def match(self, text: str) -> SearchTerm | None:
        normalized = normalize(text)
        for rule in self._rules:
            if rule.pattern.search(normalized) and not any(
                e.search(normalized) for e in rule.exclusions
            ):
                return rule.term
        return None
