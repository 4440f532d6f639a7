"""Settings that name other settings: each name must exist, or the setting can never act.

Rules name brands, sources, topics and channels; spike alerts and escalations name
channels; digests name channels (of a type that can carry one) and brands; a brand must not
be both our own and a competitor's (a post naming it would count for both). Each problem is
at its field path (``rules[0].topics[1]``) and lists the names that do exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from config.digests import DIGEST_CHANNEL_TYPES, MAX_DIGEST_BRANDS
from config.problems import FieldPath, FieldProblem
from core import fold

if TYPE_CHECKING:
    from config.settings import BrandSettings, Settings

__all__ = ["brand_conflicts", "digest_problems", "unknown_references"]

ROLE_TEXT = {"own": "an own brand", "competitor": "a competitor"}


def brand_conflicts(
    brands: Sequence[BrandSettings], competitors: Sequence[BrandSettings]
) -> list[FieldProblem]:
    """Competitors whose name or alias is also one of our own brands' terms."""
    own_names: dict[str, int] = {}
    own_terms: dict[str, int] = {}
    for index, brand in enumerate(brands):
        own_names.setdefault(fold(brand.name), index)
        for term in brand.terms:
            own_terms.setdefault(fold(term), index)
    problems = []
    for index, competitor in enumerate(competitors):
        named: list[tuple[FieldPath, str]] = [(("name",), competitor.name)]
        named += [(("aliases", i), alias) for i, alias in enumerate(competitor.aliases)]
        for path, term in named:
            owner = own_terms.get(fold(term))
            if owner is None:
                continue
            message = (
                f"also an own brand, brands[{owner}]"
                if path == ("name",) and own_names.get(fold(term)) == owner
                else f"also a term of own brand brands[{owner}]"
            )
            problems.append(FieldProblem(("competitors", index, *path), message))
    return problems


def unknown_references(settings: Settings) -> list[FieldProblem]:
    """Every name in rules, spike alerts and escalations that no brand, source, topic or
    channel has."""
    channels = [c.name for c in settings.notifications]
    roles: dict[str, Literal["own", "competitor"]] = {b.name: "own" for b in settings.brands}
    for competitor in settings.competitors:
        roles.setdefault(competitor.name, "competitor")
    sources = [s.name for s in settings.sources]
    topics = [t.name for t in settings.nlp.topics]
    problems = []
    for index, rule in enumerate(settings.rules):
        at: FieldPath = ("rules", index)
        for i, brand in enumerate(rule.brands):
            role = roles.get(brand)
            if role is None:
                problems.append(_unknown((*at, "brands", i), "brand", list(roles)))
            elif rule.brand_role is not None and role != rule.brand_role:
                message = (
                    f"{ROLE_TEXT[role]}, but the rule's brand_role is {rule.brand_role}, "
                    "so it can never fire"
                )
                problems.append(FieldProblem((*at, "brands", i), message))
        problems += _unknowns(rule.sources, (*at, "sources"), "source", sources)
        problems += _unknowns(rule.topics, (*at, "topics"), "topic", topics)
        problems += _unknowns(rule.notify, (*at, "notify"), "channel", channels)
    spikes = settings.alerting.spikes.notify
    problems += _unknowns(spikes, ("alerting", "spikes", "notify"), "channel", channels)
    escalation = settings.alerting.escalation
    for by, names_of in (("by_priority", escalation.by_priority), ("by_team", escalation.by_team)):
        for key, names in names_of.items():
            at = ("alerting", "escalation", by, key)
            problems += _unknowns(names, at, "channel", channels)
    return problems


def digest_problems(settings: Settings) -> list[FieldProblem]:
    """Digest channels that do not exist or cannot carry a digest, brands that are not
    configured or too many, and a catch-up longer than delivered notices are kept (a digest
    sent and forgotten would then be sent again)."""
    types = {c.name: c.type for c in settings.notifications}
    brands = [b.name for b in settings.brands] + [b.name for b in settings.competitors]
    kept_hours = settings.alerting.keep_delivered_days * 24
    usable = ", ".join(DIGEST_CHANNEL_TYPES)
    problems = []
    for index, digest in enumerate(settings.digests):
        at: FieldPath = ("digests", index)
        for i, channel in enumerate(digest.channels):
            kind = types.get(channel)
            if kind is None:
                problems.append(_unknown((*at, "channels", i), "channel", list(types)))
            elif kind not in DIGEST_CHANNEL_TYPES:
                message = f"a {kind} channel cannot carry a digest; use a channel of type {usable}"
                problems.append(FieldProblem((*at, "channels", i), message))
        problems += _unknowns(digest.brands, (*at, "brands"), "brand", brands)
        covered = len(digest.brands or brands)
        if covered > MAX_DIGEST_BRANDS:
            message = (
                f"a digest compares at most {MAX_DIGEST_BRANDS} brands and this one would cover "
                f"{covered}: name the brands its audience follows"
            )
            problems.append(FieldProblem((*at, "brands"), message))
        if digest.catch_up_hours >= kept_hours:
            message = (
                f"must be shorter than alerting.keep_delivered_days ({kept_hours:g} hours), or "
                "a digest delivered and forgotten could be sent again"
            )
            problems.append(FieldProblem((*at, "catch_up_hours"), message))
    return problems


def _unknowns(
    names: Sequence[str], path: FieldPath, kind: str, known: Sequence[str]
) -> list[FieldProblem]:
    return [_unknown((*path, i), kind, known) for i, name in enumerate(names) if name not in known]


def _unknown(path: FieldPath, kind: str, known: Sequence[str]) -> FieldProblem:
    return FieldProblem(path, f"unknown {kind}; configured: {', '.join(known) or 'none'}")
