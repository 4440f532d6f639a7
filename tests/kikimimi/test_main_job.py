"""End to end: crawl a stand-in, run the main job against the real Elasticsearch and models,
and check cases, feeds, spikes and the notifications that reached a local webhook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from elasticsearch import Elasticsearch

from alerts.notify.sqlite_outbox import SqliteOutbox
from benchmarks.synthetic import generate_mentions
from core.index_names import IndexNames
from core.records import Case
from standins.hackernews import HackerNewsStandin
from standins.server import Reply, Request, StandinPost, StandinServer
from tests.conftest import RunningElasticsearch

pytestmark = [pytest.mark.elasticsearch, pytest.mark.slow]

NOW = datetime.now(UTC).replace(microsecond=0)


def post(
    number: int, author: str, text: str, minutes_ago: int, followers: int = 100
) -> StandinPost:
    return StandinPost(
        native_id=str(48_000_000 + number),
        text=text,
        created_at=NOW - timedelta(minutes=minutes_ago),
        author=author,
        followers=followers,
        title=None,
    )


COMPLAINT = post(
    1,
    "angry_customer",
    "Hoshi Mobile charged me twice this month and nobody answers the phone. Worst service ever.",
    30,
)
FOLLOW_UP = post(
    2,
    "angry_customer",
    "Still no refund from Hoshi Mobile for the double charge. This is unacceptable, fix it.",
    20,
)
VIP = post(
    3,
    "famous_reviewer",
    "Hoshi Mobile network has been down all morning. Really disappointed, cannot work at all.",
    25,
)
COMPETITOR = post(
    4,
    "other_customer",
    "Nami Telecom dropped all my calls today. Terrible coverage, I want to cancel.",
    15,
)
HAPPY = post(
    5,
    "happy_customer",
    "I love Hoshi Mobile! The new plan is great and their support was so kind and helpful.",
    10,
)
MORE_ANGER = [
    post(
        10 + i,
        f"user{i}",
        f"Hoshi Mobile outage again, no signal for hours. Awful, fix it! ({i})",
        5 + i,
    )
    for i in range(3)
]
POSTS = [COMPLAINT, FOLLOW_UP, VIP, COMPETITOR, HAPPY, *MORE_ANGER]


@dataclass
class WebhookSink:
    """Records the JSON notices a webhook channel delivers."""

    deliveries: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: Request) -> Reply:
        with self.lock:
            self.deliveries.append(json.loads(request.body))
        return Reply(200, b"{}")

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        with self.lock:
            return [d for d in self.deliveries if d["kind"] == kind]


@dataclass
class Job:
    root: Path
    config: Path
    names: IndexNames

    def command(self, *args: str) -> list[str]:
        """The CLI command line for ``args`` with this job's configuration."""
        return [sys.executable, "-m", "kikimimi", "--config", str(self.config), *args]

    def call(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the CLI to its end, whatever its exit status."""
        return subprocess.run(
            self.command(*args),
            capture_output=True,
            text=True,
            timeout=600,
            env=dict(os.environ),
            check=False,
        )

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        result = self.call(*args)
        assert result.returncode == 0, result.stderr[-3000:]
        return result


@pytest.fixture
def job(
    tmp_path: Path, elasticsearch_node: RunningElasticsearch, index_names: IndexNames
) -> Iterator[tuple[Job, WebhookSink]]:
    sink = WebhookSink()
    with StandinServer(HackerNewsStandin(POSTS)) as hn, StandinServer(sink) as hook:
        config = {
            "state_dir": "var",
            "brands": [{"name": "Hoshi Mobile", "handles": ["@hoshimobile"]}],
            "competitors": [{"name": "Nami Telecom"}],
            "sources": [
                {
                    "name": "hn",
                    "type": "hackernews",
                    "base_url": hn.url,
                    "queries": ["hoshi mobile", "nami telecom"],
                    "requests_per_second": 50,
                },
            ],
            "elasticsearch": {
                "hosts": [elasticsearch_node.url],
                "index_prefix": index_names.prefix,
            },
            "notifications": [
                {
                    "name": "care",
                    "type": "webhook",
                    "url": f"{hook.url}/hook",
                    "secret": "a-long-webhook-secret",
                },
            ],
            "rules": [
                {
                    "name": "own-complaint",
                    "brand_role": "own",
                    "sentiment": ["negative"],
                    "open_case": True,
                    "priority": "high",
                    "team": "care",
                    "notify": ["care"],
                    "do_not_market": True,
                },
                {
                    "name": "competitor-to-marketing",
                    "brand_role": "competitor",
                    "sentiment": ["negative"],
                    "feed": "marketing",
                    "notify": ["care"],
                },
            ],
            "alerting": {
                "vip_authors": ["famous_reviewer"],
                "spikes": {
                    "window_minutes": 60,
                    "min_count": 3,
                    "min_ratio": 2.0,
                    "confirm_windows": 2,
                    "evaluate_every_seconds": 1,
                    "cooldown_minutes": 600,
                    "notify": ["care"],
                },
            },
        }
        path = tmp_path / "kikimimi.yaml"
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
        yield Job(tmp_path, path, index_names), sink


def cases(es: Elasticsearch, names: IndexNames) -> list[Case]:
    es.indices.refresh(index=names.cases_index)
    hits = es.search(index=names.cases_index, size=100)["hits"]["hits"]
    return [Case.model_validate(h["_source"]) for h in hits]


def wait_for(condition: Any, timeout: float = 30) -> None:
    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    while not condition():
        assert datetime.now(UTC) < deadline, "condition not met in time"
        threading.Event().wait(0.2)


def test_the_main_job_end_to_end(job: tuple[Job, WebhookSink], es: Elasticsearch) -> None:
    runner, sink = job
    runner.run("crawl", "hn")
    first = runner.run("run", "--no-schedule", "--until-idle")
    assert f"processed {len(POSTS)} mention(s)" in first.stdout

    es.indices.refresh(index=runner.names.mentions_alias)
    assert es.count(index=runner.names.mentions_alias)["count"] == len(POSTS)
    by_author = {c.author.handle: c for c in cases(es, runner.names)}

    complaint = by_author["angry_customer"]
    assert complaint.team == "care" and complaint.priority == "high"
    assert complaint.rule == "own-complaint" and complaint.do_not_market
    assert len(complaint.mention_ids) == 2, "the follow-up joins the same case"
    assert "sentiment negative" in complaint.reason and "untagged" in complaint.reason
    assert by_author["famous_reviewer"].priority == "urgent"
    assert "other_customer" not in by_author, "a competitor complaint opens no case"
    assert "happy_customer" not in by_author, "a positive post opens nothing"

    competitor = es.search(
        index=runner.names.mentions_alias, query={"term": {"author.handle": "other_customer"}}
    )["hits"]["hits"][0]["_source"]
    assert competitor["feeds"] == ["marketing"]

    wait_for(lambda: len(sink.of_kind("case_opened")) == len(by_author))
    opened = {d["case_id"] for d in sink.of_kind("case_opened")}
    assert opened == {c.id for c in by_author.values()}
    assert [d["case_id"] for d in sink.of_kind("case_updated")] == [complaint.id]
    assert len(sink.of_kind("feed")) == 1
    assert not [d for d in sink.deliveries if "happy_customer" in json.dumps(d)]

    # Spikes: five negative posts in the hour against an empty baseline; the alert needs two
    # consecutive windows, then the cooldown keeps it quiet.
    runner.run("run", "--no-schedule", "--until-idle")
    runner.run("run", "--no-schedule", "--until-idle")
    runner.run("run", "--no-schedule", "--until-idle")
    wait_for(lambda: len(sink.of_kind("spike")) >= 1)
    spikes = sink.of_kind("spike")
    assert len(spikes) == 1
    assert "Hoshi Mobile" in spikes[0]["subject"]
    assert "baseline" in spikes[0]["body"] and "Examples" in spikes[0]["body"]
    keys = [d["key"] for d in sink.deliveries]
    assert len(keys) == len(set(keys)), "every notice is delivered once"


def _environment(
    root: Path,
    es_url: str,
    prefix: str,
    hook_url: str,
    imports: Path,
    extra: dict[str, Any] | None = None,
) -> Job:
    """A job crawling ``imports``, with one case rule notifying a webhook; ``extra`` replaces
    top-level settings."""
    config: dict[str, Any] = {
        "state_dir": "var",
        "brands": [{"name": "Hoshi Mobile", "aliases": ["ほしモバイル", "HoshiMobile"]}],
        "competitors": [{"name": "Nami Telecom", "aliases": ["ナミテレコム"]}],
        "sources": [{"name": "imp", "type": "import", "path": str(imports)}],
        "elasticsearch": {"hosts": [es_url], "index_prefix": prefix},
        "notifications": [{"name": "care", "type": "webhook", "url": hook_url}],
        "rules": [
            {
                "name": "own-complaint",
                "brand_role": "own",
                "sentiment": ["negative"],
                "open_case": True,
                "priority": "high",
                "team": "care",
                "notify": ["care"],
            },
        ],
        "alerting": {"spikes": {"enabled": False}},
        **(extra or {}),
    }
    root.mkdir(parents=True, exist_ok=True)
    path = root / "kikimimi.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return Job(root, path, IndexNames(prefix))


def _outcome(es: Elasticsearch, job: Job) -> tuple[int, set[str], set[str]]:
    """(mentions indexed, case ids with their mention ids, delivered notice keys)."""
    es.indices.refresh(index=f"{job.names.prefix}-*")
    indexed = es.count(index=job.names.mentions_alias)["count"]
    case_rows = {f"{c.id}:{','.join(sorted(c.mention_ids))}" for c in cases(es, job.names)}
    outbox = SqliteOutbox(job.root / "var" / "alerts" / "outbox.sqlite")
    try:
        keys = {entry.key for entry in outbox.delivered(limit=1_000_000)}
        assert outbox.counts().pending == 0 and outbox.counts().failed == 0
    finally:
        outbox.close()
    return indexed, case_rows, keys


def test_kill_9_in_the_middle_of_a_load_loses_and_duplicates_nothing(
    tmp_path: Path, elasticsearch_node: RunningElasticsearch, es: Elasticsearch
) -> None:
    imports = tmp_path / "export.jsonl"
    mentions = generate_mentions(600, seed=11)
    imports.write_text("".join(m.model_dump_json() + "\n" for m in mentions), encoding="utf-8")
    sink = WebhookSink()
    prefixes = [f"kk9-{os.getpid()}-clean", f"kk9-{os.getpid()}-killed"]
    with StandinServer(sink) as hook:
        clean = _environment(
            tmp_path / "clean", elasticsearch_node.url, prefixes[0], hook.url, imports
        )
        killed = _environment(
            tmp_path / "killed", elasticsearch_node.url, prefixes[1], hook.url, imports
        )
        try:
            clean.run("crawl", "imp")
            started = time.monotonic()
            clean.run("run", "--no-schedule", "--until-idle")
            print(f"clean run: {time.monotonic() - started:.1f} s")

            killed.run("crawl", "imp")
            process = subprocess.Popen(
                killed.command("run", "--no-schedule", "--until-idle", "--batch-size", "32"),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            wait_for(lambda: _indexed_so_far(es, killed.names) >= 150, timeout=300)
            process.kill()  # SIGKILL, mid-load
            process.wait()
            assert _indexed_so_far(es, killed.names) < len(mentions)
            killed.run("run", "--no-schedule", "--until-idle")

            expected = _outcome(es, clean)
            got = _outcome(es, killed)
            assert expected[0] == len(mentions)
            assert expected[1], "the load opens cases"
            assert got[0] == expected[0]
            assert got[1] == expected[1], got[1] ^ expected[1]
            assert got[2] == expected[2], got[2] ^ expected[2]
        finally:
            for prefix in prefixes:
                indices = list(es.indices.get(index=f"{prefix}-*", expand_wildcards="all"))
                if indices:
                    es.indices.delete(index=",".join(indices))


def _indexed_so_far(es: Elasticsearch, names: IndexNames) -> int:
    """Mentions indexed so far; 0 while the index does not exist or its shard is starting."""
    tolerant = es.options(ignore_status=(404, 503))
    tolerant.indices.refresh(index=names.mentions_alias)
    return int(tolerant.count(index=names.mentions_alias).get("count", 0))
