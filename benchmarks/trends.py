"""The marketers' trends under load: each ``/api/v1/trends`` endpoint on 200,000 mentions.

Seeds ``--count`` synthetic mentions (:func:`benchmarks.synthetic.generate_mentions`:
English and Japanese posts from September to November 2026) as indexed documents under a
fresh index prefix on a running Elasticsearch: the brands a post names (Hoshi Mobile, ours;
Nami Telecom and Kaze Wireless, competitors), a sentiment label (5 % unscored) and up to two
topics, drawn for a ``--seed``. Then starts ``kikimimi web`` as a subprocess on a throwaway
state directory with one marketer and asks each endpoint ``--rounds`` times, one request at
a time, for a ``--days``-long period (day buckets) against the one before, all brands. Each
round moves the period back by an hour, so that no answer comes from Elasticsearch's
request cache. It reports p50/p95 latency of each endpoint against the goal (p95 < 500 ms).

The last line of stdout is ``slowest p95: NAME X ms (goal < 500 ms)``. Needs Elasticsearch
8.x (for example ``kikimimi es start``); every index under ``--prefix`` is deleted before
and after.
"""

from __future__ import annotations

import argparse
import random
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
from config import load_settings, users_path
from core import IndexNames
from indexer import install_templates
from kikimimi import wiring
from kikimimi.accounts import Accounts, Role

DEFAULT_COUNT = 200_000
DEFAULT_ROUNDS = 30
DEFAULT_DAYS = 30
DEFAULT_URL = "http://127.0.0.1:9200"
DEFAULT_PREFIX = "kikimimi-bench-trends"
GOAL_MS = 500.0
BRANDS: dict[str, tuple[str, ...]] = {
    "Hoshi Mobile": ("hoshi", "ほしモバ", "星モバイル"),
    "Nami Telecom": ("nami", "ナミテレ"),
    "Kaze Wireless": ("kaze", "カゼワイヤレス"),
}
TOPICS = ("outage", "billing", "app", "coverage", "price", "roaming", "support", "esim")
ENDPOINTS: dict[str, dict[str, Any]] = {
    "volume": {},
    "share-of-voice": {},
    "sentiment": {},
    "topics": {},
    "themes": {},
    "sources": {},
    "authors": {},
    "posts": {"sentiment": "negative"},
}


def _log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def documents(count: int, seed: int, names: IndexNames) -> Iterator[dict[str, Any]]:
    """Bulk actions of ``count`` synthetic mentions with what NLP would have found."""
    rng = random.Random(seed)
    for mention in generate_mentions(count, seed):
        folded = mention.text.lower()
        brands = [
            {"brand": brand, "role": "own" if n == 0 else "competitor", "tagged": False}
            for n, (brand, words) in enumerate(BRANDS.items())
            if any(word in folded for word in words)
        ]
        label = rng.choices(("negative", "neutral", "positive", None), (35, 40, 20, 5))[0]
        document = mention.model_dump(mode="json", exclude_none=True)
        document |= {"brands": brands, "topics": rng.sample(TOPICS, rng.randint(0, 2))}
        if label is not None:
            probabilities = dict.fromkeys(("negative", "neutral", "positive"), 0.1)
            probabilities[label] = 0.8
            document["sentiment"] = {
                "label": label,
                "score": 0.8,
                "probabilities": probabilities,
                "model": "benchmark",
            }
        yield {
            "_index": names.mention_index(mention.published_at),
            "_id": mention.id,
            "_source": document,
        }


def seed(client: Elasticsearch, names: IndexNames, count: int, seed_value: int) -> float:
    """Index the documents; the seconds it took."""
    started = time.perf_counter()
    indexed, errors = helpers.bulk(
        client, documents(count, seed_value, names), chunk_size=2000, raise_on_error=True
    )
    client.indices.refresh(index=names.mentions_alias)
    if indexed != count or errors:
        raise SystemExit(f"seeding: {indexed} of {count} mentions indexed: {errors}")
    return time.perf_counter() - started


def measure(url: str, token: str, rounds: int, days: int) -> dict[str, list[float]]:
    """Seconds of each endpoint's requests, one round after a warm-up."""
    samples: dict[str, list[float]] = {name: [] for name in ENDPOINTS}
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=headers, timeout=120) as http:
        for number in range(-1, rounds):
            end = PERIOD_END - timedelta(hours=max(number, 0))
            period = {"start": (end - timedelta(days=days)).isoformat(), "end": end.isoformat()}
            for name, extra in ENDPOINTS.items():
                started = time.perf_counter()
                response = http.get(f"/api/v1/trends/{name}", params={**period, **extra})
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise SystemExit(f"{name}: HTTP {response.status_code}: {response.text[:300]}")
                if number >= 0:
                    samples[name].append(elapsed)
    return samples


def report(name: str, samples: Sequence[float]) -> str:
    p50, p95 = percentile(samples, 0.5) * 1000, percentile(samples, 0.95) * 1000
    verdict = "ok" if p95 < GOAL_MS else "over the goal"
    return f"{name:<16} n={len(samples):>4}  p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  {verdict}"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="mentions to seed")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS, help="requests each")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="period length")
    parser.add_argument("--url", default=DEFAULT_URL, help="Elasticsearch")
    parser.add_argument("--prefix", default=DEFAULT_PREFIX, help="index prefix (deleted!)")
    parser.add_argument("--seed", type=int, default=20261130)
    args = parser.parse_args(argv)
    if args.count < 1 or args.rounds < 1 or not 1 <= args.days <= 45:
        parser.error("--count and --rounds must be positive, --days 1 to 45")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kikimimi-bench-trends-") as tmp:
        directory = Path(tmp)
        config = directory / "kikimimi.yaml"
        brands = list(BRANDS)
        document = {
            "state_dir": str(directory / "var"),
            "elasticsearch": {"hosts": [args.url], "index_prefix": args.prefix},
            "brands": [{"name": brands[0]}],
            "competitors": [{"name": name} for name in brands[1:]],
        }
        config.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
        settings = load_settings(config)
        client = wiring.elasticsearch_client(settings)
        names = wiring.index_names(settings)
        delete_indices(client, args.prefix)
        install_templates(client, names)
        try:
            _log(f"seeding {args.count} mentions")
            seconds = seed(client, names, args.count, args.seed)
            print(f"seeded {args.count} mentions in {seconds:.1f} s")
            with Accounts(users_path(settings)) as accounts:
                accounts.add_user("marketer", secrets.token_urlsafe(16), Role.MARKETER, [])
                token = accounts.issue_token("marketer").secret
            web = WebApp(config, directory / "web.log")
            try:
                _log(f"{len(ENDPOINTS)} endpoints × {args.rounds} rounds, {args.days}-day period")
                samples = measure(web.url, token, args.rounds, args.days)
            finally:
                web.stop()
        finally:
            delete_indices(client, args.prefix)
            delete_templates(client, names)
            client.close()
    for name, times in samples.items():
        print(report(name, times))
    slowest = max(samples, key=lambda name: percentile(samples[name], 0.95))
    worst = percentile(samples[slowest], 0.95) * 1000
    print(f"slowest p95: {slowest} {worst:.1f} ms (goal < {GOAL_MS:.0f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
