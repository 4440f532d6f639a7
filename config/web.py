"""Settings of ``kikimimi web``: where it listens, how long browser sessions last, and the
reverse proxy it believes.

Every field is documented in ``docs/configuration.md`` (section *Web*).
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, IPvAnyNetwork, field_validator, model_validator

from config.problems import FieldProblem, FieldProblemsError

HOST_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")
"""A host name: ``localhost``, ``care.example.com``."""
HEADER_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]*$"
RESERVED_HEADERS = frozenset(
    {"authorization", "cookie", "host", "x-forwarded-for", "x-forwarded-proto", "x-csrf-token"}
)
"""Headers that mean something else to the app: never a proxy's user header."""


class WebSettings(BaseModel):
    """``kikimimi web``: its address, its browser sessions, single sign-on by a proxy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: Annotated[str, Field(min_length=1, max_length=253)] = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 8080
    session_idle_hours: Annotated[float, Field(gt=0, le=24 * 365)] = 12.0
    session_max_days: Annotated[float, Field(gt=0, le=365)] = 7.0
    trusted_proxies: list[IPvAnyNetwork] = [ipaddress.ip_network("127.0.0.1")]
    proxy_user_header: Annotated[str, Field(pattern=HEADER_NAME_PATTERN, max_length=100)] | None = (
        None
    )

    @field_validator("host")
    @classmethod
    def _is_an_address(cls, host: str) -> str:
        try:
            ipaddress.ip_address(host)
        except ValueError:
            if not HOST_NAME.fullmatch(host):
                raise ValueError("must be an IP address or a host name") from None
        return host

    @field_validator("proxy_user_header")
    @classmethod
    def _is_free(cls, header: str | None) -> str | None:
        if header is not None and header.lower() in RESERVED_HEADERS:
            raise ValueError("must be a header of its own (the app reads this one itself)")
        return header

    @model_validator(mode="after")
    def _proxy_is_known(self) -> WebSettings:
        if self.proxy_user_header is not None and not self.trusted_proxies:
            message = "name the proxy's addresses, or its user header is never believed"
            raise FieldProblemsError([FieldProblem(("trusted_proxies",), message)])
        return self
