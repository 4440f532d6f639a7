"""Alert quality: do the posts a care team would act on open a case, end to end?

A labelled stream the model never trained on (the held-out validation sets of
``nlp.load_corpus``: ``en_care`` and ``ja_posts`` with sentiment and intent, ``complaints``
with the complaint label (and the project's sentiment label on its tweets to brands), and a
sample of ``tweeteval`` and ``goemotions`` with sentiment only) goes through the configured
``Analyzer`` (real inference) and the real ``RuleEngine``, once with the configured rules and
once with the first release's default rules (:data:`OLD_DEFAULT_RULES`). Every post is
about the first own brand; the stream tests the rules' decision, not brand matching, so by
default (``--mark attached``) the model reads the labelled text as it is and the own-brand
match is attached to the analysed mention; ``hashtag`` and ``handle`` put the brand into
the text instead (``#HoshiMobile`` at the end, ``@hoshimobile`` in front) and brand matching
finds it, which shows how much naming the brand moves the model.

A post is *actionable* when its labels say negative, complaint or question (only the labels
a set has count, so precision on the partly labelled sets is a lower bound). Per set and
overall it prints n, the cases opened, negative recall into cases, complaint recall into
cases, precision of cases and the share of positive posts that opened a case.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alerts import RuleEngine
from config import BrandSettings, RuleSettings, load_settings
from core import AnalyzedMention, Author, BrandMatch, Mention
from nlp import Analyzer, load_corpus

SHARED_DATA = Path("../shared/data")
LABELLED = Path("data/labelled")
STREAM_SETS = ("en_care", "ja_posts", "complaints", "tweeteval", "goemotions")
POSTED_AT = datetime(2026, 11, 20, 9, tzinfo=UTC)
MARKS = ("attached", "hashtag", "handle")

# The case rules of config/kikimimi.yaml before issue 13 (its feed rules open no case): a
# case only for a post that is negative *and* a complaint or question, or a neutral question.
OLD_DEFAULT_RULES = (
    RuleSettings(
        name="own-brand-complaint",
        brand_role="own",
        sentiment=["negative"],
        intent=["complaint", "question"],
        open_case=True,
        priority="high",
        team="care",
        do_not_market=True,
        notify=["care-webhook"],
    ),
    RuleSettings(
        name="own-brand-question",
        brand_role="own",
        intent=["question"],
        sentiment=["neutral"],
        open_case=True,
        priority="normal",
        team="care",
        notify=["care-webhook"],
    ),
    RuleSettings(
        name="vip-author",
        brand_role="own",
        vip=True,
        sentiment=["negative", "neutral"],
        open_case=True,
        priority="urgent",
        team="care-leads",
        notify=["care-webhook"],
    ),
)


@dataclass(frozen=True)
class Gold:
    """A stream post's set and labels (``None`` where its set does not label it)."""

    stream: str
    sentiment: str | None = None
    complaint: bool | None = None
    intent: str | None = None

    @property
    def actionable(self) -> bool:
        """Negative, a complaint or a question, by the labels the post has."""
        return self.sentiment == "negative" or self.complaint is True or self.intent == "question"


@dataclass(frozen=True)
class Post:
    """A labelled post and whether the rules opened a case for it."""

    gold: Gold
    opened_case: bool


@dataclass(frozen=True)
class Share:
    """``hits`` of ``total`` posts; no value when there is no post to count."""

    hits: int
    total: int

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None

    def __str__(self) -> str:
        value = self.value
        return "–" if value is None else f"{value:.2f} ({self.hits}/{self.total})"


@dataclass(frozen=True)
class CaseQuality:
    """What the cases caught and what they cost, over some posts."""

    posts: int
    cases: int
    negative_recall: Share  # gold-negative posts that opened a case
    complaint_recall: Share  # gold complaints that opened a case
    precision: Share  # case-opening posts that are actionable
    positives_opened: Share  # gold-positive posts that opened a case


def _opened(posts: Iterable[Post]) -> Share:
    chosen = list(posts)
    return Share(sum(p.opened_case for p in chosen), len(chosen))


def case_quality(posts: Sequence[Post]) -> CaseQuality:
    """Recall of negative posts and complaints into cases, precision of cases, and the
    share of positive posts that opened one."""
    opened = [p for p in posts if p.opened_case]
    return CaseQuality(
        posts=len(posts),
        cases=len(opened),
        negative_recall=_opened(p for p in posts if p.gold.sentiment == "negative"),
        complaint_recall=_opened(p for p in posts if p.gold.complaint is True),
        precision=Share(sum(p.gold.actionable for p in opened), len(opened)),
        positives_opened=_opened(p for p in posts if p.gold.sentiment == "positive"),
    )


