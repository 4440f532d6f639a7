"""``/api/v1/trends/...`` on the real local Elasticsearch and the seeded stream (answers
known): the figures, the previous-period deltas, the rising themes, CSV downloads, who may
ask (an agent may not) and bad parameters (4xx, never 5xx)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from fastapi import HTTPException
from fastapi.testclient import TestClient

from config import Settings
from core import IndexNames
from kikimimi.accounts import Accounts
from kikimimi.web.trends import TrendParams, Trends
from tests.indexer.trends.conftest import HOSHI, KAZE, NAMI, SCOPE, WEEK, mention
from tests.kikimimi.web.conftest import FakeClock, sign_in

pytestmark = pytest.mark.elasticsearch

PERIOD = {"start": SCOPE.start.isoformat(), "end": SCOPE.end.isoformat()}
ROUTES = (
    "volume",
    "share-of-voice",
    "sentiment",
    "topics",
    "themes",
    "sources",
    "authors",
    "posts",
)


def bearer(accounts: Accounts, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.issue_token(name).secret}"}


def ask(client: TestClient, headers: dict[str, str], route: str, **params: Any) -> Any:
    response = client.get(f"/api/v1/trends/{route}", params={**PERIOD, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture
def mia(accounts: Accounts) -> dict[str, str]:
    return bearer(accounts, "mia")


def test_volume_and_its_change_per_brand(
    client: TestClient, mia: dict[str, str], seeded: IndexNames
) -> None:
    volume = ask(client, mia, "volume")

    assert volume["period"]["previous_start"] == "2026-11-01T00:00:00Z"
    assert [(b["brand"], b["role"]) for b in volume["brands"]] == [
        (HOSHI, "own"),
        (NAMI, "competitor"),
        (KAZE, "competitor"),
    ]
    hoshi = volume["brands"][0]
    assert hoshi["current"]["negative"] == 30
    assert hoshi["change"] == {"current": 60, "previous": 40, "difference": 20, "ratio": 0.5}
    assert [p["counts"]["total"] for p in hoshi["series"]] == [9, 9, 9, 9, 8, 8, 8]


def test_share_of_voice_and_net_sentiment(
    client: TestClient, mia: dict[str, str], seeded: IndexNames
) -> None:
    voice = ask(client, mia, "share-of-voice")
    sentiment = ask(client, mia, "sentiment", brand=[HOSHI, NAMI])

    hoshi = voice["brands"][0]
    assert hoshi["all_posts"]["share"] == pytest.approx(0.6)
    assert hoshi["all_posts"]["change"] == pytest.approx(0.2)
    assert hoshi["negative_posts"]["share"] == pytest.approx(0.75)
    assert voice["competitors"]["all_posts"]["share"] == pytest.approx(0.4)
    assert [b["brand"] for b in sentiment["brands"]] == [HOSHI, NAMI]
    assert sentiment["brands"][0]["net"] == pytest.approx(-1 / 6)
    assert sentiment["brands"][0]["previous_net"] == pytest.approx(0.25)


def test_brands_are_chosen_by_name_whatever_the_case(
    client: TestClient, mia: dict[str, str], seeded: IndexNames
) -> None:
    voice = ask(client, mia, "share-of-voice", brand=["nami telecom", "KAZE WIRELESS"])

    assert [b["brand"] for b in voice["brands"]] == [NAMI, KAZE]
    assert (voice["own"]["all_posts"]["posts"], voice["own"]["all_posts"]["share"]) == (0, 0.0)
    assert voice["brands"][0]["all_posts"]["share"] == pytest.approx(0.75)  # 30 of 40


def test_rising_themes_in_english_and_japanese_with_examples(
    client: TestClient, mia: dict[str, str], seeded: IndexNames
) -> None:
    themes = ask(client, mia, "themes", size=5)

    terms = [theme["term"] for theme in themes["themes"]]
    assert "roaming" in terms and "圏外" in terms, terms
    japanese = themes["themes"][terms.index("圏外")]
    assert japanese["previous_posts"] == 0
    assert all("圏外" in post["excerpt"] for post in japanese["examples"])
    assert japanese["examples"][0]["url"].startswith("https://social.example/")

    behind = ask(client, mia, "posts", theme=japanese["key"], brand=HOSHI)
    assert behind["total"] == 15


def test_topics_sources_authors_and_the_posts_behind_a_bar(
    client: TestClient, mia: dict[str, str], seeded: IndexNames
) -> None:
    topics = ask(client, mia, "topics", topics=1)
    sources = ask(client, mia, "sources", size=2)
    authors = ask(client, mia, "authors", size=2)
    day = {"start": WEEK.isoformat(), "end": (WEEK + timedelta(days=1)).isoformat()}
    bar = ask(client, mia, "posts", **day, brand=HOSHI, sentiment="negative")

    outage = topics["brands"][0]["topics"][0]
    assert (outage["topic"], outage["change"]["difference"]) == ("outage", 20)
    assert [s["source"] for s in sources["sources"]] == ["bluesky", "mastodon"]
    assert [(a["handle"], a["reach"]) for a in authors["authors"]] == [
        ("busy", 40_000),
        ("star", 30_000),
    ]
    assert bar["total"] == 5
    assert {post["sentiment"] for post in bar["posts"]} == {"negative"}


def test_without_a_period_the_last_seven_days(
    client: TestClient, mia: dict[str, str], seeded: IndexNames, clock: FakeClock
) -> None:
    clock.now = SCOPE.end

    response = client.get("/api/v1/trends/volume", headers=mia)

    assert response.status_code == 200
    assert response.json()["brands"][0]["change"]["current"] == 60


def test_csv_downloads(client: TestClient, mia: dict[str, str], seeded: IndexNames) -> None:
    response = client.get("/api/v1/trends/volume", params={**PERIOD, "format": "csv"}, headers=mia)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition == 'attachment; filename="kikimimi-volume-20261108T0000Z-20261115T0000Z.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3 * 2 * 7  # brands × periods × days
    first = rows[0]
    assert (first["brand"], first["role"], first["period"]) == (HOSHI, "own", "current")
    assert (first["bucket_start"], first["total"]) == ("2026-11-08T00:00:00+00:00", "9")
    for route in ROUTES[1:-1]:
        answer = client.get(
            f"/api/v1/trends/{route}", params={**PERIOD, "format": "csv"}, headers=mia
        )
        assert answer.status_code == 200, route
        assert answer.text.startswith("\ufeff"), route


def test_text_from_posts_is_never_a_formula_in_csv(
    client: TestClient, mia: dict[str, str], es: Elasticsearch, seeded: IndexNames
) -> None:
    hostile = mention(
        "hostile",
        "=1+2",
        WEEK + timedelta(hours=2),
        HOSHI,
        "negative",
        topics=["=cmd|'/C calc'!A0"],
    )
    es.index(
        index=seeded.mention_index(hostile.published_at),
        id=hostile.id,
        document=hostile.model_dump(mode="json", exclude_none=True),
        refresh=True,
    )

    response = client.get(
        "/api/v1/trends/topics", params={**PERIOD, "format": "csv", "brand": HOSHI}, headers=mia
    )

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert "'=cmd|'/C calc'!A0" in {row["topic"] for row in rows}
    assert not any(row["topic"].startswith("=") for row in rows)


@pytest.mark.parametrize(
    ("name", "status"), [("ana", 403), ("mia", 200), ("ken", 200), ("root", 200)]
)
def test_who_may_see_the_trends(
    client: TestClient, accounts: Accounts, seeded: IndexNames, name: str, status: int
) -> None:
    headers = bearer(accounts, name)
    for route in ROUTES:
        response = client.get(f"/api/v1/trends/{route}", params=PERIOD, headers=headers)
        assert response.status_code == status, (route, response.text)
    if status == 403:
        assert response.json() == {"error": "your role (agent) may not view trends"}


def test_signed_in_marketers_use_their_session_and_strangers_are_refused(
    client: TestClient, new_client: Any, seeded: IndexNames
) -> None:
    sign_in(client, "mia")

    assert client.get("/api/v1/trends/volume", params=PERIOD).status_code == 200
    stranger = new_client()
    for route in ROUTES:
        response = stranger.get(f"/api/v1/trends/{route}", params=PERIOD)
        assert response.status_code == 401
        assert response.json() == {"error": "sign in or send an API token"}


@pytest.mark.parametrize(
    ("route", "params", "status"),
    [
        ("volume", {"bucket": "minute"}, 422),
        ("volume", {"start": "yesterday"}, 422),
        ("volume", {"start": PERIOD["end"], "end": PERIOD["start"]}, 422),
        ("volume", {"start": PERIOD["start"], "end": "2028-01-01T00:00:00Z"}, 422),
        (
            "volume",
            {"start": PERIOD["start"], "bucket": "hour", "end": "2026-12-08T00:00:00Z"},
            422,
        ),
        ("volume", {"start": "2999-01-01T00:00:00Z"}, 400),
        ("volume", {"format": "xml"}, 422),
        ("volume", {"brand": "Nobody Mobile"}, 400),
        ("volume", {"brand": ""}, 400),
        ("topics", {"topics": 0}, 422),
        ("topics", {"topics": 11}, 422),
        ("themes", {"size": 1000}, 422),
        ("authors", {"size": -1}, 422),
        ("posts", {"sentiment": "furious"}, 422),
        ("posts", {"theme": "x" * 201}, 422),
        ("posts", {"size": 101}, 422),
    ],
)
def test_bad_parameters_are_refused(
    client: TestClient,
    mia: dict[str, str],
    seeded: IndexNames,
    route: str,
    params: dict[str, str],
    status: int,
) -> None:
    response = client.get(f"/api/v1/trends/{route}", params=params, headers=mia)

    assert response.status_code == status, response.text
    assert response.json()["error"]


def test_a_configuration_without_brands_is_a_clear_400(
    settings: Settings, es: Elasticsearch, index_names: IndexNames, clock: FakeClock
) -> None:
    without = settings.model_copy(update={"brands": [], "competitors": []})
    trends = Trends(settings=without, client=es, names=index_names, clock=clock)

    with pytest.raises(HTTPException) as refused:
        trends.scope(TrendParams())

    assert refused.value.status_code == 400
    assert refused.value.detail == "brand: no brand is configured (brands, competitors)"


def test_the_trends_are_in_the_openapi_document(client: TestClient, mia: dict[str, str]) -> None:
    spec = client.get("/api/v1/openapi.json", headers=mia).json()

    for route in ROUTES:
        assert f"/api/v1/trends/{route}" in spec["paths"]
    volume = spec["paths"]["/api/v1/trends/volume"]["get"]
    assert set(volume["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert "VolumeTrend" in spec["components"]["schemas"]
