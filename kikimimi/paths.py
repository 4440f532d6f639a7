"""Where Kikimimi caches what it builds or downloads once (distributions, model exports)."""

from __future__ import annotations

import os
from pathlib import Path


def default_cache_dir() -> Path:
    """``/var/cache/kikimimi`` for root (other users must reach it), else the XDG cache."""
    if os.geteuid() == 0:
        return Path("/var/cache/kikimimi")
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "kikimimi"
