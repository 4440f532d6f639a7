"""Settings of where shared state lives: the backends of the mention queue, the notice outbox
and the crawl state (SQLite files in the state directory, or Redis that several machines
share) and the Redis server.

Every field is documented in ``docs/configuration.md`` (sections *Queue*, *Outbox*, *Crawl
state* and *Redis*).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    AnyUrl,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    UrlConstraints,
    model_validator,
)

from config.problems import FieldProblem, FieldProblemsError
from core import MAX_DELIVERIES

__all__ = ["CrawlStateSettings", "OutboxSettings", "QueueSettings", "RedisSettings"]

RedisUrl = Annotated[
    AnyUrl, UrlConstraints(allowed_schemes=["redis", "rediss"], host_required=True)
]
DATABASE_PATH = re.compile(r"/?|/\d{1,5}")
"""A Redis URL's path: none, or the database number (``/0``)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class QueueSettings(_Strict):
    """The durable queue between the crawlers and the pipeline."""

    backend: Literal["sqlite", "redis"] = "sqlite"
    max_deliveries: Annotated[int, Field(ge=1, le=1000)] = MAX_DELIVERIES
    worker_timeout_seconds: Annotated[float, Field(ge=1, le=600)] = 15.0


class OutboxSettings(_Strict):
    """The durable outbox of notices."""

    backend: Literal["sqlite", "redis"] = "sqlite"


class CrawlStateSettings(_Strict):
    """What crawls remember between runs: cursors, the posts seen, the runs' outcomes."""

    backend: Literal["sqlite", "redis"] = "sqlite"
    seen_days: Annotated[float, Field(gt=0, le=3650)] = 90.0


class RedisSettings(_Strict):
    """The Redis server of the Redis backends: where it is and how to sign in to it."""

    url: RedisUrl = AnyUrl("redis://127.0.0.1:6379/0")
    username: Annotated[str, Field(min_length=1)] | None = None
    password: SecretStr | None = None
    ca_certs: Path | None = None
    timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0
    key_prefix: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=100)] = (
        "kikimimi"
    )

    @model_validator(mode="after")
    def _consistent(self) -> RedisSettings:
        problems = []
        if self.url.username or self.url.password:
            message = 'no credentials in the URL: set password ({"$env": ...}) and username'
            problems.append(FieldProblem(("url",), message))
        if not DATABASE_PATH.fullmatch(self.url.path or ""):
            problems.append(FieldProblem(("url",), "the path can only be the database number"))
        if self.username is not None and self.password is None:
            problems.append(FieldProblem(("username",), "set username and password together"))
        if self.ca_certs is not None and self.url.scheme != "rediss":
            problems.append(FieldProblem(("ca_certs",), "needs a rediss:// (TLS) URL"))
        if problems:
            raise FieldProblemsError(problems)
        return self
