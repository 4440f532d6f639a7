"""``GET /api/v1/trends/emerging`` on the real local Elasticsearch, with the shipped sentence
encoder, and the seeded stream of ``tests/kikimimi/test_emerging_themes.py``: the planted
cluster of untopicked complaints is the top emerging theme (its examples as feed items);
with a cold cache the answer comes at once and counts the posts left out as pending, and once
the main job's warm-up has embedded them they are read from the cache; CSV; who may ask; 503
when the encoder's files are missing; bad parameters; the OpenAPI document."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from fastapi import FastAPI
from fastapi.testclient import TestClient

from config import Settings, embedding_cache_path
from core import IndexedMention, IndexNames
from kikimimi.accounts import Accounts
from kikimimi.emerging_warmup import EmergingThemesWarmup
from kikimimi.web.trends import LazyThemeEncoder
from nlp import CachedThemeEncoder, E5SentenceEncoder, sentence_encoder
from tests.kikimimi.test_emerging_themes import (
    CURRENT_POSTS,
    END,
    HOSHI,
    PREVIOUS_PLANTED,
    START,
    seed_stream,
)
from tests.kikimimi.web.trends.test_trends_api import bearer
from tests.nlp.recording_encoder import Recording

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]

ROUTE = "/api/v1/trends/emerging"
PERIOD = {"start": START.isoformat(), "end": END.isoformat(), "brand": HOSHI}
ANSWER_KEYS = {
    "start",
    "end",
    "previous_start",
    "bucket",
    "total",
    "sampled",
    "pending",
    "previous_total",
    "previous_sampled",
    "previous_pending",
    "themes",
}
THEME_KEYS = {"terms", "size", "previous_size", "buckets", "examples", "mention_ids"}


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The trends tests' settings, ``trends`` updated by an indirect parameter."""
    update: dict[str, Any] = getattr(request, "param", {})
    return settings.model_copy(update={"trends": settings.trends.model_copy(update=update)})


@pytest.fixture(scope="module")
def shipped() -> E5SentenceEncoder:
    return E5SentenceEncoder(device="cpu")


@pytest.fixture
def recording(shipped: E5SentenceEncoder) -> Recording:
    return Recording(shipped)


@pytest.fixture
def encoder(app: FastAPI, settings: Settings, recording: Recording) -> Iterator[CachedThemeEncoder]:
    """The app's encoder: the shipped one (loaded once for the module), recorded, on the
    app's embedding cache."""
    cached = CachedThemeEncoder(
        recording,
        embedding_cache_path(settings),
        max_entries=settings.trends.emerging_cache_size,
    )
    app.state.theme_encoder = LazyThemeEncoder(lambda: cached)
    yield cached
    cached.close()


@pytest.fixture
def stream(es: Elasticsearch, index_names: IndexNames) -> list[IndexedMention]:
    return seed_stream(es, index_names)


@pytest.fixture
def mia(accounts: Accounts) -> dict[str, str]:
    return bearer(accounts, "mia")


