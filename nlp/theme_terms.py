"""What of a post's text is about its theme: the text without names, the words that can name
a theme, and the words that set a theme's posts apart.

Before posts are embedded, their URLs, @handles and the brands' names are taken out: posts
that all name one brand are not alike for that.

A post's words, after its URLs and @handles are removed: in text without CJK characters, runs
of letters, NFKC-normalised and case-folded (contractions and one-letter words dropped); in
text with CJK characters, SudachiPy's content words (split mode C: nouns, verbs, adjectives
and na-adjectives; not auxiliary-like ones, numerals nor the counter after a numeral) in their
normalised form, case-folded, so つながらない and 繋がらない are one word, 繋がる. spaCy's
English and Japanese stop words are dropped, and so are the excluded words (brand names, cut
into words the same way).

A theme's terms are the words found in at least :data:`MIN_TERM_POSTS` of its posts, ordered
by how much more often its posts have them than the other posts (share of the theme's posts
minus share of the others; ties alphabetical).
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Sequence

from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH_STOP_WORDS
from spacy.lang.ja.stop_words import STOP_WORDS as JAPANESE_STOP_WORDS
from sudachipy import Dictionary, SplitMode, Tokenizer

from core import fold
from nlp.brands import CJK, MAX_TOKENIZED_BYTES

MIN_TERM_POSTS = 2
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS | JAPANESE_STOP_WORDS)
NOT_NAMES = re.compile(r"(?:https?://|www\.)\S+|@[\w.-]+", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CONTENT_WORDS = frozenset({"名詞", "動詞", "形容詞", "形状詞"})
NOT_CONTENT = frozenset({"非自立可能", "数詞"})  # auxiliary-like words, numerals
COUNTER = "助数詞可能"
_SUDACHI_LOCK = threading.Lock()


def names_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """One case-insensitive pattern for ``names`` (after NFKC): CJK names as substrings,
    others as whole words; ``None`` without names."""
    normalised = {unicodedata.normalize("NFKC", name).strip() for name in names}
    longest_first = sorted((name for name in normalised if name), key=len, reverse=True)
    parts = [re.escape(name) for name in longest_first if CJK.search(name)]
    words = [re.escape(name) for name in longest_first if not CJK.search(name)]
    if words:
        parts.append(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def without_names(text: str, names: re.Pattern[str] | None) -> str:
    """``text`` (after NFKC) without its URLs, @handles and the ``names`` it mentions."""
    cleaned = NOT_NAMES.sub(" ", unicodedata.normalize("NFKC", text))
    if names is not None:
        cleaned = names.sub(" ", cleaned)
    return " ".join(cleaned.split())


def name_words(names: Iterable[str]) -> frozenset[str]:
    """The words of ``names`` (brand names and aliases), to exclude from posts' words."""
    return frozenset(word for name in names for word in post_words(name))


def post_words(text: str, excluded: Collection[str] = frozenset()) -> set[str]:
    """The distinct name-worthy words of ``text`` that are not in ``excluded``."""
    cleaned = unicodedata.normalize("NFKC", NOT_NAMES.sub(" ", text))
    if CJK.search(cleaned):
        found = _japanese_words(cleaned)
    else:
        found = [word for word in WORD.findall(fold(cleaned)) if word.isalpha()]  # no can't
    return {
        word
        for word in found
        if word not in STOP_WORDS and word not in excluded and _long_enough(word)
    }


def distinctive_terms(
    words: Sequence[Collection[str]], members: Collection[int], count: int
) -> tuple[str, ...]:
    """The ``count`` words that best set the posts ``members`` (indices into ``words``, each
    post's words) apart from the other posts."""
    inside = Counter(word for row in members for word in words[row])
    outside = Counter(word for row, post in enumerate(words) if row not in members for word in post)
    others = max(len(words) - len(members), 1)
    scores = {
        word: n / len(members) - outside[word] / others
        for word, n in inside.items()
        if n >= MIN_TERM_POSTS
    }
    ranked = sorted((w for w, score in scores.items() if score > 0), key=lambda w: (-scores[w], w))
    return tuple(ranked[:count])


def _japanese_words(text: str) -> list[str]:
    bounded = text.encode()[: MAX_TOKENIZED_BYTES["ja"]].decode(errors="ignore")
    words = []
    after_numeral = False
    with _SUDACHI_LOCK:  # one tokenizer, not thread-safe
        morphemes = list(_sudachi().tokenize(bounded))
    for morpheme in morphemes:
        part_of_speech = morpheme.part_of_speech()
        counter = after_numeral and part_of_speech[2] == COUNTER  # 3回: a count, not a word
        if (
            part_of_speech[0] in CONTENT_WORDS
            and part_of_speech[1] not in NOT_CONTENT
            and not counter
        ):
            words.append(fold(morpheme.normalized_form()))
        after_numeral = part_of_speech[1] == "数詞"
    return words


def _long_enough(word: str) -> bool:
    """One kanji is a word; one letter or one kana is not."""
    return len(word) > 1 or KANJI.match(word) is not None


@functools.cache
def _sudachi() -> Tokenizer:
    return Dictionary().tokenizer(mode=SplitMode.C)
