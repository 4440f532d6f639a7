"""Rules over analysed mentions: which fire, why, and what they ask for.

A rule fires when all its conditions hold for the mention and one of its brands (a rule
with ``brand_role``/``brands`` is checked per matched brand). The decision merges every
firing rule: at most one case per mention (for the brand of the most urgent case rule, with
its priority and team, VIP authors raised to ``urgent``), the channels to notify, the team
feeds to forward to, and a readable reason for each rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from config import RuleSettings
from core import PRIORITY_ORDER, AnalyzedMention, BrandMatch, Mention, Priority, fold

__all__ = ["CaseAction", "Decision", "RuleEngine", "RuleMatch"]


@dataclass(frozen=True)
class RuleMatch:
    """A rule that fired, for which brand, and why."""

    rule: RuleSettings
    brand: BrandMatch | None
    reasons: tuple[str, ...]

    def explain(self) -> str:
        return f"{self.rule.name}: " + "; ".join(self.reasons)


@dataclass(frozen=True)
class CaseAction:
    """Open or update the case of this mention's author about ``brand``; ``lang`` and
    ``tagged`` (the mention addressed the brand's handle) describe the mention for a case
    it opens."""

    brand: str
    priority: Priority
    team: str | None
    rule: str
    reason: str
    do_not_market: bool
    notify: tuple[str, ...]
    lang: str | None = None
    tagged: bool = False


@dataclass(frozen=True)
class Decision:
    """What the rules decided for one mention (the mention itself is not part of it)."""

    vip: bool = False
    matches: tuple[RuleMatch, ...] = ()
    case: CaseAction | None = None
    feeds: dict[str, tuple[str, ...]] = field(default_factory=dict)  # feed -> channels

    @property
    def rule_names(self) -> list[str]:
        """The names of the rules that fired, in configuration order."""
        return [m.rule.name for m in self.matches]


class RuleEngine:
    """Evaluates the configured rules; also marks VIP authors."""

    def __init__(self, rules: Sequence[RuleSettings], vip_authors: Sequence[str] = ()) -> None:
        self.rules = [r for r in rules if r.enabled]
        self.vip_authors = {fold(a).lstrip("@") for a in vip_authors}

    def is_vip(self, mention: Mention) -> bool:
        author = mention.author
        keys = [k for k in (author.handle, author.id, author.name) if k]
        return any(fold(k).lstrip("@") in self.vip_authors for k in keys)

    def decide(self, mention: AnalyzedMention) -> Decision:
        vip = self.is_vip(mention)
        matches = [m for rule in self.rules if (m := self._match(rule, mention)) is not None]
        case = self._case(matches, vip, mention)
        feeds: dict[str, tuple[str, ...]] = {}
        for match in matches:
            if match.rule.feed:
                known = feeds.get(match.rule.feed, ())
                feeds[match.rule.feed] = tuple(dict.fromkeys([*known, *match.rule.notify]))
        return Decision(vip, tuple(matches), case, feeds)

    def _case(
        self, matches: Sequence[RuleMatch], vip: bool, mention: AnalyzedMention
    ) -> CaseAction | None:
        casing = [m for m in matches if m.rule.open_case]
        if not casing:
            return None
        lead = min(casing, key=lambda m: PRIORITY_ORDER[m.rule.priority])
        priority: Priority = "urgent" if vip else lead.rule.priority
        brand = lead.brand.brand if lead.brand else "(no brand)"
        notify = tuple(dict.fromkeys(c for m in casing for c in m.rule.notify))
        reasons = [m.explain() for m in casing] + (["VIP author: top priority"] if vip else [])
        return CaseAction(
            brand=brand,
            priority=priority,
            team=lead.rule.team,
            rule=lead.rule.name,
            reason=" | ".join(reasons),
            do_not_market=any(m.rule.do_not_market for m in casing),
            notify=notify,
            lang=mention.detected_lang or mention.lang,
            tagged=lead.brand.tagged if lead.brand else False,
        )

    def _match(self, rule: RuleSettings, mention: AnalyzedMention) -> RuleMatch | None:
        common = self._common_reasons(rule, mention)
        if common is None:
            return None
        if rule.brand_role is None and not rule.brands and rule.tagged is None:
            brand = mention.brands[0] if mention.brands else None
            return RuleMatch(rule, brand, tuple(common))
        for brand in mention.brands:
            if rule.brand_role is not None and brand.role != rule.brand_role:
                continue
            if rule.brands and brand.brand not in rule.brands:
                continue
            if rule.tagged is not None and brand.tagged != rule.tagged:
                continue
            tag = "tagged" if brand.tagged else "untagged"
            reason = f"brand {brand.brand} ({brand.role}, {tag})"
            return RuleMatch(rule, brand, (reason, *common))
        return None

    def _common_reasons(self, rule: RuleSettings, mention: AnalyzedMention) -> list[str] | None:
        about_post = self._content_reasons(rule, mention)
        if about_post is None:
            return None
        about_context = self._context_reasons(rule, mention)
        return None if about_context is None else about_post + about_context

    @staticmethod
    def _content_reasons(rule: RuleSettings, mention: AnalyzedMention) -> list[str] | None:
        """Conditions on what the NLP stage found: sentiment, intent, topics, keywords."""
        reasons: list[str] = []
        sentiment = mention.sentiment
        if rule.sentiment:
            if sentiment is None or sentiment.label not in rule.sentiment:
                return None
            reasons.append(f"sentiment {sentiment.label} ({sentiment.score:.2f})")
        if rule.min_negative is not None:
            negative = sentiment.probabilities.get("negative", 0.0) if sentiment else 0.0
            if negative < rule.min_negative:
                return None
            reasons.append(f"negative {negative:.2f} ≥ {rule.min_negative:.2f}")
        if rule.intent:
            if mention.intent not in rule.intent:
                return None
            reasons.append(f"intent {mention.intent}")
        if rule.topics:
            hit = [t for t in mention.topics if t in rule.topics]
            if not hit:
                return None
            reasons.append(f"topic {', '.join(hit)}")
        if rule.keywords:
            text = fold(f"{mention.title or ''} {mention.text}")
            found = [k for k in rule.keywords if fold(k) in text]
            if not found:
                return None
            reasons.append(f"keyword {', '.join(repr(k) for k in found)}")
        return reasons

    def _context_reasons(self, rule: RuleSettings, mention: AnalyzedMention) -> list[str] | None:
        """Conditions on where the post came from and who wrote it."""
        reasons: list[str] = []
        if rule.sources:
            if mention.source not in rule.sources:
                return None
            reasons.append(f"source {mention.source}")
        if rule.languages:
            lang = mention.detected_lang or mention.lang
            if lang not in rule.languages:
                return None
            reasons.append(f"language {lang}")
        vip = self.is_vip(mention)
        if rule.vip is not None:
            if vip != rule.vip:
                return None
            reasons.append("VIP author" if vip else "not a VIP author")
        if rule.min_followers is not None:
            followers = mention.author.followers or 0
            if followers < rule.min_followers:
                return None
            reasons.append(f"{followers:,} followers ≥ {rule.min_followers:,}")
        return reasons
