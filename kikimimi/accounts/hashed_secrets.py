"""Random secrets handed out once (API tokens, session tokens) and kept only as a hash:
they carry 256 random bits, so a fast hash (sha256) is enough and a lookup by hash is
constant-time with respect to the secret."""

from __future__ import annotations

import hashlib
import secrets


def new_secret(prefix: str = "") -> str:
    """32 random bytes, URL-safe, after ``prefix``."""
    return prefix + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """What is stored instead of ``secret``."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def new_id() -> str:
    """A short random id naming a token or a session in lists and logs."""
    return secrets.token_hex(6)
