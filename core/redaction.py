"""Keep secrets out of logs: a logging filter that masks known secret values and URL keys.

A secret value is masked where it stands as a whole token, never inside a longer word
("Spider closed" stays whole whatever the secrets), and only when it has at least
``MIN_SECRET_LENGTH`` characters: a shorter value would match everywhere. Such values are
still never logged on purpose; the filter is the safety net.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from pydantic import BaseModel, SecretStr

__all__ = ["SecretRedactor", "install_redactor", "secrets_in"]

MASK = "***"
MIN_SECRET_LENGTH = 4
_WORD_CHAR = re.compile(r"\w", re.ASCII)
_URL_SECRETS = re.compile(
    r"(?i)([?&](?:key|api_key|apikey|access_token|token|client_secret|password)=)[^&\s'\">]+"
)


def secrets_in(model: BaseModel) -> list[str]:
    """Every SecretStr value inside a settings model (nested models and lists included)."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, SecretStr):
            found.append(value.get_secret_value())
        elif isinstance(value, BaseModel):
            for _name, inner in value:
                walk(inner)
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(inner)

    walk(model)
    return [s for s in found if s]


class SecretRedactor(logging.Filter):
    """Rewrites each record's message with secret values and URL credentials masked."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = list(secrets)

    @property
    def secrets(self) -> list[str]:
        """The values masked, longest first (shorter than ``MIN_SECRET_LENGTH`` left out)."""
        return self._secrets

    @secrets.setter
    def secrets(self, values: list[str]) -> None:
        self._secrets = sorted(
            {s for s in values if len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True
        )
        self._pattern = (
            re.compile("|".join(map(_whole_token, self._secrets)), re.ASCII)
            if self._secrets
            else None
        )

    def redact(self, text: str) -> str:
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        return _URL_SECRETS.sub(rf"\1{MASK}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def _whole_token(secret: str) -> str:
    """A pattern of ``secret`` as a whole token: where it starts (ends) with a letter, digit
    or underscore, not preceded (followed) by another."""
    pattern = re.escape(secret)
    if _WORD_CHAR.match(secret[0]):
        pattern = rf"(?<!\w){pattern}"
    if _WORD_CHAR.match(secret[-1]):
        pattern = rf"{pattern}(?!\w)"
    return pattern


def install_redactor(secrets: Iterable[str]) -> SecretRedactor:
    """Attach a redactor to every handler of the root logger (call after logging is set up)."""
    redactor = SecretRedactor(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    return redactor
