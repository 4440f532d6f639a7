"""Brand matching in English and Japanese: variants, exclusions, tagged vs untagged."""

from __future__ import annotations

import pytest

from config.settings import BrandSettings
from nlp.brands import BrandMatcher

HOSHI = BrandSettings(
    name="Hoshi Mobile",
    aliases=["HoshiMobile", "ほしモバイル", "星モバイル", "ホシモバイル"],
    handles=["@hoshimobile", "hoshimobile.bsky.social", "@hoshi_support"],
    exclusions=["hoshi tea", "星モバイルハウス"],
)
NAMI = BrandSettings(name="Nami Telecom", aliases=["ナミテレコム"], handles=["@namitelecom"])


@pytest.fixture(scope="module")
def matcher() -> BrandMatcher:
    return BrandMatcher([HOSHI], [NAMI])


def brands(matcher: BrandMatcher, text: str) -> list[tuple[str, str, bool]]:
    return [(m.brand, m.role, m.tagged) for m in matcher.match(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Hoshi Mobile is down again",
        "HOSHI MOBILE is down again",
        "hoshi mobile is down again",
        "ＨＯＳＨＩ　ＭＯＢＩＬＥ、また圏外",  # full-width letters and space
        "hoshimobile's app keeps crashing",
        "ほしモバイルの通信障害がひどい",
        "星モバイル、料金が二重に請求された",
        "ホシモバイル最悪",
        "ﾎｼﾓﾊﾞｲﾙ最悪",  # half-width katakana
        "Hoshi Mobileの料金が高い",  # mixed script
    ],
)
def test_variants_match_untagged(matcher: BrandMatcher, text: str) -> None:
    assert brands(matcher, text) == [("Hoshi Mobile", "own", False)]


@pytest.mark.parametrize(
    "text",
    [
        "I love hoshi tea in the morning",
        "Hoshi Tea and scones",
        "星モバイルハウスに行ってきた",
        "the stars (hoshi) were bright",
        "mobile phones are expensive",
    ],
)
def test_exclusions_and_non_mentions_match_nothing(matcher: BrandMatcher, text: str) -> None:
    assert brands(matcher, text) == []


@pytest.mark.parametrize(
    "text",
    [
        "@hoshi_support my bill is doubled, why?",
        "@HOSHI_SUPPORT 請求が二重です",
        "Thanks @hoshimobile.bsky.social for the quick fix!",
        "@hoshimobile ほしモバイル、つながらない",
    ],
)
def test_addressing_an_official_handle_is_tagged(matcher: BrandMatcher, text: str) -> None:
    assert brands(matcher, text) == [("Hoshi Mobile", "own", True)]


def test_handles_inside_other_words_are_not_tags(matcher: BrandMatcher) -> None:
    assert brands(matcher, "write to care@hoshi_support.example") == []
    assert brands(matcher, "@hoshi_supporter says hi") == []


def test_competitors_have_their_role(matcher: BrandMatcher) -> None:
    assert brands(matcher, "Hoshi Mobile vs Nami Telecom, which is better?") == [
        ("Hoshi Mobile", "own", False),
        ("Nami Telecom", "competitor", False),
    ]
    assert brands(matcher, "ナミテレコム死んでる、@namitelecom 早く直して") == [
        ("Nami Telecom", "competitor", True)
    ]


def test_matched_terms_are_reported(matcher: BrandMatcher) -> None:
    (match,) = matcher.match("ほしモバイルって星モバイルとも書くの？")
    assert match.terms == ["ほしモバイル", "星モバイル"]


@pytest.mark.parametrize(
    "text",
    [
        "Hoshi Mobile is down. " + "No signal at all. " * 60_000,  # over spaCy's 1,000,000
        "ほしモバイルの通信障害がひどい。"
        + "電話がつながらない。" * 6_000,  # over Sudachi's 49,149 B
        "Hoshi Mobile 障害 " + "ﷺ" * 3_000,  # NFKC turns each ﷺ into 18 characters
    ],
    ids=["english", "japanese", "expanding"],
)
def test_texts_over_the_tokenizers_limits_are_matched_in_bounded_form(
    matcher: BrandMatcher, text: str
) -> None:
    assert brands(matcher, text) == [("Hoshi Mobile", "own", False)]


def test_a_brand_beyond_the_bound_is_not_seen(matcher: BrandMatcher) -> None:
    """What the bound costs, as documented: only the start of a very long text is read."""
    assert brands(matcher, "電話がつながらない。" * 6_000 + "ほしモバイル") == []
