"""Problems that settings validators find at a field path inside the model they check.

A validator raises :class:`FieldProblemsError` (a ``ValueError``, so pydantic reports it like
any other) listing each bad field relative to the model; the loader turns every one into
its own ``FILE:LINE: field.path: message (got VALUE)`` line. The value is what the file holds
at that path, so a validator never has to decide what is safe to show.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = [
    "SECRET_FIELDS",
    "FieldPath",
    "FieldProblem",
    "FieldProblemsError",
    "dotted",
    "repeated",
]

FieldPath = tuple[str | int, ...]
Item = TypeVar("Item")

SECRET_FIELDS = frozenset(
    {
        "api_key",
        "api_token",
        "app_password",
        "client_id",
        "client_secret",
        "key",
        "password",
        "secret",
        "token",
        "url",  # a webhook's URL may carry a token; a Slack incoming-webhook URL is one
    }
)
"""Settings never shown in errors: every ``SecretStr`` field, and webhook URLs."""


def dotted(path: FieldPath) -> str:
    """``("rules", 0, "notify", 1)`` → ``rules[0].notify[1]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass(frozen=True)
class FieldProblem:
    """One bad field, at ``path`` relative to the model being validated."""

    path: FieldPath
    message: str


class FieldProblemsError(ValueError):
    """Every problem one validator found, each at its own field path."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{dotted(p.path)}: {p.message}" for p in self.problems))


def repeated(
    items: Iterable[Item], name_of: Callable[[Item], str], list_path: FieldPath
) -> list[FieldProblem]:
    """A problem at ``[i].name`` for each item whose name an earlier item already has."""
    first: dict[str, int] = {}
    problems = []
    for index, item in enumerate(items):
        earlier = first.setdefault(name_of(item), index)
        if earlier != index:
            where = dotted((*list_path, earlier))
            problems.append(FieldProblem((index, "name"), f"already used by {where}"))
    return problems


def check_credentials(username: object, password: object, api_key: object) -> None:
    """Raise unless the credentials are an API key, a username with its password, or none."""
    if (username is None) != (password is None):
        half = "username" if password is None else "password"
        raise FieldProblemsError([FieldProblem((half,), "set username and password together")])
    if api_key is not None and username is not None:
        message = "set either api_key or username/password, not both"
        raise FieldProblemsError([FieldProblem(("api_key",), message)])
