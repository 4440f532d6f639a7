"""The fields a KQL query (Kibana Query Language) names, and what it compares them with.

Understands what our saved objects write: ``field : value``, ``field : ("a" or "b")``,
``field >= value``, ``not``, ``and``, ``or`` and parentheses. Anything else (a nested
``field:{...}`` query, an unbalanced parenthesis, a field without a value) is a ValueError,
so a query the field check cannot read never passes it silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["KqlCondition", "KqlValue", "kql_conditions"]

_TOKEN = re.compile(
    r'\s*(?:(?P<string>"(?:[^"\\]|\\.)*")|(?P<op><=|>=|<|>|:)|(?P<paren>[()])|(?P<word>[^\s()":<>]+))'
)
CONNECTIVES = frozenset({"and", "or", "not"})


@dataclass(frozen=True)
class KqlValue:
    """A value a field is compared with; ``quoted`` when it was written in double quotes."""

    text: str
    quoted: bool


@dataclass(frozen=True)
class KqlCondition:
    """``field operator value(s)``: ``:`` for a match, ``<``, ``<=``, ``>``, ``>=`` for a range."""

    field: str
    operator: str
    values: tuple[KqlValue, ...]


def _tokens(query: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    while query[position:].strip():
        match = _TOKEN.match(query, position)
        if match is None or match.lastgroup is None:
            raise ValueError(f"cannot read the KQL query {query!r} at {position}")
        text = match[match.lastgroup]
        if "{" in text or "}" in text:
            raise ValueError(f"nested KQL queries are not understood: {query!r}")
        tokens.append((match.lastgroup, text))
        position = match.end()
    return tokens


def kql_conditions(query: str) -> list[KqlCondition]:
    """The conditions of ``query``, in order; ValueError when it cannot be read."""
    tokens = _tokens(query)
    conditions, depth, index = [], 0, 0
    while index < len(tokens):
        kind, text = tokens[index]
        if kind == "paren":
            depth += 1 if text == "(" else -1
            if depth < 0:
                raise ValueError(f"unbalanced parentheses in the KQL query {query!r}")
            index += 1
        elif kind == "word" and index + 1 < len(tokens) and tokens[index + 1][0] == "op":
            operator = tokens[index + 1][1]
            values, index = _values(tokens, index + 2, query)
            conditions.append(KqlCondition(text, operator, values))
        elif kind == "word" and text.lower() in CONNECTIVES:
            index += 1
        else:
            raise ValueError(f"{text!r} is not a condition in the KQL query {query!r}")
    if depth:
        raise ValueError(f"unbalanced parentheses in the KQL query {query!r}")
    return conditions


def _values(
    tokens: list[tuple[str, str]], index: int, query: str
) -> tuple[tuple[KqlValue, ...], int]:
    """The value(s) starting at ``index`` and the index after them."""
    if index >= len(tokens):
        raise ValueError(f"a field has no value in the KQL query {query!r}")
    kind, text = tokens[index]
    if kind != "paren":
        if kind not in ("string", "word"):
            raise ValueError(f"a field has no value in the KQL query {query!r}")
        return (_value(kind, text),), index + 1
    values = []
    index += 1
    while index < len(tokens) and tokens[index] != ("paren", ")"):
        kind, text = tokens[index]
        if kind == "string" or (kind == "word" and text.lower() not in CONNECTIVES):
            values.append(_value(kind, text))
        elif kind != "word":
            raise ValueError(f"cannot read a value list in the KQL query {query!r}")
        index += 1
    if index >= len(tokens) or not values:
        raise ValueError(f"cannot read a value list in the KQL query {query!r}")
    return tuple(values), index + 1


def _value(kind: str, text: str) -> KqlValue:
    return KqlValue(text[1:-1], quoted=True) if kind == "string" else KqlValue(text, quoted=False)
