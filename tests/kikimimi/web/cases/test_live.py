"""The live inbox's event stream from a real ``kikimimi web`` process on the real
Elasticsearch: a case written after the stream opened arrives as a card (how fast:
``benchmarks/web_inbox.py``), with hostile text escaped; another team's case never comes;
a closed case goes; a browser reconnecting with ``Last-Event-ID`` misses nothing."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from alerts import CaseStore
from tests.kikimimi.web.cases.conftest import HOSTILE, OpenCase, token_of
from tests.kikimimi.web.conftest import FakeClock, RunningWeb

pytestmark = pytest.mark.elasticsearch


@dataclass
class Stream:
    """An event stream read in the background: each event with when it arrived."""

    events: list[tuple[float, str, dict[str, Any], str | None]] = field(default_factory=list)
    opened: threading.Event = field(default_factory=threading.Event)
    stop: threading.Event = field(default_factory=threading.Event)

    def wait_for(
        self, kind: str, case_id: str, timeout: float = 10
    ) -> tuple[float, dict[str, Any], str | None]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, found, data, event_id in list(self.events):
                if found == kind and data.get("id") == case_id:
                    return at, data, event_id
            time.sleep(0.02)
        raise AssertionError(f"no {kind} event for {case_id} in {timeout} s: {self.events}")


def listen(server: RunningWeb, token: str, headers: dict[str, str] | None = None) -> Stream:
    stream = Stream()

    def read() -> None:
        with httpx.stream(
            "GET",
            f"{server.url}/api/v1/cases/events",
            headers={"Authorization": f"Bearer {token}", **(headers or {})},
            timeout=httpx.Timeout(5, read=60),
        ) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            stream.opened.set()
            kind, event_id = "message", None
            for line in response.iter_lines():
                if stream.stop.is_set():
                    return
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("id: "):
                    event_id = line[4:]
                elif line.startswith("data: "):
                    stream.events.append((time.monotonic(), kind, json.loads(line[6:]), event_id))
                    kind = "message"

    threading.Thread(target=read, daemon=True).start()
    assert stream.opened.wait(10), "the stream did not open"
    return stream


def test_a_new_case_arrives_live_escaped_and_only_to_its_team(
    live_web: RunningWeb, open_case: OpenCase, store: CaseStore, clock: FakeClock
) -> None:
    stream = listen(live_web, token_of(live_web, "ana"))
    time.sleep(0.5)

    clock.now = datetime.now(UTC)  # the server's clock: the cases come after the stream opened
    other_team = open_case(team="billing", author="b")
    case = open_case(text=HOSTILE, name=HOSTILE)
    _, data, event_id = stream.wait_for("card", case.id)

    assert "<img src=x" not in data["html"] and "<script>" not in data["html"]
    assert "&lt;img src=x onerror=alert(1)&gt;" in data["html"]
    assert data["html"].startswith('<li class="case-card" id="case-')
    assert data["rank"] == 2 and event_id is not None
    clock.now = datetime.now(UTC)
    store.close(case.id, clock.now)
    stream.wait_for("gone", case.id)
    stream.stop.set()
    assert all(data.get("id") != other_team.id for _, _, data, _ in stream.events)


def test_reconnecting_with_the_last_event_id_misses_nothing(
    live_web: RunningWeb, open_case: OpenCase, clock: FakeClock
) -> None:
    token = token_of(live_web, "ana")
    first = listen(live_web, token)
    clock.now = datetime.now(UTC)  # the server's clock: the cases come after the stream opened
    seen = open_case(author="a")
    _, _, last_id = first.wait_for("card", seen.id)
    first.stop.set()
    assert last_id is not None

    missed = open_case(author="b")  # written while the browser was away
    time.sleep(1.2)
    again = listen(live_web, token, {"Last-Event-ID": last_id})

    again.wait_for("card", missed.id)
    again.stop.set()


def test_a_marketer_gets_no_stream(live_web: RunningWeb) -> None:
    answer = httpx.get(
        f"{live_web.url}/api/v1/cases/events",
        headers={"Authorization": f"Bearer {token_of(live_web, 'mia')}"},
    )

    assert answer.status_code == 403


def test_an_open_stream_does_not_hold_up_a_graceful_stop(live_web: RunningWeb) -> None:
    listen(live_web, token_of(live_web, "ana"))
    asked = time.monotonic()

    status = live_web.stop(timeout=10)

    assert status == 0
    assert time.monotonic() - asked < 5
