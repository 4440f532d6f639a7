"""Settings of the alerting stage: rules (data, not code), cases, spikes and VIP authors.

Every field is documented in ``docs/configuration.md`` (sections *Rules* and *Alerting*).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core import Priority

Name = Annotated[str, Field(pattern=r"^[a-z0-9_-]+$")]
Probability = Annotated[float, Field(ge=0, le=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleSettings(_Strict):
    """An alert rule: conditions on an analysed mention (all must hold; an empty list or
    ``null`` means any) and the actions taken when they do."""

    name: Name
    enabled: bool = True
    # conditions
    brand_role: Literal["own", "competitor"] | None = None
    brands: list[str] = []
    sentiment: list[Literal["negative", "neutral", "positive"]] = []
    min_negative: Probability | None = None
    intent: list[Literal["complaint", "question", "praise", "other"]] = []
    topics: list[str] = []
    sources: list[str] = []
    languages: list[str] = []
    tagged: bool | None = None
    vip: bool | None = None
    min_followers: Annotated[int, Field(ge=0)] | None = None
    keywords: list[Annotated[str, Field(min_length=1)]] = []
    # actions
    open_case: bool = False
    priority: Priority = "normal"
    team: str | None = None
    notify: list[str] = []
    do_not_market: bool = False
    feed: str | None = None

    @model_validator(mode="after")
    def _does_something(self) -> RuleSettings:
        if not (self.open_case or self.notify or self.feed or self.do_not_market):
            raise ValueError("a rule needs an action: open_case, notify, feed or do_not_market")
        if self.do_not_market and not self.open_case:
            raise ValueError("do_not_market lasts while a case is open, so it needs open_case")
        return self


DEFAULT_SLA_MINUTES: dict[Priority, int] = {"urgent": 30, "high": 120, "normal": 480, "low": 1440}


class CaseSettings(_Strict):
    """How cases group mentions, when their SLA is due, and how often the main job looks
    for breaches."""

    group_window_hours: Annotated[float, Field(gt=0)] = 24.0
    sla_minutes: dict[Priority, Annotated[int, Field(gt=0)]] = DEFAULT_SLA_MINUTES
    sla_sweep_seconds: Annotated[float, Field(gt=0)] = 60.0

    @field_validator("sla_minutes", mode="before")
    @classmethod
    def _over_the_defaults(cls, value: object) -> object:
        """A partial map sets the priorities it names; the others keep their default."""
        return {**DEFAULT_SLA_MINUTES, **value} if isinstance(value, Mapping) else value


class SpikeSettings(_Strict):
    """Spike alerts on the volume of negative mentions per brand."""

    enabled: bool = True
    window_minutes: Annotated[int, Field(ge=1)] = 60
    baseline_weeks: Annotated[int, Field(ge=1, le=52)] = 4
    min_count: Annotated[int, Field(ge=1)] = 10
    min_ratio: Annotated[float, Field(gt=1)] = 3.0
    confirm_windows: Annotated[int, Field(ge=1)] = 2
    evaluate_every_seconds: Annotated[int, Field(ge=1)] = 300
    cooldown_minutes: Annotated[int, Field(ge=0)] = 240
    brand_role: Literal["own", "competitor"] | None = "own"
    notify: list[str] = []


class EscalationSettings(_Strict):
    """Where an SLA breach is escalated: the channels of the case's priority and those of its
    team, together."""

    by_priority: dict[Priority, list[str]] = {}
    by_team: dict[str, list[str]] = {}

    def channels_for(self, priority: Priority, team: str | None) -> tuple[str, ...]:
        """The channels for a case of ``priority`` and ``team``, each once, in order."""
        by_team = self.by_team.get(team, []) if team is not None else []
        named = [*self.by_priority.get(priority, []), *by_team]
        return tuple(dict.fromkeys(named))


class AlertingSettings(_Strict):
    """Cases, their escalation, spikes, the VIP list, and how notices are retried and kept."""

    vip_authors: list[Annotated[str, Field(min_length=1)]] = []
    retry_seconds: Annotated[float, Field(ge=0)] = 5.0
    max_retry_seconds: Annotated[float, Field(ge=0)] = 900.0
    keep_delivered_days: Annotated[float, Field(gt=0)] = 30.0
    cases: CaseSettings = CaseSettings()
    escalation: EscalationSettings = EscalationSettings()
    spikes: SpikeSettings = SpikeSettings()
