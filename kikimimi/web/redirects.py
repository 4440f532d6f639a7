"""Where to go after signing in: ``next`` is followed only when it is a path of this site,
so a link cannot send a user elsewhere after they signed in (an open redirect)."""

from __future__ import annotations

from urllib.parse import urlsplit

HOME = "/"
_MAX_NEXT = 2000


def safe_next(target: str | None) -> str:
    """``target`` when it is a local path (``/inbox?team=care``), else ``/``."""
    if not target or len(target) > _MAX_NEXT or not target.startswith("/"):
        return HOME
    if target.startswith("//") or "\\" in target:  # //host and /\host are other sites
        return HOME
    if any(ord(character) < 0x20 or ord(character) == 0x7F for character in target):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return HOME
    return target
