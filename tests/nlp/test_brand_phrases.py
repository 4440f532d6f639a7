"""Brand phrases: the Japanese tokens are spaCy's, and the pre-filter skips no match."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
import spacy

from benchmarks.synthetic import generate_mentions
from core import fold
from nlp.brand_phrases import BrandPhrases, Script
from nlp.brands import CJK

LABELLED = Path(__file__).resolve().parents[2] / "data" / "labelled"
HOSHI = ["Hoshi Mobile", "ほしモバイル"]
STAR = ["星モバイル"]  # the kanji spelling only: ほし is read as 星 by Sudachi's normalised forms

Calls = list[str]


@pytest.fixture(scope="module")
def phrases() -> BrandPhrases:
    return BrandPhrases([HOSHI, STAR], [["hoshi mobile legends"], []])


@pytest.fixture
def matcher_runs(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """The texts the phrase matchers ran on (the pre-filter's skips are missing from it)."""
    runs: Calls = []
    matched = BrandPhrases._matched

    def spy(self: BrandPhrases, script: Script, doc: spacy.tokens.Doc) -> dict[int, list[str]]:
        runs.append(doc.text)
        return matched(self, script, doc)

    monkeypatch.setattr(BrandPhrases, "_matched", spy)
    return runs


def _japanese_texts() -> list[str]:
    posts = [m.title or "" for m in generate_mentions(400, 7)] + [
        m.text for m in generate_mentions(400, 7)
    ]
    lines = (LABELLED / "ja_posts.jsonl").read_text(encoding="utf-8").splitlines()
    posts += [json.loads(line)["text"] for line in lines[:300] if line.strip()]
    edges = [
        "ほし  モバイル",  # a run of spaces
        "  ほしモバイル\t\n",  # leading and trailing whitespace
        "ほし　　モバイル です",  # ideographic spaces (NFKC: spaces)
        "…ほしモバイル…",  # characters Sudachi may cut into empty morphemes
        "ＨＯＳＨＩモバイル😡😡",
        "　",
    ]
    return [unicodedata.normalize("NFKC", t) for t in posts + edges if CJK.search(t) or t.isspace()]


def test_japanese_tokens_are_those_of_spacys_japanese_tokenizer(phrases: BrandPhrases) -> None:
    japanese = spacy.blank("ja")
    for text in _japanese_texts():
        ours = [(t.text, t.whitespace_, t.norm_) for t in phrases.doc("ja", text)]
        theirs = [(t.text, t.whitespace_, fold(t.norm_)) for t in japanese.make_doc(text)]
        assert ours == theirs, text


@pytest.mark.parametrize(
    ("script", "text", "brand", "term"),
    [
        ("en", "HOSHI MOBILE is down", 0, "HOSHI MOBILE"),
        ("en", "hoshi mobile is down", 0, "hoshi mobile"),
        ("ja", "ＨＯＳＨＩ　ＭＯＢＩＬＥまた圏外", 0, "HOSHI MOBILE"),  # full width, after NFKC
        ("ja", "ﾎｼﾓﾊﾞｲﾙ最悪", None, None),  # ホシモバイル: one word to Sudachi, not a term
        ("ja", "ほしモバイルの通信障害", 0, "ほしモバイル"),
        ("ja", "ほしモバイルの通信障害", 1, "ほしモバイル"),  # 星モバイル, normalised
        ("ja", "星モバイル、料金が二重", 0, "星モバイル"),
    ],
)
def test_the_pre_filter_keeps_every_form_the_matcher_accepts(
    phrases: BrandPhrases, script: Script, text: str, brand: int | None, term: str | None
) -> None:
    found = phrases.find(script, unicodedata.normalize("NFKC", text))
    if brand is None:
        assert found == {}
    else:
        assert term in found[brand]


def test_posts_without_a_brand_form_are_skipped(phrases: BrandPhrases, matcher_runs: Calls) -> None:
    assert phrases.find("en", "mobile phones are expensive") == {}
    assert phrases.find("ja", "モバイルバッテリー持って公園へ") == {}
    assert matcher_runs == []
    assert phrases.find("en", "Hoshi Mobile Legends tonight") == {}  # a candidate, excluded
    assert phrases.find("ja", "ほしモバイル最高") == {0: ["ほしモバイル"], 1: ["ほしモバイル"]}
    assert matcher_runs == ["Hoshi Mobile Legends tonight", "ほしモバイル最高"]
