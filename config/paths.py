"""Where Kikimimi keeps things: the cache of what it builds or downloads once, and every
state file or folder under ``state_dir`` (light to import: crawls need only these).

These functions are the only place a state path is decided; everything else asks them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.settings import Settings


def default_cache_dir() -> Path:
    """``/var/cache/kikimimi`` for root (other users must reach it), else the XDG cache."""
    if os.geteuid() == 0:
        return Path("/var/cache/kikimimi")
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "kikimimi"


def run_lock_path(settings: Settings, role: str) -> Path:
    """The lock a ``kikimimi run`` running ``role`` holds on the state directory (it holds
    the holder's PID)."""
    return settings.state_dir / "run" / f"{role}.lock"


def queue_path(settings: Settings) -> Path:
    """The local durable mention queue between crawlers and the pipeline."""
    return settings.state_dir / "queue" / "mentions.sqlite"


def crawl_state_path(settings: Settings) -> Path:
    """Cursors, seen ids and run history of the crawlers."""
    return settings.state_dir / "crawl" / "state.sqlite"


def scheduler_jobs_path(settings: Settings) -> Path:
    """The crawl scheduler's job store: each source's next run time, kept across restarts."""
    return settings.state_dir / "scheduler" / "jobs.sqlite"


def local_node_dir(settings: Settings) -> Path:
    """The local Elasticsearch node's config, data, logs and pid file
    (``elasticsearch.local.directory`` when set)."""
    return Path(settings.elasticsearch.local.directory or settings.state_dir / "elasticsearch")


def indexer_spool_dir(settings: Settings) -> Path:
    """Batches the indexer could not write while Elasticsearch was down, replayed later."""
    return settings.state_dir / "indexer" / "spool"


def dead_letters_path(settings: Settings) -> Path:
    """Documents Elasticsearch refused for good, one JSON line each."""
    return settings.state_dir / "indexer" / "dead-letters.jsonl"


def outbox_path(settings: Settings) -> Path:
    """The durable outbox of notices waiting for, or delivered to, their channels."""
    return settings.state_dir / "alerts" / "outbox.sqlite"


def spike_state_path(settings: Settings) -> Path:
    """The spike detector's memory: confirmations so far and each brand's last alert."""
    return settings.state_dir / "alerts" / "spikes.json"


def demo_dir(settings: Settings) -> Path:
    """``kikimimi demo``'s workspace: its configuration and its own ``state_dir``."""
    return settings.state_dir / "demo"


def users_path(settings: Settings) -> Path:
    """The web app's users, their password hashes, API tokens and sessions (owner-only)."""
    return settings.state_dir / "web" / "users.sqlite"


def canned_responses_path(settings: Settings) -> Path:
    """The care teams' canned responses, per team and language (the web app's)."""
    return settings.state_dir / "web" / "canned-responses.sqlite"


def embedding_cache_path(settings: Settings) -> Path:
    """Sentence embeddings of posts, kept for the trends' emerging themes (the web app's and
    ``kikimimi run``'s)."""
    return settings.state_dir / "nlp" / "embeddings.sqlite"
