"""The web app's inbox under load: 20 agents working 10,000 open cases at once.

Seeds ``--count`` open cases (bulk, one team) under a fresh index prefix on a running
Elasticsearch, starts ``kikimimi web`` as a subprocess on a throwaway state directory with
``--agents`` agents (each with an API token), then has every agent, in its own thread with
its own HTTP client, repeat ``--rounds`` times: list the inbox as JSON (``GET
/api/v1/cases``) and as the page (``GET /inbox``), open a case page (``GET /cases/{id}``)
and claim a case nobody holds (``POST /api/v1/cases/{id}/claim``). It reports p50/p95
latency of each, and the raw bound: the same inbox search done directly with
:meth:`alerts.CaseStore.inbox` (the Elasticsearch query and its parsing), by as many
threads at once. Last, the live latency: a case written with ``CaseStore`` (a note) until
its ``card`` event arrives on the inbox's event stream (``GET /api/v1/cases/events``).

The last line of stdout is ``ratio list p50 web/raw: X.XX``. Needs Elasticsearch 8.x (for
example ``kikimimi es start``); every index under ``--prefix`` is deleted before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml
from elasticsearch import Elasticsearch, helpers

from alerts import CaseStore
from config import Settings, load_settings, users_path
from core import Author, Case, CaseEvent
from indexer import install_templates
from kikimimi import wiring
from kikimimi.accounts import Accounts, Role
from kikimimi.web.casework import InboxFilters

DEFAULT_COUNT = 10_000
DEFAULT_AGENTS = 20
DEFAULT_ROUNDS = 10
DEFAULT_LIVE = 20
DEFAULT_URL = "http://127.0.0.1:9200"
DEFAULT_PREFIX = "kikimimi-bench-web"
TEAM = "care"
PRIORITIES = ("urgent", "high", "normal", "low")
SLA_MINUTES = {"urgent": 30, "high": 120, "normal": 480, "low": 1440}
SOURCES = ("bluesky", "mastodon", "hn", "forum", "appstore", "news", "stackexchange")


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of ``values``."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def delete_indices(client: Elasticsearch, prefix: str) -> None:
    found = client.indices.get(index=f"{prefix}-*", expand_wildcards="all", allow_no_indices=True)
    if found.body:
        client.indices.delete(index=",".join(sorted(found.body)))


def synthetic_cases(count: int, now: datetime, seed: int) -> Iterator[Case]:
    """``count`` open cases of :data:`TEAM` opened over the last two days, half Japanese."""
    rng = random.Random(seed)
    for number in range(count):
        opened = now - timedelta(minutes=rng.uniform(1, 48 * 60))
        priority = rng.choice(PRIORITIES)
        japanese = number % 2 == 1
        text = (
            f"ほしモバイルの通信障害がひどい #{number}"
            if japanese
            else f"Hoshi Mobile network is down again #{number}"
        )
        yield Case(
            id=f"case-bench-{number:06d}",
            mention_ids=[f"bench-mention-{number}"],
            brand="Hoshi Mobile",
            author=Author(id=f"u{number}", handle=f"user{number}", name=f"User {number}"),
            priority=priority,
            team=TEAM,
            rule="complaints",
            reason="complaint: negative",
            source=rng.choice(SOURCES),
            opened_at=opened,
            updated_at=opened,
            sla_due_at=opened + timedelta(minutes=SLA_MINUTES[priority]),
            lang="ja" if japanese else "en",
            excerpt=text,
            history=[CaseEvent(at=opened, kind="opened", mention_id=f"bench-mention-{number}")],
        )


def seed_cases(client: Elasticsearch, index: str, cases: Sequence[Case]) -> float:
    """Bulk-index the cases; the seconds it took."""
    started = time.perf_counter()
    actions = (
        {"_index": index, "_id": c.id, "_source": c.model_dump(mode="json", exclude_none=True)}
        for c in cases
    )
    created, errors = helpers.bulk(client, actions, chunk_size=2000, raise_on_error=True)
    client.indices.refresh(index=index)
    if created != len(cases) or errors:
        raise SystemExit(f"seeding: {created} of {len(cases)} cases indexed: {errors}")
    return time.perf_counter() - started


def free_port() -> int:
    import socket  # noqa: PLC0415

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebApp:
    """``kikimimi web`` as a subprocess on ``config``; stopped with SIGTERM."""

    def __init__(self, config: Path, log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k != "KIKIMIMI_CONFIG"}
        self._log = log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kikimimi",
                "--config",
                str(config),
                "web",
                "--port",
                str(self.port),
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"kikimimi web exited: {log.read_text(errors='replace')}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.1)
        raise SystemExit("kikimimi web did not answer within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
        self._log.close()


def timed(
    samples: dict[str, list[float]], kind: str, http: httpx.Client, method: str, path: str
) -> None:
    """One request, its latency recorded under ``kind``; anything but 200 stops the run."""
    started = time.perf_counter()
    response = http.request(method, path, json={} if method == "POST" else None)
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{kind}: HTTP {response.status_code}: {response.text[:300]}")
    samples.setdefault(kind, []).append(elapsed)


LIST = "list (GET /api/v1/cases)"


def agent_work(
    url: str, token: str, case_ids: Sequence[str], claims: Sequence[str], rounds: int
) -> dict[str, list[float]]:
    """One agent's rounds: the inbox as JSON and as a page, a case page, a claim."""
    samples: dict[str, list[float]] = {}
    headers = {"Authorization": f"Bearer {token}"}
    rng = random.Random(token)
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        for number in range(rounds):
            timed(samples, LIST, http, "GET", "/api/v1/cases")
            timed(samples, "inbox page (GET /inbox)", http, "GET", "/inbox")
            path = f"/cases/{rng.choice(case_ids)}"
            timed(samples, "case page (GET /cases/{id})", http, "GET", path)
            path = f"/api/v1/cases/{claims[number]}/claim"
            timed(samples, "claim (POST .../claim)", http, "POST", path)
    return samples


