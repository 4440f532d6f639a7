"""Posts that used to stop the pipeline: texts over spaCy's and SudachiPy's input limits are
analysed in bounded form and indexed whole; a date outside the plausible window is
dead-lettered with its reason; the rest of the queue goes through, and ``status`` shows the
dead letters until they are dealt with."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from elasticsearch import Elasticsearch

from benchmarks.synthetic import generate_mentions
from core.index_names import IndexNames
from core.mention_queue import SqliteMentionQueue
from core.records import Author, Mention
from standins.server import StandinServer
from tests.conftest import RunningElasticsearch
from tests.kikimimi.test_main_job import WebhookSink, _environment, _indexed_so_far

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]

NOW = datetime.now(UTC)
ENGLISH_OVER_SPACY = "Hoshi Mobile dropped my calls again. " + "So much waiting. " * 70_000
JAPANESE_OVER_SUDACHI = "ほしモバイルの通信障害がひどい。" + "電話がつながらない。" * 6_000


def poison(native_id: str, text: str, published_at: datetime = NOW) -> Mention:
    return Mention(
        source="imp",
        native_id=native_id,
        text=text,
        author=Author(handle=f"poster-{native_id}"),
        published_at=published_at,
        collected_at=NOW,
    )


POISON = [
    poison("over-spacy", ENGLISH_OVER_SPACY),
    poison("over-sudachi", JAPANESE_OVER_SUDACHI),
    poison("year-9999", "Hoshi Mobile from the far future", datetime(9999, 12, 31, tzinfo=UTC)),
    poison("year-1", "Hoshi Mobile from antiquity", datetime(1, 1, 1, tzinfo=UTC)),
]


def test_poison_posts_do_not_stop_the_queue(
    tmp_path: Path,
    elasticsearch_node: RunningElasticsearch,
    es: Elasticsearch,
    index_names: IndexNames,
) -> None:
    assert len(ENGLISH_OVER_SPACY) > 1_000_000 and len(JAPANESE_OVER_SUDACHI.encode()) > 49_149
    good = generate_mentions(40, seed=5)
    with StandinServer(WebhookSink()) as hook:
        job = _environment(
            tmp_path,
            elasticsearch_node.url,
            index_names.prefix,
            hook.url,
            tmp_path / "unused.jsonl",
            extra={"sources": []},
        )
        queue = SqliteMentionQueue(job.root / "var" / "queue" / "mentions.sqlite")
        queue.put([*good[:20], *POISON, *good[20:]])
        queue.close()

        run = job.run("run", "--no-schedule", "--until-idle")
        assert "processed 42 mention(s)" in run.stdout
        assert "2 mention(s) dead-lettered" in run.stderr

        assert _indexed_so_far(es, index_names) == 42
        texts = {
            hit["_source"]["native_id"]: hit["_source"]["text"]
            for hit in es.search(
                index=index_names.mentions_alias,
                query={"terms": {"native_id": ["over-spacy", "over-sudachi"]}},
                source_includes=["native_id", "text"],
            )["hits"]["hits"]
        }
        assert texts == {
            "over-spacy": ENGLISH_OVER_SPACY,
            "over-sudachi": JAPANESE_OVER_SUDACHI,
        }, "the whole text is indexed"
        months = set(es.indices.get(index=f"{index_names.prefix}-mentions-*"))
        assert not [m for m in months if m.endswith(("-9999.12", "-1.01"))]

        status = job.call("status")
        assert status.returncode == 3, status.stdout
        [line] = [s for s in status.stdout.splitlines() if s.startswith("dead letters:")]
        assert line.startswith("dead letters:   2 mention(s)")
        assert "published_at" in line

        listed = job.run("queue", "dead-letters")
        assert listed.stdout.count("published_at") == 2
        assert "year-9999" in listed.stdout and "year-1" in listed.stdout
        job.run("queue", "dead-letters", "--drop")
        assert job.run("status").stdout.count("dead letters:   none") == 1
