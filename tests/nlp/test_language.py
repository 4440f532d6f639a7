"""Language detection edge cases: short texts, emoji, mixed scripts, source hints."""

from __future__ import annotations

import pytest

from nlp.language import LanguageDetector


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector(["en", "ja", "fr", "de", "es", "zh", "ko"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hoshi Mobile network is down again in Shibuya", "en"),
        ("ほしモバイルの通信障害がひどい", "ja"),
        ("料金が高い", "ja"),
        ("Hoshi Mobileの料金、高すぎ", "ja"),  # Latin brand inside Japanese
        ("iPhone 17 最高", "ja"),  # Han without kana defaults to Japanese
        ("东京的网络太慢了，我觉得这个服务很不好用", "zh"),
        ("서비스가 너무 느려요", "ko"),
        ("Merci beaucoup pour votre aide rapide", "fr"),
        ("El servicio es terrible desde ayer", "es"),
        ("@hoshi_support https://t.co/x the app crashes at login", "en"),
    ],
)
def test_detects(detector: LanguageDetector, text: str, expected: str) -> None:
    assert detector.detect(text).lang == expected


@pytest.mark.parametrize("text", ["😡😡😡", "", "   ", "https://t.co/abc", "@hoshi_support", "!!!"])
def test_no_letters_is_undetermined_or_the_source_hint(
    detector: LanguageDetector, text: str
) -> None:
    assert detector.detect(text).lang == "und"
    assert detector.detect(text, hint="ja").lang == "ja"


def test_low_confidence_short_text_falls_back_to_the_hint(detector: LanguageDetector) -> None:
    assert detector.detect("lol", hint="en").lang == "en"
    assert detector.detect("lol").lang in {"und", "en"}


def test_unknown_languages_are_ignored_and_empty_sets_refused() -> None:
    assert LanguageDetector(["en", "xx"]).detect("hello there my friend").lang == "en"
    with pytest.raises(ValueError, match="at least one language"):
        LanguageDetector([])
