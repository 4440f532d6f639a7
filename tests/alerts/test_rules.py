"""The rule engine: conditions, reasons, the merged decision."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from alerts.rules import RuleEngine
from config import load_settings
from config.rules import RuleSettings
from core.records import AnalyzedMention, Author, BrandMatch, Sentiment

T = datetime(2026, 11, 20, tzinfo=UTC)
SHIPPED_CONFIG = Path(__file__).resolve().parents[2] / "config" / "kikimimi.yaml"


def mention(
    text: str = "Hoshi Mobile billed me twice",
    *,
    label: str = "negative",
    intent: str = "complaint",
    role: str = "own",
    tagged: bool = False,
    handle: str = "someone",
    followers: int = 10,
    topics: tuple[str, ...] = ("billing",),
) -> AnalyzedMention:
    brand = "Hoshi Mobile" if role == "own" else "Nami Telecom"
    probabilities = {"negative": 0.1, "neutral": 0.1, "positive": 0.1, label: 0.8}
    return AnalyzedMention(
        source="hn",
        native_id=text[:20],
        text=text,
        published_at=T,
        collected_at=T,
        author=Author(handle=handle, followers=followers),
        brands=[BrandMatch(brand=brand, role=role, tagged=tagged)],
        sentiment=Sentiment(label=label, score=0.8, probabilities=probabilities, model="m"),
        intent=intent,
        topics=list(topics),
    )


RULES = [
    RuleSettings(
        name="complaint",
        brand_role="own",
        sentiment=["negative"],
        intent=["complaint", "question"],
        open_case=True,
        priority="high",
        team="care",
        notify=["hook"],
        do_not_market=True,
    ),
    RuleSettings(
        name="outage",
        brand_role="own",
        keywords=["outage", "圏外"],
        open_case=True,
        priority="urgent",
        team="noc",
        notify=["pager"],
    ),
    RuleSettings(
        name="competitor",
        brand_role="competitor",
        sentiment=["negative"],
        feed="marketing",
        notify=["hook"],
    ),
    RuleSettings(name="big-voice", min_followers=10_000, feed="pr"),
]


def test_own_negative_complaint_opens_a_case_with_reasons() -> None:
    decision = RuleEngine(RULES).decide(mention())
    assert decision.case is not None
    assert (decision.case.priority, decision.case.team) == ("high", "care")
    assert decision.case.do_not_market and decision.case.notify == ("hook",)
    assert "brand Hoshi Mobile (own, untagged)" in decision.case.reason
    assert "sentiment negative (0.80)" in decision.case.reason
    assert decision.rule_names == ["complaint"]


def test_the_most_urgent_case_rule_leads_and_channels_merge() -> None:
    decision = RuleEngine(RULES).decide(mention("Hoshi Mobile outage, 圏外 all day"))
    assert decision.case is not None
    assert (decision.case.priority, decision.case.team, decision.case.rule) == (
        "urgent",
        "noc",
        "outage",
    )
    assert set(decision.case.notify) == {"hook", "pager"}
    assert "keyword 'outage', '圏外'" in decision.case.reason


def test_vip_authors_get_top_priority() -> None:
    engine = RuleEngine(RULES, vip_authors=["@Famous"])
    decision = engine.decide(mention(handle="famous"))
    assert decision.vip
    assert decision.case is not None and decision.case.priority == "urgent"
    assert "VIP author" in decision.case.reason


def test_competitor_complaints_go_to_the_marketing_feed_without_a_case() -> None:
    decision = RuleEngine(RULES).decide(mention("Nami Telecom is down", role="competitor"))
    assert decision.case is None
    assert decision.feeds == {"marketing": ("hook",)}
    assert sorted(decision.feeds) == ["marketing"]


def test_positive_posts_open_nothing_and_conditions_must_all_hold() -> None:
    assert RuleEngine(RULES).decide(mention(label="positive", intent="praise")).case is None
    tagged_only = RuleSettings(name="t", tagged=True, open_case=True)
    assert RuleEngine([tagged_only]).decide(mention(tagged=False)).case is None
    assert RuleEngine([tagged_only]).decide(mention(tagged=True)).case is not None
    loud = RuleEngine(RULES).decide(mention(label="positive", intent="praise", followers=50_000))
    assert loud.case is None and "pr" in loud.feeds
    assert "50,000 followers ≥ 10,000" in loud.matches[0].explain()


def test_disabled_rules_do_not_fire() -> None:
    off = RuleSettings(name="off", enabled=False, open_case=True)
    assert RuleEngine([off]).decide(mention()).matches == ()


def test_the_case_action_carries_the_posts_language_and_whether_it_tagged_the_brand() -> None:
    engine = RuleEngine(RULES)
    tagged = mention(tagged=True).model_copy(update={"lang": "en", "detected_lang": "ja"})
    action = engine.decide(tagged).case
    assert action is not None and (action.lang, action.tagged) == ("ja", True)
    untagged = mention().model_copy(update={"lang": "en"})
    action = engine.decide(untagged).case
    assert action is not None and (action.lang, action.tagged) == ("en", False)


@pytest.fixture(scope="module")
def shipped() -> RuleEngine:
    """The rules of the shipped configuration."""
    settings = load_settings(SHIPPED_CONFIG)
    return RuleEngine(settings.rules, settings.alerting.vip_authors)


@pytest.mark.parametrize(
    ("label", "intent", "priority"),
    [
        ("positive", "complaint", "high"),  # sarcasm: "great job losing my parcel again"
        ("neutral", "complaint", "high"),
        ("negative", "other", "high"),
        ("negative", "praise", "high"),
        ("positive", "question", "normal"),
        ("neutral", "question", "normal"),
    ],
)
def test_the_shipped_rules_open_a_case_for_complaints_negative_posts_and_questions(
    shipped: RuleEngine, label: str, intent: str, priority: str
) -> None:
    decision = shipped.decide(mention(label=label, intent=intent))
    assert decision.case is not None
    assert (decision.case.priority, decision.case.team) == (priority, "care")


def test_the_shipped_rules_open_no_case_for_praise_or_chatter(shipped: RuleEngine) -> None:
    for label, intent in [("positive", "praise"), ("neutral", "other"), ("positive", "other")]:
        assert shipped.decide(mention(label=label, intent=intent)).case is None
    competitor = shipped.decide(mention("Nami Telecom is down", role="competitor"))
    assert competitor.case is None and "marketing" in competitor.feeds


def test_a_post_several_case_rules_match_opens_one_case_at_the_top_priority(
    shipped: RuleEngine,
) -> None:
    decision = shipped.decide(mention(label="negative", intent="complaint"))
    case = decision.case
    assert case is not None and case.priority == "high" and case.do_not_market
    assert {"own-brand-complaint", "own-brand-negative"} <= set(decision.rule_names)
    assert "intent complaint" in case.reason and "sentiment negative (0.80)" in case.reason

    vip = shipped.decide(
        mention(label="neutral", intent="complaint", handle="ishikawa-kenta.bsky.social")
    )
    assert vip.rule_names == ["own-brand-complaint", "vip-author"]
    assert vip.case is not None
    assert (vip.case.priority, vip.case.team, vip.case.rule) == (
        "urgent",
        "care-leads",
        "vip-author",
    )


def test_the_most_urgent_of_several_case_rules_decides_priority_and_team() -> None:
    question = RuleSettings(name="question", intent=["question"], open_case=True, team="care")
    rules = [question, *RULES]  # the normal question rule first, the high complaint rule next
    decision = RuleEngine(rules).decide(mention(label="negative", intent="question"))
    assert decision.rule_names == ["question", "complaint"]
    case = decision.case
    assert case is not None
    assert (case.priority, case.rule, case.do_not_market) == ("high", "complaint", True)
    assert case.reason.startswith("question: ") and " | complaint: " in case.reason
