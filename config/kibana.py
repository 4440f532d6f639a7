"""Settings of ``kikimimi kibana import``: where Kibana is and how to sign in to it.

Every field is documented in ``docs/configuration.md`` (section *Kibana*).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr, model_validator

from config.problems import FieldProblem, FieldProblemsError, check_credentials

__all__ = ["KIBANA_SPACE_PATTERN", "KibanaSettings"]

KIBANA_SPACE_PATTERN = r"^[a-z0-9_-]+$"
"""A Kibana space id: lower-case letters, digits, ``_`` and ``-``."""


class KibanaSettings(BaseModel):
    """The Kibana that ``kikimimi kibana import`` imports the saved objects into."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: AnyHttpUrl | None = None
    space: Annotated[str, Field(pattern=KIBANA_SPACE_PATTERN, max_length=100)] | None = None
    api_key: SecretStr | None = None
    username: Annotated[str, Field(min_length=1)] | None = None
    password: SecretStr | None = None
    ca_certs: Path | None = None
    verify_certs: bool = True
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 60.0

    @model_validator(mode="after")
    def _auth_is_consistent(self) -> KibanaSettings:
        check_credentials(self.username, self.password, self.api_key)
        if self.url is not None and (self.url.username or self.url.password):
            message = "no credentials in the URL: set api_key, or username and password"
            raise FieldProblemsError([FieldProblem(("url",), message)])
        return self
