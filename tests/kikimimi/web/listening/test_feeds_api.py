"""``/api/v1/feeds``, ``/api/v1/spikes`` and ``/api/v1/mentions`` on the real Elasticsearch:
a user reads their teams' feeds only (another team's feed is 404, and never named), paging,
spike alerts from the outbox once each, English and Japanese search, the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from config import Settings, outbox_path
from kikimimi.accounts import Accounts
from tests.kikimimi.web.listening.conftest import Post, RaiseSpike

pytestmark = pytest.mark.elasticsearch


def bearer(accounts: Accounts, name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {accounts.issue_token(name).secret}"}


def feed(client: TestClient, headers: dict[str, str], **params: Any) -> Any:
    response = client.get("/api/v1/feeds", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_each_user_reads_their_teams_feeds_only(
    client: TestClient, accounts: Accounts, post: Post
) -> None:
    marketing = post("Rival Mobile is cheaper", feeds=("marketing",), rules=("competitors",))
    product = post("please add eSIM", feeds=("product",), minutes_ago=1)
    both = post("eSIM at Rival Mobile", feeds=("marketing", "product"), minutes_ago=2)
    post("my bill is wrong", feeds=(), rules=("complaints",), minutes_ago=3)

    mia = feed(client, bearer(accounts, "mia"))
    assert [i["id"] for i in mia["items"]] == [marketing.id, both.id]
    assert [i["feeds"] for i in mia["items"]] == [["marketing"], ["marketing"]]  # not product
    assert mia["total"] == 2
    pia = feed(client, bearer(accounts, "pia"))
    assert [i["id"] for i in pia["items"]] == [product.id, both.id]
    assert all("marketing" not in i["feeds"] for i in pia["items"])
    root = feed(client, bearer(accounts, "root"))
    assert [i["id"] for i in root["items"]] == [marketing.id, product.id, both.id]
    assert root["items"][2]["feeds"] == ["marketing", "product"]
    assert feed(client, bearer(accounts, "ana"))["items"] == []  # care has no feed posts

    item = mia["items"][0]
    assert item["source"] == "bluesky"
    assert item["author"] == "u1"
    assert item["brands"] == ["Hoshi Mobile"]
    assert item["sentiment"] == "neutral"
    assert item["rules"] == ["competitors"]
    assert item["url"] == "https://social.example/p/1"
    assert item["excerpt"] == "Rival Mobile is cheaper"


@pytest.mark.parametrize(
    ("name", "asked", "expected"),
    [
        ("mia", "product", 404),
        ("pia", "marketing", 404),
        ("ana", "marketing", 404),
        ("cy", "product", 404),
        ("mia", "marketing", 200),
        ("root", "product", 200),
    ],
)
def test_another_teams_feed_is_not_found(
    client: TestClient, accounts: Accounts, post: Post, name: str, asked: str, expected: int
) -> None:
    post(feeds=(asked,))
    response = client.get("/api/v1/feeds", params={"feed": asked}, headers=bearer(accounts, name))
    assert response.status_code == expected, response.text
    if expected == 404:
        assert "Rival" not in response.text and "eSIM" not in response.text


def test_pages_of_a_feed_newest_first(client: TestClient, accounts: Accounts, post: Post) -> None:
    posted = [post(f"idea {n}", minutes_ago=n) for n in range(5)]
    headers = bearer(accounts, "pia")
    seen: list[str] = []
    cursor = None
    for _ in range(3):
        page = feed(client, headers, page_size=2, **({"cursor": cursor} if cursor else {}))
        assert page["total"] == 5
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
    assert seen == [m.id for m in posted]
    since = posted[1].published_at.isoformat()
    assert [i["id"] for i in feed(client, headers, since=since)["items"]] == seen[:2]
    bad = client.get("/api/v1/feeds", params={"cursor": "nope"}, headers=headers)
    assert bad.status_code == 400
    assert bad.json() == {"error": "cursor: not one this API gave"}


def test_spikes_are_listed_once_each_with_why_for_every_feed_reader(
    client: TestClient, accounts: Accounts, raise_spike: RaiseSpike
) -> None:
    raise_spike("Hoshi Mobile", count=40, minutes_ago=30)
    raise_spike("Rival Mobile", count=12)
    for name in ("ana", "ken", "mia", "pia", "root"):
        response = client.get("/api/v1/spikes", headers=bearer(accounts, name))
        assert response.status_code == 200, (name, response.text)
        spikes = response.json()
        assert [s["brand"] for s in spikes] == ["Rival Mobile", "Hoshi Mobile"]  # newest first
    hoshi = spikes[1]
    assert hoshi["count"] == 40
    assert hoshi["baseline"] == 4.0
    assert hoshi["ratio"] == 10.0
    assert hoshi["top_topics"] == ["outage", "network"]
    assert hoshi["why"].startswith("40 negative mentions of Hoshi Mobile in the last 60 min")
    assert hoshi["subject"] == "Spike: 40 negative mentions of Hoshi Mobile"


def test_no_spikes_without_an_outbox_and_none_is_made(
    client: TestClient, accounts: Accounts, settings: Settings
) -> None:
    response = client.get("/api/v1/spikes", headers=bearer(accounts, "mia"))
    assert response.status_code == 200
    assert response.json() == []
    assert not outbox_path(settings).exists()


@pytest.mark.parametrize(
    ("words", "found"),
    [("double charge", "double charge on my bill"), ("二重に請求", "料金が二重に請求されました")],
)
def test_mentions_search_in_english_and_japanese(
    client: TestClient, accounts: Accounts, post: Post, words: str, found: str
) -> None:
    post("double charge on my bill", feeds=("marketing",))
    post("料金が二重に請求されました", feeds=("product",), lang="ja", minutes_ago=1)
    post("great support", feeds=())
    for name in ("ana", "mia", "root"):
        response = client.get(
            "/api/v1/mentions", params={"q": words}, headers=bearer(accounts, name)
        )
        assert response.status_code == 200, response.text
        hits = response.json()
        assert hits["query"] == words
        assert [h["excerpt"] for h in hits["items"]] == [found]
        if name == "ana":
            assert hits["items"][0]["feeds"] == []  # the feed is not ana's: not named


def test_mentions_search_before_any_index_finds_nothing(
    client: TestClient, accounts: Accounts
) -> None:
    response = client.get(
        "/api/v1/mentions", params={"q": "outage"}, headers=bearer(accounts, "mia")
    )
    assert response.status_code == 200, response.text
    assert response.json() == {"query": "outage", "items": []}


def test_mentions_search_needs_words(client: TestClient, accounts: Accounts) -> None:
    response = client.get("/api/v1/mentions", headers=bearer(accounts, "mia"))
    assert response.status_code == 422
    assert response.json()["problems"][0]["field"] == "query.q"


def test_the_routes_are_in_the_openapi_document_with_typed_answers(
    client: TestClient, accounts: Accounts
) -> None:
    document = client.get("/api/v1/openapi.json", headers=bearer(accounts, "mia")).json()
    ok = "200"
    for path, model in (
        ("/api/v1/feeds", "FeedPage"),
        ("/api/v1/mentions", "MentionHits"),
    ):
        schema = document["paths"][path]["get"]["responses"][ok]["content"]["application/json"]
        assert schema["schema"]["$ref"] == f"#/components/schemas/{model}"
    spikes = document["paths"]["/api/v1/spikes"]["get"]["responses"][ok]["content"]
    assert spikes["application/json"]["schema"]["items"]["$ref"].endswith("/SpikeAlert")
    assert {"FeedItem", "SpikeAlert", "FeedPage", "MentionHits"} <= set(
        document["components"]["schemas"]
    )
    assert "/feeds/updates" not in document["paths"]


@pytest.mark.parametrize("path", ["/api/v1/feeds", "/api/v1/spikes", "/api/v1/mentions?q=x"])
def test_signed_out_is_401(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 401
