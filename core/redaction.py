"""Keep secrets out of logs: a logging filter that masks known secret values and URL keys."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from pydantic import BaseModel, SecretStr

__all__ = ["SecretRedactor", "install_redactor", "secrets_in"]

MASK = "***"
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
        self.secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return _URL_SECRETS.sub(rf"\1{MASK}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


def install_redactor(secrets: Iterable[str]) -> SecretRedactor:
    """Attach a redactor to every handler of the root logger (call after logging is set up)."""
    redactor = SecretRedactor(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    return redactor
