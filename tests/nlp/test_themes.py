"""Themes: paraphrases of one complaint grouped with the shipped sentence encoder (English and
Japanese), unrelated posts left out, each group named by its planted words; the clustering
and the naming on their own."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pytest

from nlp import NO_THEME, E5SentenceEncoder, find_themes
from nlp.theme_terms import (
    distinctive_terms,
    name_words,
    names_pattern,
    post_words,
    without_names,
)
from nlp.themes import ThemeSet
from nlp.topics import Embeddings

LOGGED_OUT = [
    "The Hoshi Mobile app keeps logging me out since the last update",
    "Ever since updating the app it signs me out every few minutes",
    "After the update the app logs me out constantly, so annoying",
    "Why does the app kick me out of my account after the new update?",
    "Updated the app yesterday and now it won't keep me signed in",
    "The latest update broke staying logged in, I have to sign in again and again",
]
ESIM = [
    "My eSIM won't activate after switching phones",
    "eSIM activation keeps failing, the QR code does nothing",
    "Tried three times to activate the eSIM on my new phone, still no service",
    "The eSIM QR code they sent is invalid, can't activate",
    "Switched to a new phone and the eSIM transfer failed, no signal for two days",
]
UNRELATED = [
    "Charged twice on my bill this month",
    "The store staff were rude to me",
    "Delivery of my new SIM card is a week late",
    "Prices went up again, far too expensive",
    "Support put me on hold for an hour",
    "Nami Telecom outage ruined my commute",
    "I hate Mondays and this weather",
]
JA_LOGGED_OUT = [
    "アプリを更新してから何度もログアウトされる",
    "アップデート後、アプリが勝手にログアウトする",
    "最新版のアプリにしたらすぐログアウトされて困る",
    "アプリのアップデートのせいで毎回ログアウトしてログインし直し",
]
JA_ESIM = [
    "eSIMが開通しない",
    "eSIMのQRコードを読み込んでも開通できない",
    "機種変更したらeSIMが開通しなくて移行に失敗した",
    "eSIMの開通設定がうまくいかず圏外のまま",
]
JA_UNRELATED = [
    "料金が高すぎる",
    "店員の態度が悪い",
    "荷物が届かない",
    "電話サポートに全然繋がらない",
]
BRANDS = ["Hoshi Mobile", "ほしモバイル", "Nami Telecom"]


@pytest.fixture(scope="module")
def encoder() -> E5SentenceEncoder:
    return E5SentenceEncoder(device="cpu")


def themes_of(encoder: E5SentenceEncoder, texts: list[str]) -> ThemeSet:
    return find_themes(texts, encoder, excluded_names=BRANDS)


def by_members(texts: list[str], found: ThemeSet) -> dict[frozenset[str], tuple[str, ...]]:
    """Each theme's terms by the set of its posts."""
    return {frozenset(texts[row] for row in theme.members): theme.terms for theme in found.themes}


@pytest.mark.slow
def test_english_paraphrases_form_themes_and_unrelated_posts_stay_out(
    encoder: E5SentenceEncoder,
) -> None:
    texts = UNRELATED[:3] + LOGGED_OUT + UNRELATED[3:] + ESIM
    found = themes_of(encoder, texts)
    assert [len(theme.members) for theme in found.themes] == [6, 5]  # largest first
    themes = by_members(texts, found)
    assert set(themes) == {frozenset(LOGGED_OUT), frozenset(ESIM)}
    assert {"app", "update"} <= set(themes[frozenset(LOGGED_OUT)])
    assert {"esim", "activate"} <= set(themes[frozenset(ESIM)])
    assert not {"hoshi", "mobile"} & set(themes[frozenset(LOGGED_OUT)])  # a brand's words
    assert by_members(texts, themes_of(encoder, texts)) == themes  # deterministic


@pytest.mark.slow
def test_japanese_paraphrases_form_themes_named_by_their_words(
    encoder: E5SentenceEncoder,
) -> None:
    texts = JA_UNRELATED[:2] + JA_LOGGED_OUT + JA_UNRELATED[2:] + JA_ESIM
    themes = by_members(texts, themes_of(encoder, texts))
    assert set(themes) == {frozenset(JA_LOGGED_OUT), frozenset(JA_ESIM)}
    assert {"アプリ", "ログアウト"} <= set(themes[frozenset(JA_LOGGED_OUT)])
    assert {"esim", "開通"} <= set(themes[frozenset(JA_ESIM)])


