"""Topic keywords: whole words in Latin script, substrings in CJK, any keyword of a topic."""

from __future__ import annotations

import pytest

from nlp.topics import keyword_pattern


@pytest.mark.parametrize(
    ("keywords", "text", "matches"),
    [
        (["app", "apple"], "apps and apples", False),  # neither as a whole word
        (["app", "apple"], "my apple", True),  # the longer keyword, after the shorter failed
        (["app", "apple"], "the app.", True),
        (["log in", "login"], "can't log in today", True),
        (["log in", "login"], "blogin", False),
        (["配達", "delivery"], "配達員さんが来ない", True),  # CJK: a substring is enough
        (["配達", "delivery"], "deliveryman", False),
        (["ＡＰＰ"], "the app crashed", True),  # keywords are folded like the texts
    ],
)
def test_keyword_pattern(keywords: list[str], text: str, matches: bool) -> None:
    pattern = keyword_pattern(keywords)
    assert pattern is not None
    assert (pattern.search(text) is not None) is matches


def test_no_keywords_no_pattern() -> None:
    assert keyword_pattern(["", "  "]) is None