def raw_work(store: CaseStore, user: Any, rounds: int) -> list[float]:
    """The inbox's search done directly, ``rounds`` times."""
    query = InboxFilters().query(user)
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        store.inbox(query)
        samples.append(time.perf_counter() - started)
    return samples


def live_latency(
    url: str, token: str, store: CaseStore, case_ids: Sequence[str], writes: int
) -> list[float]:
    """Seconds from a case write (a note, with ``CaseStore``) to its ``card`` event."""
    arrived: dict[str, float] = {}
    ready = threading.Event()
    stop = threading.Event()

    def read() -> None:
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        timeout = httpx.Timeout(10, read=None)
        with (
            httpx.Client(base_url=url, headers=headers, timeout=timeout) as http,
            http.stream("GET", "/api/v1/cases/events") as response,
        ):
            kind = None
            for line in response.iter_lines():
                ready.set()
                if stop.is_set():
                    return
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: ") and kind == "card":
                    arrived.setdefault(json.loads(line[6:])["id"], time.perf_counter())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    if not ready.wait(30):
        raise SystemExit("the event stream did not open within 30 s")
    time.sleep(1.0)
    latencies = []
    for case_id in case_ids[:writes]:
        started = time.perf_counter()
        store.note(case_id, "benchmark note", datetime.now(UTC), "lead")
        deadline = started + 30
        while case_id not in arrived and time.perf_counter() < deadline:
            time.sleep(0.005)
        if case_id not in arrived:
            raise SystemExit(f"no card event for {case_id} within 30 s")
        latencies.append(arrived[case_id] - started)
        time.sleep(0.2)
    stop.set()
    return latencies


