"""``/dashboard`` on the real Elasticsearch: leads and admins only; today's KPI tiles equal
``kikimimi report``'s figures (``alerts.kpi_report``) for the lead's teams; SLA breaches
and cases at risk listed with links to their case pages; another team's cases left out."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pytest
from elasticsearch import Elasticsearch
from fastapi.testclient import TestClient

from alerts import CaseStore, care_tiles, kpi_report
from core import IndexNames
from tests.kikimimi.web.conftest import NewClient, sign_in
from tests.kikimimi.web.listening.conftest import HOSTILE, NOW, OpenCase

pytestmark = pytest.mark.elasticsearch

TILE = re.compile(
    r'<div class="tile-label">([^<]*)</div><div class="tile-value">([^<]*)</div>'
    r'<div class="tile-detail muted">([^<]*)</div>'
)
MIDNIGHT = datetime.combine(NOW.date(), time(), tzinfo=NOW.tzinfo)


@pytest.mark.parametrize(("name", "status"), [("ana", 403), ("mia", 403), ("cy", 403)])
def test_agents_and_marketers_may_not_open_it(client: TestClient, name: str, status: int) -> None:
    sign_in(client, name)
    response = client.get("/dashboard")
    assert response.status_code == status
    assert "view the dashboard" in response.text


def work_a_day(open_case: OpenCase, store: CaseStore) -> None:
    """Cases of care and billing today (answered, closed with CSAT, open), one yesterday."""
    answered = open_case(team="care", minutes_ago=300)
    store.respond(answered.id, NOW - timedelta(minutes=280), "ken", "on it")
    store.close(answered.id, NOW - timedelta(minutes=200), csat=5, actor="ken")
    slow = open_case(team="care", minutes_ago=240)
    store.respond(slow.id, NOW - timedelta(minutes=100), "ana", "sorry")
    open_case(team="care", minutes_ago=60)
    billing = open_case(team="billing", minutes_ago=120)
    store.close(billing.id, NOW - timedelta(minutes=110), csat=1, actor="cy")
    open_case(team="care", minutes_ago=24 * 60)  # yesterday: not today's
    store.refresh()


def tiles(html: str) -> list[tuple[str, str, str]]:
    return [(a, b, c.replace("&amp;", "&")) for a, b, c in TILE.findall(html)]


def test_kpi_tiles_are_the_reports_figures_for_the_leads_teams(
    client: TestClient,
    new_client: NewClient,
    open_case: OpenCase,
    store: CaseStore,
    es: Elasticsearch,
    index_names: IndexNames,
) -> None:
    work_a_day(open_case, store)
    sign_in(client, "ken")
    shown = tiles(client.get("/dashboard").text)
    care = kpi_report(es, index_names, store, start=MIDNIGHT, end=NOW, teams=["care", "care-leads"])
    assert shown == care_tiles(care)
    assert ("Cases opened", "3", "2 still open") in shown
    assert ("CSAT", "100.0%", "mean 5.00 / 5 · 1 scores") in shown

    admin = dashboard_of(new_client, "root")
    everyone = kpi_report(es, index_names, store, start=MIDNIGHT, end=NOW)
    assert tiles(admin) == care_tiles(everyone)
    assert ("Cases opened", "4", "2 still open") in tiles(admin)


def dashboard_of(new_client: NewClient, name: str) -> str:
    """The dashboard as ``name`` sees it, in a browser of their own."""
    browser = new_client()
    sign_in(browser, name)
    return browser.get("/dashboard").text


def test_open_cases_by_team(client: TestClient, open_case: OpenCase, store: CaseStore) -> None:
    work_a_day(open_case, store)
    sign_in(client, "ken")
    rows = re.findall(
        r"<tr><td>([^<]*)</td><td>(\d+)</td><td>(\d+)</td></tr>", client.get("/dashboard").text
    )
    assert rows == [("care", "3", "3"), ("care-leads", "0", "0")]  # billing is not ken's


def test_breaches_and_cases_at_risk_link_to_their_cases(
    client: TestClient, new_client: NewClient, open_case: OpenCase, store: CaseStore
) -> None:
    breached = open_case(team="care", priority="urgent", minutes_ago=90, text=HOSTILE)
    risky = open_case(team="care", priority="urgent", minutes_ago=10)  # due in 20 min
    calm = open_case(team="care", priority="normal", minutes_ago=10)  # due in 470 min
    answered = open_case(team="care", priority="urgent", minutes_ago=15)
    store.respond(answered.id, NOW, "ana", "on it")
    theirs = open_case(team="billing", priority="urgent", minutes_ago=90)
    assert {c.id for c in store.mark_sla_breaches(NOW)} == {breached.id, theirs.id}
    store.refresh()

    sign_in(client, "ken")
    page = client.get("/dashboard").text
    breaches = page[page.index('id="breached"') : page.index('id="risk-heading"')]
    at_risk = page[page.index('id="risk-heading"') :]
    assert f'href="/cases/{breached.id}"' in breaches
    assert f'href="/cases/{theirs.id}"' not in page  # billing's
    assert f'href="/cases/{risky.id}"' in at_risk
    assert f'href="/cases/{calm.id}"' not in page
    assert f'href="/cases/{answered.id}"' not in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page

    admin = dashboard_of(new_client, "root")
    assert f'href="/cases/{theirs.id}"' in admin