def ask(client: TestClient, headers: dict[str, str], **params: Any) -> Any:
    response = client.get(ROUTE, params={**PERIOD, **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_planted_complaints_are_the_top_emerging_theme(
    client: TestClient, mia: dict[str, str], settings: Settings, stream: list[IndexedMention]
) -> None:
    answer = ask(client, mia)  # the app's own encoder, on the state directory's cache

    assert set(answer) == ANSWER_KEYS
    assert (answer["total"], answer["sampled"], answer["pending"]) == (CURRENT_POSTS,) * 2 + (0,)
    assert (answer["start"], answer["previous_start"]) == (
        "2026-11-08T00:00:00Z",
        "2026-11-01T00:00:00Z",
    )
    top = answer["themes"][0]
    assert set(top) == THEME_KEYS
    assert set(top["mention_ids"]) == {m.id for m in stream}
    assert (top["size"], top["previous_size"]) == (len(stream), len(PREVIOUS_PLANTED))
    assert "esim" in top["terms"]
    assert [b["count"] for b in top["buckets"]] == [0, 1, 1, 2, 3, 4, 4]
    assert [example["id"] for example in top["examples"]] == top["mention_ids"][:3]
    assert {"excerpt", "url", "author", "sentiment", "published_at"} <= set(top["examples"][0])
    assert embedding_cache_path(settings).exists()


@pytest.mark.parametrize("settings", [{"emerging_embed_per_request": 0}], indirect=True)
def test_a_cold_cache_answers_at_once_and_the_warmup_fills_it(
    client: TestClient,
    mia: dict[str, str],
    settings: Settings,
    es: Elasticsearch,
    index_names: IndexNames,
    encoder: CachedThemeEncoder,
    recording: Recording,
    stream: list[IndexedMention],
) -> None:
    cold = ask(client, mia)
    assert (cold["sampled"], cold["pending"], cold["previous_pending"]) == (0, CURRENT_POSTS, 10)
    assert cold["themes"] == [] and recording.embedded == []

    warmup = EmergingThemesWarmup(
        settings,
        es,
        index_names,
        lambda: encoder,
        stop=threading.Event(),
        clock=lambda: END,
    )
    run = warmup.warm()
    assert run is not None and run.embedded > CURRENT_POSTS and run.left == 0
    embedded = len(recording.embedded)

    warm = ask(client, mia)

    assert len(recording.embedded) == embedded  # read from the cache, nothing embedded
    assert (warm["sampled"], warm["pending"], warm["previous_pending"]) == (CURRENT_POSTS, 0, 0)
    assert set(warm["themes"][0]["mention_ids"]) == {m.id for m in stream}


def test_csv_has_one_row_per_theme(
    client: TestClient,
    mia: dict[str, str],
    encoder: CachedThemeEncoder,
    stream: list[IndexedMention],
) -> None:
    response = client.get(ROUTE, params={**PERIOD, "format": "csv"}, headers=mia)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition == (
        'attachment; filename="kikimimi-emerging-20261108T0000Z-20261115T0000Z.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == ["terms", "size", "previous_size", "change"]
    top = rows[0]
    assert "esim" in top["terms"].split(", ")
    assert (top["size"], top["previous_size"], top["change"]) == ("15", "4", "11")


@pytest.mark.parametrize(
    ("name", "status"), [("ana", 403), ("mia", 200), ("ken", 200), ("root", 200)]
)
def test_who_may_ask(
    client: TestClient,
    accounts: Accounts,
    encoder: CachedThemeEncoder,
    name: str,
    status: int,
) -> None:
    response = client.get(ROUTE, params=PERIOD, headers=bearer(accounts, name))

    assert response.status_code == status, response.text
    if status == 403:
        assert response.json() == {"error": "your role (agent) may not view trends"}
    assert client.get(ROUTE, params=PERIOD).status_code == 401


def test_without_the_encoders_files_it_is_503(
    client: TestClient,
    mia: dict[str, str],
    stream: list[IndexedMention],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(sentence_encoder, "CENTRE_FILE", tmp_path / "missing.npy")

    response = client.get(ROUTE, params=PERIOD, headers=mia)

    assert response.status_code == 503
    assert "cannot read the mean post embedding" in response.json()["error"]


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 5001}, {"bucket": "minute"}, {"format": "xml"}],
)
def test_bad_parameters_are_refused(
    client: TestClient, mia: dict[str, str], encoder: CachedThemeEncoder, params: dict[str, Any]
) -> None:
    response = client.get(ROUTE, params={**PERIOD, **params}, headers=mia)

    assert response.status_code == 422, response.text
    assert response.json()["error"]


def test_it_is_in_the_openapi_document(client: TestClient, mia: dict[str, str]) -> None:
    spec = client.get("/api/v1/openapi.json", headers=mia).json()

    emerging = spec["paths"][ROUTE]["get"]
    assert {p["name"] for p in emerging["parameters"]} >= {"start", "end", "bucket", "limit"}
    assert set(emerging["responses"]["200"]["content"]) == {"application/json", "text/csv"}
    assert "503" in emerging["responses"]
    assert "EmergingThemesView" in spec["components"]["schemas"]
