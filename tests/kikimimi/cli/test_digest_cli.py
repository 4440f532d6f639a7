"""``kikimimi digest preview`` writes the digest for a person to read; ``kikimimi digest
send`` delivers it once through the outbox (to the local SMTP stand-in here). On the seeded
stream of ``tests/indexer/trends``, against the real local Elasticsearch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result
from elasticsearch import Elasticsearch

from core import IndexNames
from kikimimi.cli import cli
from standins.server import StandinServer, server_error
from standins.slack import SlackSink
from standins.smtp import SmtpStandin
from tests.conftest import RunningElasticsearch
from tests.indexer.trends.conftest import HOSHI, KAZE, NAMI, seeded_mentions
from tests.kikimimi.digest.conftest import index_all

pytestmark = pytest.mark.elasticsearch

HOOK = "/services/T0KIKI/B0MIMI/abcdefghijklmnopqrstuvwx"


@pytest.fixture
def smtp() -> Iterator[SmtpStandin]:
    with SmtpStandin() as server:
        yield server


@pytest.fixture
def config(
    tmp_path: Path,
    elasticsearch_node: RunningElasticsearch,
    index_names: IndexNames,
    es: Elasticsearch,
    smtp: SmtpStandin,
) -> Path:
    index_all(es, index_names, seeded_mentions())
    path = tmp_path / "kikimimi.yaml"
    settings = {
        "state_dir": "var",
        "elasticsearch": {"hosts": [elasticsearch_node.url], "index_prefix": index_names.prefix},
        "brands": [{"name": HOSHI}],
        "competitors": [{"name": NAMI}, {"name": KAZE}],
        "notifications": [
            {
                "name": "mail",
                "type": "email",
                "host": smtp.host,
                "port": smtp.port,
                "security": "none",
                "from_address": "digest@kikimimi.example",
                "to": ["marketing@hoshi.example"],
            }
        ],
        "digests": [{"name": "marketing", "channels": ["mail"], "weekday": "sunday"}],
    }
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


def run(config: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--config", str(config), "digest", *args])


def test_preview_writes_the_html_text_and_slack_payload(config: Path, tmp_path: Path) -> None:
    out = tmp_path / "preview"

    result = run(config, "preview", "--audience", "marketing", "--out", str(out),
                 "--period-end", "2026-11-15")  # fmt: skip

    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [
        "digest.html",
        "digest.txt",
        "sentiment.png",
        "share.png",
        "slack.json",
        "volume.png",
    ]
    html = (out / "digest.html").read_text(encoding="utf-8")
    assert 'src="volume.png"' in html and "cid:" not in html
    text = (out / "digest.txt").read_text(encoding="utf-8")
    assert text.startswith("Brand health, 8–14 Nov 2026: marketing\n")
    assert "Hoshi Mobile (own)     60       +50%" in text
    slack = json.loads((out / "slack.json").read_text(encoding="utf-8"))
    assert slack["text"] == "Brand health, 8–14 Nov 2026: marketing"
    assert slack["blocks"][0]["type"] == "header"
    assert "wrote the digest of 2026-11-08..2026-11-15 for marketing" in result.stderr


def test_send_delivers_once_however_often_it_is_run(config: Path, smtp: SmtpStandin) -> None:
    first = run(config, "send", "--audience", "marketing", "--period-end", "2026-11-15")
    second = run(config, "send", "--audience", "marketing", "--period-end", "2026-11-15")

    assert first.exit_code == 0, first.output
    assert first.stdout == "mail: delivered\n"
    assert "queued the digest of 2026-11-08..2026-11-15 for 1 channel(s)" in first.stderr
    assert second.exit_code == 0, second.output
    assert "was already in the outbox: nothing queued" in second.stderr
    assert second.stdout == "mail: delivered\n"
    (mail,) = smtp.messages
    assert mail.message()["Subject"] == "Brand health, 8–14 Nov 2026: marketing"


def test_a_channel_that_fails_leaves_the_digest_pending(config: Path) -> None:
    settings = yaml.safe_load(config.read_text(encoding="utf-8"))
    sink = SlackSink(HOOK)
    sink.faults.fail(1, server_error())
    with StandinServer(sink) as server:
        settings["notifications"].append(
            {"name": "chat", "type": "slack", "url": server.url + HOOK}
        )
        settings["digests"][0]["channels"] = ["mail", "chat"]
        config.write_text(yaml.safe_dump(settings), encoding="utf-8")

        result = run(config, "send", "--audience", "marketing", "--period-end", "2026-11-15")

    assert result.exit_code == 3
    mail, chat = result.stdout.splitlines()
    assert mail == "mail: delivered"
    assert chat.startswith("chat: pending: Slack answered HTTP 503")


def test_an_unknown_audience_is_named_with_the_configured_ones(config: Path) -> None:
    result = run(config, "send", "--audience", "sales")

    assert result.exit_code == 2
    assert "no digest audience 'sales'; configured: marketing" in result.output
