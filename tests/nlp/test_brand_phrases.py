"""Brand phrases: the Japanese tokens are spaCy's, the phrases are found as spaCy's
PhraseMatcher finds them, and the pre-filter skips no match."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from benchmarks.synthetic import generate_mentions
from core import fold
from nlp import brand_phrases
from nlp.brand_phrases import SCRIPTS, BrandPhrases, Script
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
    """The texts (as their tokens' norms, joined) whose phrases were looked up (the
    pre-filter's skips are missing from it)."""
    runs: Calls = []
    occurrences = brand_phrases.PhraseTable.occurrences

    def spy(
        self: brand_phrases.PhraseTable, norms: Sequence[str]
    ) -> Iterator[tuple[int, int, int]]:
        runs.append("".join(norms))
        return occurrences(self, norms)

    monkeypatch.setattr(brand_phrases.PhraseTable, "occurrences", spy)
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
        ours = phrases.tokens("ja", text)
        theirs = japanese.make_doc(text)
        assert ours.norms == [fold(t.norm_) for t in theirs], text
        for start in range(len(theirs)):  # each token, and its whitespace before the next
            for end in range(start + 1, min(start + 3, len(theirs) + 1)):
                assert ours.text_of(start, end) == theirs[start:end].text, text


def test_phrases_are_found_where_spacys_phrase_matcher_finds_them() -> None:
    terms = [["the", "the service", "customer service", "サービス", "携帯 電話"], ["service", "の"]]
    exclusions = [["customer service team"], ["ので"]]
    ours = BrandPhrases(terms, exclusions)
    spacys = {script: _SpacyPhraseMatchers(ours, script, terms, exclusions) for script in SCRIPTS}
    texts = [m.text for m in generate_mentions(300, 11)] + [
        "the the service of the customer service team",
        "携帯電話のサービス、携帯 電話ので",
    ]
    for text in texts:
        script: Script = "ja" if CJK.search(text) else "en"
        tokens = ours.tokens(script, text)
        found = {
            brand: [tokens.text_of(start, end) for start, end in brand_spans]
            for brand, brand_spans in spacys[script].spans(tokens.norms).items()
        }
        assert ours.find(script, text) == found, text


class _SpacyPhraseMatchers:
    """spaCy's PhraseMatcher over the norms of one script's tokens: the reference."""

    def __init__(
        self,
        ours: BrandPhrases,
        script: Script,
        terms: list[list[str]],
        exclusions: list[list[str]],
    ) -> None:
        self._vocab = spacy.blank("en").vocab

        def matcher(phrases: list[list[str]]) -> PhraseMatcher:
            found = PhraseMatcher(self._vocab)
            for brand, of_brand in enumerate(phrases):
                norms = [ours.tokens(script, phrase).norms for phrase in of_brand]
                found.add(str(brand), [Doc(self._vocab, words=words) for words in norms])
            return found

        self._terms = matcher(terms)
        self._exclusions = matcher(exclusions)

    def spans(self, norms: list[str]) -> dict[int, list[tuple[int, int]]]:
        """Each brand's term spans in ``norms`` outside its exclusions."""
        doc = Doc(self._vocab, words=norms)
        excluded: dict[int, list[tuple[int, int]]] = {}
        for key, start, end in self._exclusions(doc):
            excluded.setdefault(int(self._vocab.strings[key]), []).append((start, end))
        spans: dict[int, list[tuple[int, int]]] = {}
        for key, start, end in self._terms(doc):
            brand = int(self._vocab.strings[key])
            if not any(s <= start and end <= e for s, e in excluded.get(brand, [])):
                spans.setdefault(brand, []).append((start, end))
        return spans


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
    assert matcher_runs == [  # exclusions first, then terms
        *["hoshimobilelegendstonight"] * 2,
        *["".join(phrases.tokens("ja", "ほしモバイル最高").norms)] * 2,
    ]
