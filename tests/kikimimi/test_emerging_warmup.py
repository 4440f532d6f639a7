"""The main job's warm-up of the emerging themes, on the real local Elasticsearch and the
seeded stream of ``test_emerging_themes``: it embeds only the posts the cache lacks (newest
first, a bounded number per run), a failure is one warning, and its thread runs every interval
until stopped (never when the interval is 0)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from config import Settings
from core import IndexedMention, IndexNames
from kikimimi import emerging_warmup
from kikimimi.emerging_themes import unembedded_posts
from kikimimi.emerging_warmup import EmergingThemesWarmup
from nlp import CachedThemeEncoder
from tests.conftest import RunningElasticsearch, free_port
from tests.kikimimi.test_emerging_themes import END, HOSHI, NAMI, START, seed_stream
from tests.nlp.recording_encoder import HashEncoder, Recording

pytestmark = pytest.mark.elasticsearch

WEEK_POSTS = 15 + 20 + 5 + 3  # negative, without a topic, about Hoshi or Nami (this week)
PREVIOUS_WEEK_POSTS = 10


def settings_for(
    tmp_path: Path, hosts: list[str], names: IndexNames, refresh_minutes: float = 5
) -> Settings:
    return Settings.model_validate(
        {
            "state_dir": tmp_path / "var",
            "elasticsearch": {"hosts": hosts, "index_prefix": names.prefix},
            "brands": [{"name": HOSHI}],
            "competitors": [{"name": NAMI}],
            "trends": {"emerging_refresh_minutes": refresh_minutes},
        }
    )


@pytest.fixture
def settings(
    tmp_path: Path, elasticsearch_node: RunningElasticsearch, index_names: IndexNames
) -> Settings:
    return settings_for(tmp_path, [elasticsearch_node.url], index_names)


@pytest.fixture
def recording() -> Recording:
    return Recording(HashEncoder())


@pytest.fixture
def encoder(recording: Recording, tmp_path: Path) -> Iterator[Closing]:
    cached = Closing(recording, tmp_path / "embeddings.sqlite", max_entries=10_000)
    yield cached
    cached.close()


@pytest.fixture
def stream(es: Elasticsearch, index_names: IndexNames) -> list[IndexedMention]:
    return seed_stream(es, index_names)


class Closing(CachedThemeEncoder):
    """A cached encoder that says whether it was closed."""

    closed = False

    def close(self) -> None:
        self.closed = True
        super().close()


def warmup(
    settings: Settings,
    es: Elasticsearch,
    make: Callable[[], CachedThemeEncoder],
    stop: threading.Event | None = None,
) -> EmergingThemesWarmup:
    return EmergingThemesWarmup(
        settings,
        es,
        IndexNames(settings.elasticsearch.index_prefix),
        make,
        stop=stop or threading.Event(),
        clock=lambda: END,
    )


def missing(settings: Settings, es: Elasticsearch, encoder: CachedThemeEncoder) -> list[str]:
    return unembedded_posts(
        es,
        IndexNames(settings.elasticsearch.index_prefix),
        encoder,
        start=START,
        end=END,
        brands=[HOSHI, NAMI],
        excluded_names=settings.brand_words(),
    )


def distinct(texts: list[str]) -> list[str]:
    """``texts`` without repeats (a competitor's copy of a post is the same text once the
    brand names are out): each is embedded once."""
    return list(dict.fromkeys(texts))


def test_it_embeds_only_the_posts_the_cache_lacks(
    settings: Settings,
    es: Elasticsearch,
    encoder: CachedThemeEncoder,
    recording: Recording,
    stream: list[IndexedMention],
) -> None:
    before = missing(settings, es, encoder)
    assert len(before) == WEEK_POSTS + PREVIOUS_WEEK_POSTS
    encoder.encode(before[:5])  # cached by an earlier request
    recording.embedded.clear()

    run = warmup(settings, es, lambda: encoder).warm()

    assert run is not None and (run.embedded, run.left) == (len(before) - 5, 0)
    assert recording.embedded == [text for text in distinct(before[5:]) if text not in before[:5]]
    assert missing(settings, es, encoder) == []
    again = warmup(settings, es, lambda: encoder).warm()
    assert again is not None and (again.embedded, again.left) == (0, 0)
    assert len(recording.embedded) == len(distinct(before)) - len(distinct(before[:5]))


def test_a_run_embeds_a_bounded_number_newest_first(
    settings: Settings,
    es: Elasticsearch,
    encoder: CachedThemeEncoder,
    recording: Recording,
    stream: list[IndexedMention],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(emerging_warmup, "WARMUP_POSTS", 10)
    monkeypatch.setattr(emerging_warmup, "CHUNK", 4)
    before = missing(settings, es, encoder)

    run = warmup(settings, es, lambda: encoder).warm()

    assert run is not None and (run.embedded, run.left) == (10, len(before) - 10)
    assert recording.embedded == distinct(before[:10])


def test_a_failure_is_one_warning(
    settings: Settings, encoder: CachedThemeEncoder, caplog: pytest.LogCaptureFixture
) -> None:
    unreachable = Elasticsearch(f"http://127.0.0.1:{free_port()}", request_timeout=2)

    with caplog.at_level(logging.WARNING, logger="kikimimi.emerging_warmup"):
        run = warmup(settings, unreachable, lambda: encoder).warm()

    assert run is None
    assert [r.getMessage() for r in caplog.records if "embedding new posts failed" in r.message]


def test_the_thread_runs_every_interval_until_stopped(
    tmp_path: Path,
    elasticsearch_node: RunningElasticsearch,
    es: Elasticsearch,
    index_names: IndexNames,
    encoder: Closing,
    recording: Recording,
    stream: list[IndexedMention],
) -> None:
    settings = settings_for(tmp_path, [elasticsearch_node.url], index_names, 0.002)  # 0.12 s
    stop = threading.Event()
    thread = warmup(settings, es, lambda: encoder, stop)

    expected = distinct(missing(settings, es, encoder))

    thread.start()
    try:
        deadline = time.monotonic() + 30
        while sorted(recording.embedded) != sorted(expected):
            assert time.monotonic() < deadline, "the warm-up did not embed the posts"
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)

    assert not thread.is_alive()
    assert encoder.closed


def test_an_interval_of_0_never_runs(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, ["http://127.0.0.1:9"], IndexNames("unused"), 0)
    built: list[datetime] = []

    def make() -> CachedThemeEncoder:
        built.append(END)
        raise AssertionError("no encoder is needed")

    thread = warmup(settings, Elasticsearch("http://127.0.0.1:9"), make)
    thread.start()
    thread.join(timeout=5)

    assert not thread.is_alive() and built == []
