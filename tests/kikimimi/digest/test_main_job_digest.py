"""``kikimimi run`` sends an audience's digest when it is due (here: an hour late, so caught
up when the job starts), through the outbox to the webhook, and a restart sends nothing
again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config.digests import WEEKDAYS
from core import IndexNames
from standins.server import StandinServer
from tests.conftest import RunningElasticsearch
from tests.kikimimi.test_main_job import WebhookSink, _environment

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]


def test_the_main_job_sends_a_due_digest_once(
    tmp_path: Path, elasticsearch_node: RunningElasticsearch, index_names: IndexNames
) -> None:
    fire = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=1)
    audience = {
        "name": "weekly",
        "channels": ["care"],
        "weekday": WEEKDAYS[fire.weekday()],
        "time": f"{fire:%H:%M}",
    }
    sink = WebhookSink()
    with StandinServer(sink) as hook:
        job = _environment(
            tmp_path,
            elasticsearch_node.url,
            index_names.prefix,
            f"{hook.url}/hook",
            tmp_path / "unused.jsonl",
            extra={"sources": [], "digests": [audience]},
        )
        for _ in range(2):  # the second run is a restart within the catch-up time
            job.run("run", "--no-schedule", "--until-idle", "--for", "120")

    (digest,) = sink.of_kind("digest")
    first = fire.date() - timedelta(days=7)
    assert digest["key"] == f"digest:weekly:{first}..{fire.date()}:care"
    assert digest["body"].startswith("Brand health, ")
    assert digest["document"]["slack_blocks"][0]["type"] == "header"
    assert [image["media_type"] for image in digest["document"]["images"]] == ["image/png"] * 3
