"""Keep secrets learnt during a crawl (access tokens, session JWTs) out of the logs too.

The runner masks the secrets of the configuration; a token a spider obtains at run time is
added to the same redactors with :func:`hide_in_logs`.
"""

from __future__ import annotations

import logging

from core import SecretRedactor

__all__ = ["hide_in_logs"]


def hide_in_logs(secret: str) -> None:
    """Mask ``secret`` in every record that the root logger's handlers write from now on."""
    if not secret:
        return
    for handler in logging.getLogger().handlers:
        for found in handler.filters:
            if isinstance(found, SecretRedactor) and secret not in found.secrets:
                found.secrets = sorted({*found.secrets, secret}, key=len, reverse=True)