def marked(text: str, brand: BrandSettings, mark: str) -> str:
    """The post's text as analysed: as it is (``attached``: the own-brand match is attached
    after the analysis), with the brand's hashtag at the end (``hashtag``) or addressed to its
    first handle (``handle``)."""
    if mark == "hashtag":
        return f"{text} #{brand.name.replace(' ', '')}"
    if mark == "handle":
        return f"{brand.handles[0]} {text}"
    return text


def attach_own_brand(mention: AnalyzedMention, brand: BrandSettings) -> AnalyzedMention:
    """The mention with ``brand`` matched first, as brand matching would have found it."""
    own = BrandMatch(brand=brand.name, role="own", tagged=False, terms=[brand.name])
    others = [b for b in mention.brands if b.brand != brand.name]
    return mention.model_copy(update={"brands": [own, *others], "matched_no_brand": False})


def labelled_stream(
    per_set: int, seed: int, brand: BrandSettings, mark: str
) -> list[tuple[Gold, Mention]]:
    """The held-out sets, each sampled down to ``per_set`` posts, about ``brand``."""
    corpus = load_corpus(SHARED_DATA, LABELLED)
    stream = []
    for name in STREAM_SETS:
        examples = corpus.validation[name]
        if len(examples) > per_set:
            examples = random.Random(f"{seed}-{name}").sample(examples, per_set)
        for index, example in enumerate(examples):
            gold = Gold(name, example.sentiment, example.complaint, example.intent)
            mention = Mention(
                source=name,
                native_id=f"{name}-{index}",
                text=marked(example.text, brand, mark),
                lang=example.lang,
                author=Author(handle=f"{name}-author-{index}"),
                published_at=POSTED_AT,
                collected_at=POSTED_AT,
            )
            stream.append((gold, mention))
    return stream


def decide(stream: Sequence[tuple[Gold, AnalyzedMention]], engine: RuleEngine) -> list[Post]:
    return [Post(gold, engine.decide(mention).case is not None) for gold, mention in stream]


COLUMNS = ("set", "rules", "n", "cases", "neg recall", "complaint recall", "precision", "pos→case")
WIDTHS = (10, 5, 5, 5, 17, 17, 17, 17)


def _row(cells: Sequence[str]) -> str:
    return "  ".join(
        cell.ljust(width) if index < 2 else cell.rjust(width)
        for index, (cell, width) in enumerate(zip(cells, WIDTHS, strict=True))
    ).rstrip()


def table(results: dict[str, list[Post]]) -> list[str]:
    """A line per set and rule set, then the overall lines."""
    lines = [_row(COLUMNS)]
    for name in [*STREAM_SETS, "overall"]:
        for rules, posts in results.items():
            chosen = posts if name == "overall" else [p for p in posts if p.gold.stream == name]
            q = case_quality(chosen)
            shares = (q.negative_recall, q.complaint_recall, q.precision, q.positives_opened)
            lines.append(_row([name, rules, str(q.posts), str(q.cases), *map(str, shares)]))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=None, help="configuration file")
    parser.add_argument(
        "--per-set", type=int, default=600, help="posts sampled per set at most (default 600)"
    )
    parser.add_argument(
        "--mark",
        choices=MARKS,
        default="attached",
        help="how a post becomes an own-brand mention (default attached)",
    )
    parser.add_argument("--seed", type=int, default=20261101)
    args = parser.parse_args(argv)

    settings = load_settings(args.config)
    if not settings.brands:
        raise SystemExit("alert_quality: the configuration names no own brand")
    brand = settings.brands[0]
    if args.mark == "handle" and not brand.handles:
        raise SystemExit(f"alert_quality: {brand.name} has no handle to address")
    analyzer = Analyzer(settings, progress=lambda s: print(s, file=sys.stderr))
    stream = labelled_stream(args.per_set, args.seed, brand, args.mark)
    print(f"[bench] analysing {len(stream)} posts", file=sys.stderr)
    analysed = analyzer.analyze([mention for _, mention in stream])
    if args.mark == "attached":
        analysed = [attach_own_brand(mention, brand) for mention in analysed]
    pairs = [(gold, mention) for (gold, _), mention in zip(stream, analysed, strict=True)]
    own = sum(any(b.role == "own" for b in mention.brands) for mention in analysed)
    vips = settings.alerting.vip_authors
    results = {
        "old": decide(pairs, RuleEngine(OLD_DEFAULT_RULES, vips)),
        "new": decide(pairs, RuleEngine(settings.rules, vips)),
    }
    print(f"model: {analyzer.model_id} ({analyzer.model_dir})")
    print(
        f"stream: {len(stream)} held-out posts about {brand.name} (--mark {args.mark}; own brand"
        f" matched in {own}); old = first-release rules, new = configured rules"
    )
    print("\n".join(table(results)))
    print(
        "actionable = labelled negative, complaint or question; tweeteval and goemotions are"
        " labelled for sentiment only, complaints' random tweets for complaint only, so their"
        " precision is a lower bound"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
