"""``/trends``, the marketers' page: who may open it (marketers, leads, admins; an agent gets
403, a stranger the sign-in page), its controls and the state of a view kept in its query,
the CSV links that answer the same figures, a view that cannot be asked for, and the page
opening when Elasticsearch is down (the figures, loaded by the browser, then say so)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import AnyHttpUrl

from config import Settings
from core import IndexNames
from kikimimi.accounts import Accounts
from kikimimi.web import create_app
from tests.conftest import free_port
from tests.indexer.trends.conftest import HOSHI, KAZE, NAMI
from tests.kikimimi.web.conftest import FakeClock, NewClient, sign_in

pytestmark = pytest.mark.elasticsearch

NOW = datetime(2026, 11, 20, 15, 20, tzinfo=UTC)
WEEK = {"period": "custom", "start": "2026-11-08", "end": "2026-11-14"}
DATA_QUERY = re.compile(r'data-query="([^"]*)"')


@pytest.fixture(autouse=True)
def fixed_time(clock: FakeClock) -> None:
    clock.now = NOW


def data_query(page: str) -> str:
    found = DATA_QUERY.search(page)
    assert found, "no data-query on the page"
    return html.unescape(found.group(1))


@pytest.mark.parametrize(
    ("name", "status"), [("ana", 403), ("mia", 200), ("ken", 200), ("root", 200)]
)
def test_who_may_open_the_trends(client: TestClient, name: str, status: int) -> None:
    sign_in(client, name)

    response = client.get("/trends")

    assert response.status_code == status
    if status == 403:
        assert "your role (agent) may not view trends" in response.text
    else:
        assert "<h1>Trends</h1>" in response.text
        assert '<a href="/trends" aria-current="page">Trends</a>' in response.text


def test_the_nav_links_the_trends_for_those_who_may_see_them(new_client: NewClient) -> None:
    for name, shown in (("ana", False), ("mia", True), ("ken", True), ("root", True)):
        browser = new_client()
        sign_in(browser, name)
        assert ('href="/trends"' in browser.get("/feeds").text) == shown, name


def test_a_stranger_is_sent_to_sign_in(client: TestClient) -> None:
    response = client.get("/trends", params={"period": "30d"})

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Ftrends%3Fperiod%3D30d"


def test_the_controls_and_the_figures_frames(client: TestClient) -> None:
    sign_in(client, "mia")

    page = client.get("/trends").text

    assert '<select name="period" id="trend-period">' in page
    for preset, bucket in (("24h", "hour"), ("7d", "day"), ("30d", "day"), ("90d", "week")):
        assert f'<option value="{preset}" data-bucket="{bucket}"' in page
    assert '<option value="7d" data-bucket="day" selected>Last 7 days</option>' in page
    assert '<input type="date" name="start" id="trend-start" value="2026-11-13">' in page
    assert '<input type="date" name="end" id="trend-end" value="2026-11-20">' in page
    assert '<option value="day" selected>Day</option>' in page
    for brand, role in ((HOSHI, "ours"), (NAMI, "competitor"), (KAZE, "competitor")):
        box = f'<input type="checkbox" name="brand" value="{brand}" checked> {brand}'
        assert f'{box} <span class="muted">{role}</span>' in page
    for chart in ("volume", "sentiment-time", "net-sentiment", "share", "sources", "topics"):
        assert f'<canvas id="{chart}-chart" role="img"' in page
    for heading in ("Rising themes", "Emerging themes", "Spikes", "Most-reached authors"):
        assert f">{heading}</h2>" in page
    assert '<script src="/static/vendor/chart.umd.min.js" defer></script>' in page
    assert '<script src="/static/trends.js" defer></script>' in page
    assert data_query(page) == (
        "start=2026-11-13T16%3A00%3A00%2B00%3A00&end=2026-11-20T16%3A00%3A00%2B00%3A00"
        "&bucket=day&brand=Hoshi+Mobile&brand=Nami+Telecom&brand=Kaze+Wireless"
    )


def test_a_view_is_kept_in_the_query_and_its_csv_links_answer_it(
    client: TestClient, seeded: IndexNames
) -> None:
    sign_in(client, "mia")

    page = client.get("/trends", params={**WEEK, "brand": [HOSHI, "nami telecom"]}).text

    assert '<option value="custom" selected>Custom days</option>' in page
    assert f'value="{HOSHI}" checked>' in page and f'value="{NAMI}" checked>' in page
    assert f'value="{KAZE}">' in page
    query = data_query(page)
    assert query.startswith("start=2026-11-08T00%3A00%3A00%2B00%3A00&end=2026-11-15T00")
    assert query.endswith("&bucket=day&brand=Hoshi+Mobile&brand=Nami+Telecom")
    assert "2026-11-08 00:00 UTC – 2026-11-15 00:00 UTC by day" in page
    links = re.findall(r'<a class="csv-link" href="([^"]+)" download>', page)
    assert len(links) == 9  # volume twice: its sentiment over time too
    volume = client.get(html.unescape(links[0]))
    assert volume.status_code == 200
    assert volume.headers["content-type"] == "text/csv; charset=utf-8"
    assert volume.text.startswith("\ufeffbrand,role,period,bucket_start,total")
    assert len(volume.text.strip().splitlines()) == 1 + 2 * 2 * 7  # 2 brands, 2 periods, 7 days


def test_a_view_that_cannot_be_asked_for_says_why(client: TestClient) -> None:
    sign_in(client, "mia")

    page = client.get("/trends", params={"period": "90d", "bucket": "hour"}).text

    assert "This view cannot be shown: at most 400 hour buckets" in page
    assert 'data-query=""' in page
    assert "csv-link" not in page


@pytest.mark.parametrize(
    "params",
    [
        {"period": "yesterday"},
        {"bucket": "minute"},
        {"period": "custom", "start": "8 Nov"},
        {"period": "custom", "start": "0001-01-01"},
        {"brand": "x" * 201},
    ],
)
def test_a_malformed_query_is_a_400_page(client: TestClient, params: dict[str, str]) -> None:
    sign_in(client, "mia")

    response = client.get("/trends", params=params)

    assert response.status_code == 400
    assert "invalid request" in response.text


def test_hostile_brand_names_are_escaped(client: TestClient, settings: Settings) -> None:
    settings.competitors.append(settings.competitors[0].model_copy(update={"name": "<b>x</b>"}))
    sign_in(client, "mia")

    page = client.get("/trends").text

    assert "<b>x</b>" not in page
    assert 'value="&lt;b&gt;x&lt;/b&gt;" checked> &lt;b&gt;x&lt;/b&gt;' in page


def test_without_elasticsearch_the_page_still_opens_and_the_figures_say_why(
    tmp_path: Path, settings: Settings, accounts: Accounts, clock: FakeClock
) -> None:
    down = settings.model_copy(
        update={
            "elasticsearch": settings.elasticsearch.model_copy(
                update={"hosts": [AnyHttpUrl(f"http://127.0.0.1:{free_port()}")]}
            )
        }
    )
    with TestClient(
        create_app(down, accounts=accounts, clock=clock), follow_redirects=False
    ) as browser:
        sign_in(browser, "mia")

        page = browser.get("/trends")
        figure = browser.get("/api/v1/trends/volume")

    assert page.status_code == 200
    assert "<h1>Trends</h1>" in page.text
    assert figure.status_code == 503
    assert "Elasticsearch" in figure.json()["error"]
