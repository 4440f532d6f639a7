"""Notices for case events, SLA escalations, team feeds and spikes, with idempotency keys.

A notice's key names the event and channel it is for (case + mention + channel, escalation
+ case + channel, feed + mention + channel, spike + brand + window + channel), so a
replayed batch or a repeated sweep produces the same keys and the outbox stores each
notice once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from alerts.excerpts import excerpt
from alerts.spikes import SpikeAlert
from core import Case, IndexedMention, Mention, Notice

__all__ = ["case_notices", "escalation_notices", "feed_notices", "spike_notices"]


def _excerpt(mention: Mention) -> str:
    return excerpt(mention.text)


def _who(mention: Mention) -> str:
    handle = mention.author.handle or mention.author.name or mention.author.id or "someone"
    return f"{handle} on {mention.source}"


def case_notices(
    case: Case, mention: IndexedMention, channels: Sequence[str], now: datetime
) -> list[Notice]:
    """One notice per channel for the case event this mention caused (opened or updated)."""
    opened = case.mention_ids[0] == mention.id
    kind = "case_opened" if opened else "case_updated"
    verb = "opened" if opened else f"updated ({len(case.mention_ids)} posts)"
    subject = f"[{case.priority}] {case.brand} case {verb}: {_who(mention)}"
    body = f"{case.reason}\n\n{_excerpt(mention)}"
    facts = {"team": case.team or "", "rule": case.rule, "sla_due_at": case.sla_due_at.isoformat()}
    return [
        Notice(
            key=f"{case.id}:{mention.id}:{channel}",
            channel=channel,
            kind=kind,
            created_at=now,
            subject=subject,
            body=body,
            brand=case.brand,
            priority=case.priority,
            team=case.team,
            case_id=case.id,
            url=mention.url,
            mention=mention,
            case=case,
            facts=facts,
        )
        for channel in channels
    ]


def escalation_notices(case: Case, channels: Sequence[str], now: datetime) -> list[Notice]:
    """An unanswered case past its SLA, one notice per channel, keyed by case and channel:
    however often a sweep repeats it, the outbox stores each once."""
    who = case.author.handle or case.author.name or case.author.id or "someone"
    where = f"{who} on {case.source}" if case.source else who
    late = int((now - case.sla_due_at).total_seconds() // 60)
    holder = case.assigned_to or "nobody"
    body = (
        f"No response {late} minutes after the SLA (due {case.sla_due_at:%Y-%m-%d %H:%M} UTC)"
        f"; {len(case.mention_ids)} post(s), assigned to {holder}.\n\n{case.reason}"
        f"\n\n{case.excerpt}"
    )
    facts = {
        "team": case.team or "",
        "rule": case.rule,
        "sla_due_at": case.sla_due_at.isoformat(),
        "assigned_to": holder,
    }
    return [
        Notice(
            key=f"escalation:{case.id}:{channel}",
            channel=channel,
            kind="case_escalated",
            created_at=now,
            subject=f"[{case.priority}] SLA breached: {case.brand} case for {where}",
            body=body,
            brand=case.brand,
            priority=case.priority,
            team=case.team,
            case_id=case.id,
            case=case,
            facts=facts,
        )
        for channel in channels
    ]


def feed_notices(
    feed: str, mention: IndexedMention, channels: Sequence[str], now: datetime, reason: str
) -> list[Notice]:
    """A mention forwarded to a team feed (no case), one notice per channel."""
    brand = mention.brands[0].brand if mention.brands else None
    return [
        Notice(
            key=f"feed:{feed}:{mention.id}:{channel}",
            channel=channel,
            kind="feed",
            created_at=now,
            subject=f"[{feed}] {brand or 'mention'}: {_who(mention)}",
            body=f"{reason}\n\n{_excerpt(mention)}",
            brand=brand,
            team=feed,
            url=mention.url,
            mention=mention,
            facts={"feed": feed},
        )
        for channel in channels
    ]


def spike_notices(alert: SpikeAlert, channels: Sequence[str], now: datetime) -> list[Notice]:
    """A spike alert, one notice per channel, with counts, baseline and example posts."""
    examples = "\n".join(f"- {_who(m)}: {_excerpt(m)}" for m in alert.examples)
    return [
        Notice(
            key=f"{alert.key}:{channel}",
            channel=channel,
            kind="spike",
            created_at=now,
            subject=f"Spike: {alert.count} negative mentions of {alert.brand}",
            body=f"{alert.reason()}\n\nExamples:\n{examples}",
            brand=alert.brand,
            priority="urgent",
            facts={
                "count": str(alert.count),
                "baseline": f"{alert.baseline:.1f}",
                "ratio": f"{alert.ratio:.1f}",
                "window_start": alert.window_start.isoformat(),
                "window_end": alert.window_end.isoformat(),
                "top_topics": ", ".join(t for t, _ in alert.top_topics),
            },
        )
        for channel in channels
    ]
