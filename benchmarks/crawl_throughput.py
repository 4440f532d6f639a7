"""Crawl throughput against the local stand-ins, with a raw HTTP client as the bound.

For each source stand-in, ``--count`` realistic synthetic posts (English and Japanese, from
:mod:`benchmarks.synthetic`) are served on 127.0.0.1, then

* ``raw``: the same pages are fetched one after another with ``urllib`` and decoded
  (``json.loads`` / XML parse) — the least any crawler must do; and
* ``crawl``: ``kikimimi crawl`` runs against them as in production (a fresh process, Scrapy,
  conversion to Mention, validation, de-duplication, the durable queue, cursors), with
  politeness delays off (``requests_per_second`` 1000, AutoThrottle off).

Prints pages/s and mentions/s for both, the crawl's in-process time (spider open to close)
and whole-process time, and for each source the ratio crawl/raw. Last line: the ratio for
the Hacker News source (in-process mentions/s).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from benchmarks.synthetic import generate_mentions
from crawlers.standins.hackernews import HackerNewsStandin
from crawlers.standins.server import StandinPost, StandinServer
from crawlers.state import CrawlState

QUERY = "hoshi"


@dataclass(frozen=True)
class Figures:
    pages: int
    mentions: int
    seconds: float

    def line(self, label: str) -> str:
        return (
            f"{label:<22} {self.pages:>6} pages {self.mentions:>7} mentions"
            f" in {self.seconds:6.2f} s"
            f" = {self.pages / self.seconds:8.1f} pages/s {self.mentions / self.seconds:9.1f}"
            " mentions/s"
        )


def sample_posts(count: int) -> list[StandinPost]:
    """Synthetic mentions as stand-in posts, every one containing the query term."""
    posts: list[StandinPost] = []
    for mention in generate_mentions(count, seed=7):
        text = mention.text if QUERY in mention.text.casefold() else f"Hoshi Mobile: {mention.text}"
        posts.append(
            StandinPost(
                native_id=str(50_000_000 + len(posts)),
                text=text,
                created_at=mention.published_at,
                author=mention.author.handle or "someone",
                title=mention.title,
                likes=mention.engagement.likes or 0,
            )
        )
    return posts


def raw_hackernews(base: str) -> Figures:
    start = time.perf_counter()
    pages = mentions = page = 0
    while True:
        url = (
            f"{base}/api/v1/search_by_date?query={QUERY}&tags=(story,comment)"
            f"&hitsPerPage=50&page={page}"
        )
        with urllib.request.urlopen(url) as response:  # noqa: S310 - a 127.0.0.1 stand-in
            body = json.loads(response.read())
        pages += 1
        mentions += len(body["hits"])
        page += 1
        if page >= body["nbPages"]:
            break
    return Figures(pages, mentions, time.perf_counter() - start)


def crawl(root: Path, source: dict[str, object]) -> tuple[Figures, Figures]:
    """Run ``kikimimi crawl`` once; (in-process figures, whole-process figures)."""
    config = root / "kikimimi.yaml"
    document = {
        "state_dir": "var",
        "brands": [{"name": "Hoshi Mobile"}],
        "crawl": {"autothrottle": False},
        "sources": [{**source, "requests_per_second": 1000, "max_pages": 1000}],
    }
    config.write_text(yaml.safe_dump(document))
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "kikimimi", "--config", str(config), "crawl", str(source["name"])],
        check=True,
        capture_output=True,
    )
    whole = time.perf_counter() - start
    state = CrawlState(root / "var" / "crawl" / "state.sqlite")
    run = state.runs(str(source["name"]), limit=1)[0]
    state.close()
    inside = Figures(run.pages, run.mentions, run.finished_at - run.started_at)
    return inside, Figures(run.pages, run.mentions, whole)


BENCHES: dict[str, tuple[Callable[[list[StandinPost]], object], Callable[[str], Figures]]] = {
    "hackernews": (HackerNewsStandin, raw_hackernews),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="posts per source")
    args = parser.parse_args()
    posts = sample_posts(args.count)
    ratios = {}
    for name, (make_standin, raw) in BENCHES.items():
        with StandinServer(make_standin(posts)) as server, tempfile.TemporaryDirectory() as tmp:  # type: ignore[arg-type]
            raw_figures = raw(server.url)
            inside, whole = crawl(
                Path(tmp), {"name": name, "type": name, "base_url": server.url, "queries": [QUERY]}
            )
        print(f"== {name}")
        print(raw_figures.line("raw urllib"))
        print(inside.line("crawl (in process)"))
        print(whole.line("crawl (whole process)"))
        raw_rate = raw_figures.mentions / raw_figures.seconds
        ratios[name] = (inside.mentions / inside.seconds) / raw_rate
        print(f"ratio crawl/raw ({name}): {ratios[name]:.2f}")
    print(f"ratio crawl/raw: {ratios['hackernews']:.2f}")


if __name__ == "__main__":
    main()
