"""Training and validation data: the shared public sets plus the project's labelled posts.

Texts are de-duplicated across every file (NFKC, casefold, ``@user``/links removed,
whitespace collapsed) *before* splitting, and nothing in a validation set is trained on:
a training row whose key appears in any validation set is dropped.

Validation sets (held out, never trained on):
- ``tweeteval``: TweetEval's own validation split (English tweets);
- ``goemotions``: GoEmotions' validation split mapped to sentiment (English Reddit);
- ``umsab``: the UMSAB validation splits of the non-English languages;
- ``chabsa``: 15 % of chABSA (Japanese, binary), carved by text hash;
- ``ja_posts`` / ``en_care``: 40 % of the project's labelled posts, carved by text hash;
- ``complaints``: 25 % of the complaints corpus, carved by text hash: complaint labels, and for
  the tweets addressed to brands a sentiment label the project gave them
  (``data/labelled/complaints_sentiment.jsonl``, by tweet id): real care posts that the team
  did not write.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

INTENT_LABELS = ("complaint", "question", "praise", "other")
LINK_OR_USER = re.compile(r"https?://\S+|@\w+")
SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Example:
    """One labelled text; a label that the source does not give is ``None``."""

    text: str
    lang: str
    source: str
    sentiment: str | None = None
    complaint: bool | None = None
    intent: str | None = None


@dataclass
class Corpus:
    """Training examples and named validation sets."""

    train: list[Example] = field(default_factory=list)
    validation: dict[str, list[Example]] = field(default_factory=dict)


def text_key(text: str) -> str:
    """The de-duplication key of a text."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return SPACE.sub(" ", LINK_OR_USER.sub(" ", folded)).strip()


def in_holdout(text: str, fraction: float, salt: str = "") -> bool:
    """A deterministic split: the text's hash decides, so re-runs carve the same rows
    (a ``salt`` gives a split independent of the unsalted one)."""
    digest = hashlib.sha256((salt + text_key(text)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def _rows(path: Path) -> Iterator[dict[str, object]]:
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def load_corpus(shared_data: Path, labelled: Path) -> Corpus:
    """Read every data file, carve the validation sets, de-duplicate, return the corpus."""
    sentiment = shared_data / "sentiment"
    train: list[Example] = []
    validation: dict[str, list[Example]] = {name: [] for name in _VALIDATION_NAMES}

    def add(example: Example, holdout: str | None) -> None:
        (validation[holdout] if holdout else train).append(example)

    for row in _rows(sentiment / "tweeteval_train.jsonl"):
        add(_sentiment(row), None)
    for row in _rows(sentiment / "tweeteval_val.jsonl"):
        add(_sentiment(row), "tweeteval")
    for row in _rows(sentiment / "goemotions_sentiment.jsonl"):
        add(_sentiment(row), "goemotions" if row.get("split") == "validation" else None)
    for path in sorted(sentiment.glob("umsab_*.jsonl")):
        for row in _rows(path):
            if row["lang"] == "en":
                continue  # a re-sample of TweetEval: its texts are in the two files above
            add(_sentiment(row), "umsab" if row.get("split") == "validation" else None)
    for row in _rows(sentiment / "chabsa_train.jsonl"):
        add(_sentiment(row), "chabsa" if in_holdout(str(row["text"]), 0.15) else None)
    care_sentiment = {
        str(row["id"]): str(row["sentiment"])
        for row in _rows(labelled / "complaints_sentiment.jsonl")
    }
    for row in _rows(shared_data / "intent" / "complaints_train.jsonl"):
        example = Example(
            text=str(row["text"]),
            lang="en",
            source=str(row["source"]),
            sentiment=care_sentiment.get(str(row.get("id"))),
            complaint=row["label"] == "complaint",
        )
        add(example, "complaints" if in_holdout(example.text, 0.25) else None)
    for name, file in (("ja_posts", "ja_posts.jsonl"), ("en_care", "en_care_posts.jsonl")):
        for row in _rows(labelled / file):
            example = Example(
                text=str(row["text"]),
                lang=str(row["lang"]),
                source=name,
                sentiment=str(row["sentiment"]),
                complaint=row["intent"] == "complaint",
                intent=str(row["intent"]),
            )
            add(example, name if in_holdout(example.text, 0.4) else None)
    return _deduplicated(Corpus(train=train, validation=validation))


_VALIDATION_NAMES = (
    "tweeteval",
    "goemotions",
    "umsab",
    "chabsa",
    "complaints",
    "ja_posts",
    "en_care",
)


def _sentiment(row: dict[str, object]) -> Example:
    return Example(
        text=str(row["text"]),
        lang=str(row["lang"]),
        source=str(row["source"]),
        sentiment=str(row["label"]),
    )


def _deduplicated(corpus: Corpus) -> Corpus:
    held_out: set[str] = set()
    validation: dict[str, list[Example]] = {}
    for name, examples in corpus.validation.items():
        kept = []
        for example in examples:
            key = text_key(example.text)
            if key and key not in held_out:
                held_out.add(key)
                kept.append(example)
        validation[name] = kept
    seen = set(held_out)
    train = []
    for example in corpus.train:
        key = text_key(example.text)
        if key and key not in seen:
            seen.add(key)
            train.append(example)
    return Corpus(train=train, validation=validation)
