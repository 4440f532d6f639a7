"""The SLA sweep against the real Elasticsearch and a real outbox (issue 11, item 6): an
unanswered case past its SLA is marked once and escalated once, to the channels set for its
priority and its team, across repeated sweeps, a restart and a crash between the two."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from alerts.cases import CaseStore
from alerts.escalation import SlaSweep
from alerts.notices import escalation_notices
from alerts.notify.sqlite_outbox import SqliteOutbox
from alerts.rules import CaseAction
from config.rules import CaseSettings, EscalationSettings
from core.index_names import IndexNames
from core.records import AnalyzedMention, Author, Case, Priority
from indexer.templates import install_templates

pytestmark = pytest.mark.elasticsearch

T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ESCALATION = EscalationSettings(
    by_priority={"urgent": ["leads"]}, by_team={"care": ["care-hook", "leads"]}
)


def action(priority: Priority, team: str | None) -> CaseAction:
    return CaseAction(
        brand="Hoshi Mobile",
        priority=priority,
        team=team,
        rule="complaint",
        reason="complaint: negative",
        do_not_market=False,
        notify=(),
    )


def post(author: str) -> AnalyzedMention:
    return AnalyzedMention(
        source="hn",
        native_id=author,
        text=f"{author}: nobody answers",
        published_at=T0,
        collected_at=T0,
        author=Author(id=author, handle=author),
    )


@pytest.fixture
def store(es: Elasticsearch, index_names: IndexNames) -> Iterator[CaseStore]:
    install_templates(es, index_names)
    yield CaseStore(es, index_names, CaseSettings())


def test_escalation_channels_join_those_of_the_priority_and_the_team() -> None:
    assert ESCALATION.channels_for("urgent", "care") == ("leads", "care-hook")
    assert ESCALATION.channels_for("high", "care") == ("care-hook", "leads")
    assert ESCALATION.channels_for("urgent", None) == ("leads",)
    assert ESCALATION.channels_for("high", "noc") == ()


def test_an_escalation_notice_is_keyed_by_case_and_channel(store: CaseStore) -> None:
    case = store.apply(action("urgent", "care"), post("u1"), T0).case
    notices = escalation_notices(case, ("leads", "care-hook"), T0 + timedelta(minutes=45))
    assert [n.key for n in notices] == [
        f"escalation:{case.id}:leads",
        f"escalation:{case.id}:care-hook",
    ]
    notice = notices[0]
    assert (notice.kind, notice.case_id, notice.priority, notice.team) == (
        "case_escalated",
        case.id,
        "urgent",
        "care",
    )
    assert notice.subject == "[urgent] SLA breached: Hoshi Mobile case for u1 on hn"
    assert notice.body.startswith("No response 15 minutes after the SLA (due 2026-11-20 09:30 UTC)")
    assert "u1: nobody answers" in notice.body and notice.case == case
    assert notice.facts["assigned_to"] == "nobody"


def opened(store: CaseStore) -> dict[str, Case]:
    cases = {
        "urgent_care": store.apply(action("urgent", "care"), post("u1"), T0).case,
        "high_noc": store.apply(action("high", "noc"), post("u2"), T0).case,
        "answered": store.apply(action("urgent", "care"), post("u3"), T0).case,
        "later": store.apply(action("low", "care"), post("u4"), T0).case,
    }
    store.respond(cases["answered"].id, T0 + timedelta(minutes=5), actor="aiko")
    store.refresh()
    return cases


def kinds(store: CaseStore, case: Case) -> list[str]:
    return [event.kind for event in store.get(case.id).history]


def test_breaches_are_marked_and_escalated_once_across_sweeps_and_a_restart(
    store: CaseStore, es: Elasticsearch, index_names: IndexNames, tmp_path: Path
) -> None:
    cases = opened(store)
    outbox = SqliteOutbox(tmp_path / "outbox.sqlite")
    sweep = SlaSweep(store, outbox, ESCALATION)
    assert sweep.run(T0 + timedelta(minutes=10)).breached == ()

    report = sweep.run(T0 + timedelta(hours=3))
    assert sorted(c.id for c in report.breached) == sorted(
        [cases["urgent_care"].id, cases["high_noc"].id]
    )
    assert report.notices == 2
    urgent = cases["urgent_care"].id
    assert sorted(e.key for e in outbox.pending()) == [
        f"escalation:{urgent}:care-hook",
        f"escalation:{urgent}:leads",
    ]
    marked = store.get(urgent)
    assert marked.sla_breached and marked.updated_at == T0 + timedelta(hours=3)
    assert [(e.kind, e.note) for e in marked.history[-2:]] == [
        ("sla_breached", None),
        ("escalated", "to leads, care-hook"),
    ]
    assert kinds(store, cases["high_noc"])[-1] == "sla_breached", "no channel: marked only"

    store.refresh()
    assert sweep.run(T0 + timedelta(hours=4)).breached == ()
    outbox.close()

    restarted = CaseStore(es, index_names, CaseSettings())
    with SqliteOutbox(tmp_path / "outbox.sqlite") as reopened:
        again = SlaSweep(restarted, reopened, ESCALATION).run(T0 + timedelta(hours=5))
        assert (again.breached, again.notices) == ((), 0)
        assert reopened.counts().pending == 2
    for name in ("urgent_care", "high_noc"):
        assert kinds(store, cases[name]).count("sla_breached") == 1
    assert kinds(store, cases["urgent_care"]).count("escalated") == 1
    assert "sla_breached" not in kinds(store, cases["answered"])
    assert "sla_breached" not in kinds(store, cases["later"]), "a low case is due in a day"


def test_a_crash_between_the_outbox_and_the_mark_escalates_once(
    store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = store.apply(action("urgent", "care"), post("u1"), T0).case
    store.refresh()
    outbox = SqliteOutbox(tmp_path / "outbox.sqlite")

    def killed(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed")

    with monkeypatch.context() as patched:
        patched.setattr(store, "mark_sla_breach", killed)
        with pytest.raises(RuntimeError):
            SlaSweep(store, outbox, ESCALATION).run(T0 + timedelta(hours=1))
    assert outbox.counts().pending == 2 and not store.get(case.id).sla_breached

    report = SlaSweep(store, outbox, ESCALATION).run(T0 + timedelta(hours=2))
    assert [c.id for c in report.breached] == [case.id]
    assert report.notices == 0, "the outbox had them already: stored once"
    assert outbox.counts().pending == 2
    assert kinds(store, case).count("escalated") == 1
    outbox.close()


def test_a_case_answered_meanwhile_is_not_marked(store: CaseStore) -> None:
    case = store.apply(action("urgent", "care"), post("u1"), T0).case
    store.refresh()
    store.respond(case.id, T0 + timedelta(hours=1), actor="aiko")  # found before this
    assert store.mark_sla_breach(case.id, T0 + timedelta(hours=1), ("leads",)) is None
    assert kinds(store, case)[-1] == "responded", "the response itself says it was late"
