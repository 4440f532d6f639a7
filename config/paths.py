"""Where Kikimimi keeps things: the cache of what it builds or downloads once, and the state
files the crawlers share with the pipeline (light to import: crawls need only these)."""

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


def queue_path(settings: Settings) -> Path:
    """The local durable mention queue between crawlers and the pipeline."""
    return settings.state_dir / "queue" / "mentions.sqlite"


def crawl_state_path(settings: Settings) -> Path:
    """Cursors, seen ids and run history of the crawlers."""
    return settings.state_dir / "crawl" / "state.sqlite"