@pytest.mark.slow
def test_posts_of_another_period_join_the_theme_they_paraphrase(
    encoder: E5SentenceEncoder,
) -> None:
    texts = LOGGED_OUT + ESIM + UNRELATED
    found = themes_of(encoder, texts)
    later = [
        "Since this morning's update the app logs me out whenever I open it",
        "New eSIM will not activate, the QR code is rejected",
        "My dog ate my homework",
    ]
    logged_out = next(i for i, t in enumerate(found.themes) if texts[t.members[0]] in LOGGED_OUT)
    esim = 1 - logged_out
    assert found.assign(later).tolist() == [logged_out, esim, NO_THEME]


@dataclass(frozen=True)
class KnownEmbeddings:
    """An encoder that knows each text's embedding (and a centre of zeros)."""

    rows: dict[str, Embeddings]

    @property
    def centre(self) -> Embeddings:
        return np.zeros(8, dtype=np.float32)

    def encode(self, texts: Sequence[str]) -> Embeddings:
        return (
            np.stack([self.rows[text] for text in texts])
            if texts
            else np.zeros((0, 8), dtype=np.float32)
        )


def test_clustering_groups_close_rows_densest_first() -> None:
    rng = np.random.default_rng(7)
    directions = np.eye(8, dtype=np.float32)
    rows = [directions[0]] * 5 + [directions[1]] * 3 + [directions[2]] * 2 + list(directions[3:])
    embeddings = np.stack(rows) + rng.normal(0, 0.05, (len(rows), 8)).astype(np.float32)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    texts = [f"post {i}" for i in range(len(rows))]
    encoder = KnownEmbeddings(dict(zip(texts, embeddings, strict=True)))
    found = find_themes(texts, encoder, min_size=3)  # two rows near e2: too few
    assert [sorted(theme.members) for theme in found.themes] == [[0, 1, 2, 3, 4], [5, 6, 7]]
    assert found.assign(["post 9", "post 0", "post 6"]).tolist() == [NO_THEME, 0, 1]


def test_no_texts_no_themes() -> None:
    found = find_themes([], KnownEmbeddings({"a": np.ones(8, dtype=np.float32)}))
    assert found.themes == ()
    assert found.assign(["a", "a"]).tolist() == [NO_THEME, NO_THEME]


def test_brand_names_urls_and_handles_are_taken_out_before_embedding() -> None:
    pattern = names_pattern(BRANDS)
    assert without_names("HOSHI MOBILE eSIM fails https://t.co/1 @hoshi_support", pattern) == (
        "eSIM fails"
    )
    assert without_names("ほしモバイルのeSIMが開通しない", pattern) == "のeSIMが開通しない"
    assert without_names("Hoshi Mobiles are not Hoshi Mobile", pattern) == "Hoshi Mobiles are not"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("The app logs me out!! https://t.co/xyz @hoshi_support #fail", {"app", "logs", "fail"}),
        ("Ｈｏｓｈｉ　Ｍｏｂｉｌｅ eSIM can’t activate, 3 times", {"esim", "activate", "times"}),
        ("ほしモバイルの電波がつながらない https://x.example/a", {"電波", "繋がる"}),
        ("星モバイル、また通信障害。3回目", {"通信", "障害"}),
    ],
)
def test_post_words_drop_urls_handles_stop_words_and_brands(text: str, words: set[str]) -> None:
    assert post_words(text, name_words(BRANDS)) == words


def test_distinctive_terms_favour_what_sets_the_members_apart() -> None:
    words = [
        {"esim", "activate", "phone"},
        {"esim", "qr", "phone"},
        {"esim", "activate"},
        {"phone", "bill"},
        {"phone", "store"},
    ]
    assert distinctive_terms(words, {0, 1, 2}, 5) == ("esim", "activate")  # phone: everywhere
