"""Settings of the notification channels: one model per channel type, chosen by ``type``.

Every field is documented in ``docs/configuration.md`` (section *Notifications*).
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import (
    AnyHttpUrl,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

from config.problems import FieldProblem, FieldProblemsError
from core import Priority

__all__ = [
    "NOTIFICATION_TYPES",
    "ChannelBase",
    "EmailChannelSettings",
    "NotificationChannelSettings",
    "SalesforceCaseSettings",
    "SalesforceChannelSettings",
    "SlackChannelSettings",
    "WebhookChannelSettings",
    "ZendeskChannelSettings",
]

ChannelName = Annotated[str, Field(pattern=r"^[a-z0-9_-]+$")]
EmailAddress = Annotated[str, Field(pattern=r"^[^@\s<>\"]+@[^@\s<>\"]+$", max_length=254)]
NonEmpty = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChannelBase(_Strict):
    """What every channel has: a name rules refer to, a switch and a request timeout."""

    name: ChannelName
    enabled: bool = True
    timeout_seconds: Annotated[float, Field(gt=0, le=300)] = 10.0


class WebhookChannelSettings(ChannelBase):
    """A JSON POST of the notice to any URL, HMAC-signed when a secret is set."""

    type: Literal["webhook"]
    url: AnyHttpUrl
    secret: Annotated[SecretStr, Field(min_length=16)] | None = None


class SlackChannelSettings(ChannelBase):
    """A Slack incoming webhook; its URL is the credential, so it is a secret."""

    type: Literal["slack"]
    url: Annotated[SecretStr, Field(min_length=1)]

    @field_validator("url")
    @classmethod
    def _is_http_url(cls, value: SecretStr) -> SecretStr:
        parts = urlsplit(value.get_secret_value())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be the incoming webhook's http(s) URL")
        return value


class EmailChannelSettings(ChannelBase):
    """Mail through an SMTP server (STARTTLS, implicit TLS, or plain on a trusted network)."""

    type: Literal["email"]
    host: NonEmpty
    port: Annotated[int, Field(ge=1, le=65535)] | None = None
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: NonEmpty | None = None
    password: SecretStr | None = None
    from_address: EmailAddress
    to: Annotated[list[EmailAddress], Field(min_length=1)]

    @property
    def effective_port(self) -> int:
        """``port``, else 587 for STARTTLS, 465 for implicit TLS and 25 for none."""
        return self.port or {"starttls": 587, "ssl": 465, "none": 25}[self.security]

    @model_validator(mode="after")
    def _login_is_complete(self) -> EmailChannelSettings:
        if (self.username is None) != (self.password is None):
            half = "username" if self.password is None else "password"
            raise FieldProblemsError([FieldProblem((half,), "set username and password together")])
        return self


DEFAULT_SALESFORCE_PRIORITIES: dict[Priority, str] = {
    "urgent": "High",
    "high": "High",
    "normal": "Medium",
    "low": "Low",
}


class SalesforceCaseSettings(_Strict):
    """How a notice becomes a Salesforce Case: field names and fixed values."""

    subject_field: NonEmpty = "Subject"
    description_field: NonEmpty = "Description"
    priority_field: NonEmpty = "Priority"
    priorities: dict[Priority, NonEmpty] = DEFAULT_SALESFORCE_PRIORITIES
    origin: NonEmpty = "Social"
    status: NonEmpty = "New"
    key_field: Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_]*__c$")] | None = None
    fields: dict[NonEmpty, str] = {}


class SalesforceChannelSettings(ChannelBase):
    """Salesforce Cases, created through the REST API with the client-credentials flow."""

    type: Literal["salesforce"]
    instance_url: AnyHttpUrl
    token_url: AnyHttpUrl | None = None
    client_id: SecretStr
    client_secret: SecretStr
    api_version: Annotated[str, Field(pattern=r"^v[0-9]+\.[0-9]$")] = "v62.0"
    case: SalesforceCaseSettings = SalesforceCaseSettings()

    @property
    def effective_token_url(self) -> str:
        """``token_url``, else ``{instance_url}/services/oauth2/token``."""
        if self.token_url is not None:
            return str(self.token_url)
        return f"{str(self.instance_url).rstrip('/')}/services/oauth2/token"


class ZendeskChannelSettings(ChannelBase):
    """Zendesk Support tickets, created with an API token."""

    type: Literal["zendesk"]
    base_url: AnyHttpUrl
    email: EmailAddress
    api_token: SecretStr
    tags: list[Annotated[str, Field(pattern=r"^[^\s,]+$")]] = ["kikimimi"]


NotificationChannelSettings = Annotated[
    WebhookChannelSettings
    | SlackChannelSettings
    | EmailChannelSettings
    | SalesforceChannelSettings
    | ZendeskChannelSettings,
    Field(discriminator="type"),
]
NOTIFICATION_TYPES = ("webhook", "slack", "email", "salesforce", "zendesk")
