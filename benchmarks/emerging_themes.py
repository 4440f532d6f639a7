"""The trends' emerging themes (``/api/v1/trends/emerging``) with a cold and a warm embedding
cache.

Seeds ``--count`` negative posts without a topic about Hoshi Mobile in the last 7 days before
2026-12-01 and as many in the 7 days before them (texts of
:func:`benchmarks.synthetic.generate_mentions`, English and Japanese), plus one post a year
earlier, as indexed documents under a fresh index prefix on a running Elasticsearch. Then, on
one throwaway state directory, ``kikimimi web`` as a subprocess with one marketer:

1. a web process allowed to embed every post in a request: first the year-old post is asked
   for (the sentence encoder is built: ``model build``), then the week with an empty cache
   (``cold, all embedded``);
2. a fresh web process on the same state directory: the week once (``warm, new process``:
   spaCy, torch and the Japanese dictionary load with it) and ``--rounds`` times more
   (``warm``), every post read from the cache and the model never built;
3. a fresh web process on a new, empty cache with the default allowance
   (``trends.emerging_embed_per_request``): the week once (``cold, default allowance``), its
   ``pending`` printed.

Prints one line per step (ms; p50/p95 for ``warm``); the last line is
``warm p50: X ms, cold: Y ms``. Needs Elasticsearch 8.x (for example ``kikimimi es start``);
every index under ``--prefix`` is deleted before and after.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml
from elasticsearch import Elasticsearch, helpers

from benchmarks.index_throughput import delete_indices, delete_templates
from benchmarks.synthetic import PERIOD_END, generate_mentions
from benchmarks.web_inbox import WebApp, percentile
from config import TrendsSettings, load_settings, users_path
from core import IndexNames
from indexer import DEFAULT_PERIOD, install_templates
from kikimimi.accounts import Accounts, Role

DEFAULT_COUNT = 500
DEFAULT_ROUNDS = 10
DEFAULT_URL = "http://127.0.0.1:9200"
DEFAULT_PREFIX = "kikimimi-bench-emerging"
BRAND = "Hoshi Mobile"
YEAR_BEFORE = PERIOD_END - timedelta(days=365)


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def documents(count: int, seed: int, names: IndexNames) -> Iterator[dict[str, Any]]:
    """``count`` posts in each of the two weeks before :data:`PERIOD_END`, one a year earlier."""
    week = DEFAULT_PERIOD / count
    for number, mention in enumerate(generate_mentions(2 * count + 1, seed)):
        published = YEAR_BEFORE if number == 2 * count else PERIOD_END - week * (number + 1)
        document = mention.model_dump(mode="json", exclude_none=True)
        document |= {
            "published_at": published.isoformat(),
            "brands": [{"brand": BRAND, "role": "own", "tagged": False}],
            "sentiment": {
                "label": "negative",
                "score": 0.9,
                "probabilities": {"negative": 0.9, "neutral": 0.05, "positive": 0.05},
                "model": "benchmark",
            },
        }
        yield {"_index": names.mention_index(published), "_id": mention.id, "_source": document}


def seed(client: Elasticsearch, names: IndexNames, count: int, seed_value: int) -> None:
    indexed, errors = helpers.bulk(client, documents(count, seed_value, names))
    client.indices.refresh(index=names.mentions_alias)
    if indexed != 2 * count + 1 or errors:
        raise SystemExit(f"seeding: {indexed} of {2 * count + 1} mentions indexed: {errors}")


def write_config(directory: Path, url: str, prefix: str, state: str, allowance: int) -> Path:
    config = directory / f"kikimimi-{state}-{allowance}.yaml"
    document = {
        "state_dir": str(directory / state),
        "elasticsearch": {"hosts": [url], "index_prefix": prefix},
        "brands": [{"name": BRAND}],
        "trends": {"emerging_embed_per_request": allowance},
    }
    config.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return config


def token_for(config: Path) -> str:
    """An API token of a new marketer in ``config``'s state directory."""
    with Accounts(users_path(load_settings(config))) as accounts:
        accounts.add_user("marketer", secrets.token_urlsafe(16), Role.MARKETER, [])
        return accounts.issue_token("marketer").secret