def report(name: str, samples: Sequence[float]) -> str:
    p50, p95 = percentile(samples, 0.5) * 1000, percentile(samples, 0.95) * 1000
    return f"{name:<32} n={len(samples):>5}  p50 {p50:8.1f} ms  p95 {p95:8.1f} ms"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="open cases to seed")
    parser.add_argument("--agents", type=int, default=DEFAULT_AGENTS, help="concurrent agents")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="rounds per agent")
    parser.add_argument("--live", type=int, default=DEFAULT_LIVE, help="case writes timed live")
    parser.add_argument("--url", default=DEFAULT_URL, help="Elasticsearch")
    parser.add_argument("--prefix", default=DEFAULT_PREFIX, help="index prefix (deleted!)")
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args(argv)
    if args.count < args.agents * args.rounds + args.live:
        parser.error("--count must be at least agents × rounds + live (each claim its own case)")
    return args


def load(
    args: argparse.Namespace, config: Path, settings: Settings, store: CaseStore, ids: list[str]
) -> None:
    """The agents, the raw bound and the live latency, printed."""
    agents = [f"agent{n:02d}" for n in range(args.agents)]
    with Accounts(users_path(settings)) as accounts:
        for name in [*agents, "lead"]:
            role = Role.LEAD if name == "lead" else Role.AGENT
            accounts.add_user(name, secrets.token_urlsafe(16), role, [TEAM])
        tokens = {name: accounts.issue_token(name).secret for name in [*agents, "lead"]}
        user = accounts.user(agents[0])
    claimable = ids[args.live :]
    web = WebApp(config, config.parent / "web.log")
    try:
        _log("warming up")
        agent_work(web.url, tokens["lead"], ids, claimable[-1:], 1)
        _log(f"{args.agents} agents × {args.rounds} rounds")
        with ThreadPoolExecutor(args.agents) as pool:
            results = list(
                pool.map(
                    lambda n: agent_work(
                        web.url,
                        tokens[agents[n]],
                        ids,
                        claimable[n * args.rounds : (n + 1) * args.rounds],
                        args.rounds,
                    ),
                    range(args.agents),
                )
            )
            raw = [
                s
                for part in pool.map(
                    lambda _: raw_work(store, user, args.rounds), range(args.agents)
                )
                for s in part
            ]
        _log(f"live: {args.live} case writes")
        live = live_latency(web.url, tokens["lead"], store, ids, args.live)
    finally:
        web.stop()
    merged: dict[str, list[float]] = {}
    for part in results:
        for kind, samples in part.items():
            merged.setdefault(kind, []).extend(samples)
    for kind, samples in merged.items():
        print(report(kind, samples))
    print(report("raw inbox search (CaseStore)", raw))
    print(report("live: case write → SSE card", live))
    ratio = statistics.median(merged[LIST]) / statistics.median(raw)
    print(f"ratio list p50 web/raw: {ratio:.2f}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kikimimi-bench-web-") as tmp:
        directory = Path(tmp)
        config = directory / "kikimimi.yaml"
        document = {
            "state_dir": str(directory / "var"),
            "elasticsearch": {"hosts": [args.url], "index_prefix": args.prefix},
            "rules": [{"name": "complaints", "open_case": True, "team": TEAM}],
        }
        config.write_text(yaml.safe_dump(document), encoding="utf-8")
        settings = load_settings(config)
        client = wiring.elasticsearch_client(settings)
        names = wiring.index_names(settings)
        delete_indices(client, args.prefix)
        install_templates(client, names)
        store = wiring.case_store(settings, client)
        try:
            now = datetime.now(UTC)
            cases = list(synthetic_cases(args.count, now, args.seed))
            _log(f"seeding {args.count} open cases")
            seconds = seed_cases(client, names.cases_index, cases)
            print(f"seeded {args.count} open cases in {seconds:.1f} s")
            load(args, config, settings, store, [c.id for c in cases])
        finally:
            delete_indices(client, args.prefix)
            for template in (names.mentions_template, names.cases_template):
                client.options(ignore_status=404).indices.delete_index_template(name=template)
            client.options(ignore_status=404).cluster.delete_component_template(
                name=names.settings_component
            )
            client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
