"""The SLA sweep: unanswered open cases past their SLA are marked breached and escalated,
each once, to the channels set for their priority and team (``alerting.escalation``).

For each case due, the escalation notices go into the outbox *before* the case is marked.
A sweep interrupted between the two finds the case again next time: its notices' keys are
in the outbox already (stored once), and it is marked then. A marked case is never found
again, so neither sweeps nor restarts escalate a case twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from alerts.cases import CaseStore
from alerts.notices import escalation_notices
from config import EscalationSettings
from core import Case, Notice

__all__ = ["NoticeSink", "SlaSweep", "SweepReport"]


class NoticeSink(Protocol):
    """Where notices go: the outbox (``enqueue`` stores each key once, returns how many
    were new)."""

    def enqueue(self, notices: Iterable[Notice]) -> int: ...


@dataclass(frozen=True)
class SweepReport:
    """What one sweep did: the cases it marked, and how many notices were new in the
    outbox."""

    breached: tuple[Case, ...] = ()
    notices: int = 0


class SlaSweep:
    """Marks and escalates SLA breaches (see the module)."""

    def __init__(self, cases: CaseStore, outbox: NoticeSink, settings: EscalationSettings) -> None:
        self.cases = cases
        self.outbox = outbox
        self.settings = settings

    def run(self, now: datetime) -> SweepReport:
        """One sweep at ``now``."""
        due = self.cases.sla_breaches_due(now)
        channels = {case.id: self.settings.channels_for(case.priority, case.team) for case in due}
        notices = [
            notice for case in due for notice in escalation_notices(case, channels[case.id], now)
        ]
        added = self.outbox.enqueue(notices) if notices else 0
        marked = (self.cases.mark_sla_breach(case.id, now, channels[case.id]) for case in due)
        return SweepReport(tuple(case for case in marked if case is not None), added)