def ask(web: WebApp, token: str, start: Any, end: Any) -> tuple[float, dict[str, Any]]:
    """Seconds of one request for [start, end), and its answer."""
    period = {"start": start.isoformat(), "end": end.isoformat(), "brand": BRAND}
    headers = {"Authorization": f"Bearer {token}"}
    started = time.perf_counter()
    response = httpx.get(
        f"{web.url}/api/v1/trends/emerging", params=period, headers=headers, timeout=600
    )
    elapsed = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"HTTP {response.status_code}: {response.text[:300]}")
    answer: dict[str, Any] = response.json()
    return elapsed, answer


def summary(answer: dict[str, Any]) -> str:
    sizes = [theme["size"] for theme in answer["themes"]]
    return (
        f"{answer['sampled']} grouped, {answer['pending']} + {answer['previous_pending']} "
        f"pending, {len(sizes)} themes (largest {sizes[:3]})"
    )


def line(step: str, timing: str, detail: str) -> str:
    return f"{step:<30} {timing:>30}  {detail}"


def measure(args: argparse.Namespace, directory: Path) -> tuple[float, list[float]]:
    """Run the three steps (see the module); the cold and the warm seconds."""
    start, end = PERIOD_END - DEFAULT_PERIOD, PERIOD_END
    everything = write_config(directory, args.url, args.prefix, "var", 2 * args.count)
    token = token_for(everything)
    web = WebApp(everything, directory / "web-1.log")
    try:
        build, _ = ask(web, token, YEAR_BEFORE, YEAR_BEFORE + timedelta(hours=1))
        print(line("model build, 1 post", f"{build * 1000:.1f} ms", ""))
        cold, answer = ask(web, token, start, end)
        print(line("cold, all embedded", f"{cold * 1000:.1f} ms", summary(answer)))
    finally:
        web.stop()
    web = WebApp(everything, directory / "web-2.log")
    warm: list[float] = []
    try:
        first, answer = ask(web, token, start, end)
        print(line("warm, new process", f"{first * 1000:.1f} ms", summary(answer)))
        for _ in range(args.rounds):
            seconds, answer = ask(web, token, start, end)
            warm.append(seconds)
    finally:
        web.stop()
    p50, p95 = percentile(warm, 0.5) * 1000, percentile(warm, 0.95) * 1000
    print(line(f"warm (n={len(warm)})", f"p50 {p50:.1f} ms, p95 {p95:.1f} ms", summary(answer)))
    allowance = TrendsSettings().emerging_embed_per_request
    default = write_config(directory, args.url, args.prefix, "var-default", allowance)
    token = token_for(default)
    web = WebApp(default, directory / "web-3.log")
    try:
        bounded, answer = ask(web, token, start, end)
        label = f"cold, default allowance {allowance}"
        print(line(label, f"{bounded * 1000:.1f} ms", summary(answer)))
    finally:
        web.stop()
    return cold, warm


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="posts per week")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="warm requests")
    parser.add_argument("--url", default=DEFAULT_URL, help="Elasticsearch")
    parser.add_argument("--prefix", default=DEFAULT_PREFIX, help="index prefix (deleted!)")
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args(argv)
    if not 1 <= args.count <= 5_000 or args.rounds < 1:
        parser.error("--count must be 1 to 5,000 and --rounds positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    client = Elasticsearch(args.url, request_timeout=60)
    names = IndexNames(args.prefix)
    delete_indices(client, args.prefix)
    install_templates(client, names)
    try:
        _log(f"seeding 2 × {args.count} negative posts without a topic")
        seed(client, names, args.count, args.seed)
        with tempfile.TemporaryDirectory(prefix="kikimimi-bench-emerging-") as tmp:
            cold, warm = measure(args, Path(tmp))
    finally:
        delete_indices(client, args.prefix)
        delete_templates(client, names)
        client.close()
    print(f"warm p50: {percentile(warm, 0.5) * 1000:.1f} ms, cold: {cold * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
