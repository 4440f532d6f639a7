"""Settings of the crawled sources: one model per source type, chosen by ``type``.

Every field is documented in ``docs/configuration.md`` (section *Sources*).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AnyHttpUrl,
    AnyUrl,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_validator,
    model_validator,
)

SourceName = Annotated[str, Field(pattern=r"^[a-z0-9_-]+$")]


class SourceBase(BaseModel):
    """What every source has: a name, a schedule and politeness limits."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: SourceName
    enabled: bool = True
    interval_seconds: Annotated[int, Field(ge=1)] = 900
    requests_per_second: Annotated[float, Field(gt=0, le=1000)] = 1.0
    max_pages: Annotated[int, Field(ge=1, le=1000)] = 10
    queries: list[Annotated[str, Field(min_length=1)]] = []


class MastodonSource(SourceBase):
    """Public hashtag timelines of one Mastodon instance (full-text search with a token)."""

    type: Literal["mastodon"]
    base_url: AnyHttpUrl
    tags: list[Annotated[str, Field(pattern=r"^[^\s#]+$")]] = []
    token: SecretStr | None = None


class BlueskySource(SourceBase):
    """The Bluesky Jetstream firehose, matched against the brand terms locally."""

    type: Literal["bluesky"]
    jetstream_url: AnyUrl = AnyUrl("wss://jetstream2.us-east.bsky.network/subscribe")
    session_seconds: Annotated[float, Field(gt=0)] = 60.0
    max_reconnects: Annotated[int, Field(ge=0)] = 5


class BlueskySearchSource(SourceBase):
    """``app.bsky.feed.searchPosts`` with an app-password session."""

    type: Literal["bluesky_search"]
    base_url: AnyHttpUrl = AnyHttpUrl("https://bsky.social")
    identifier: Annotated[str, Field(min_length=1)]
    app_password: SecretStr


class HackerNewsSource(SourceBase):
    """Hacker News stories and comments through the Algolia search API."""

    type: Literal["hackernews"]
    base_url: AnyHttpUrl = AnyHttpUrl("https://hn.algolia.com")


class NewsEdition(BaseModel):
    """One Google News edition: interface language, country, and edition id."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    hl: Annotated[str, Field(min_length=2)]
    gl: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    ceid: Annotated[str, Field(pattern=r"^[A-Z]{2}:[A-Za-z-]+$")]


DEFAULT_EDITIONS = [
    NewsEdition(hl="en-US", gl="US", ceid="US:en"),
    NewsEdition(hl="ja", gl="JP", ceid="JP:ja"),
]


class NewsSource(SourceBase):
    """Google News RSS search, one feed per query and edition."""

    type: Literal["news"]
    base_url: AnyHttpUrl = AnyHttpUrl("https://news.google.com")
    interval_seconds: Annotated[int, Field(ge=60)] = 900
    editions: Annotated[list[NewsEdition], Field(min_length=1)] = DEFAULT_EDITIONS


class AppStoreSource(SourceBase):
    """Apple App Store customer reviews (the RSS feed in JSON), newest first."""

    type: Literal["appstore"]
    base_url: AnyHttpUrl = AnyHttpUrl("https://itunes.apple.com")
    app_ids: Annotated[list[Annotated[str, Field(pattern=r"^[0-9]+$")]], Field(min_length=1)]
    countries: Annotated[list[Annotated[str, Field(pattern=r"^[a-z]{2}$")]], Field(min_length=1)]
    max_pages: Annotated[int, Field(ge=1, le=10)] = 10


class DiscourseSource(SourceBase):
    """A Discourse forum's search, with each hit's full post."""

    type: Literal["discourse"]
    base_url: AnyHttpUrl


class StackExchangeSource(SourceBase):
    """Stack Exchange ``/2.3/search/advanced`` on one site."""

    type: Literal["stackexchange"]
    base_url: AnyHttpUrl = AnyHttpUrl("https://api.stackexchange.com")
    site: Annotated[str, Field(pattern=r"^[a-z0-9.-]+$")] = "stackoverflow"
    key: SecretStr | None = None


class RedditSource(SourceBase):
    """Reddit search through the OAuth API (application-only client credentials)."""

    type: Literal["reddit"]
    base_url: AnyHttpUrl = AnyHttpUrl("https://oauth.reddit.com")
    token_url: AnyHttpUrl = AnyHttpUrl("https://www.reddit.com/api/v1/access_token")
    client_id: SecretStr
    client_secret: SecretStr


class YouTubeSource(SourceBase):
    """YouTube comment threads of chosen videos or channels (Data API v3, API key)."""

    type: Literal["youtube"]
    base_url: AnyHttpUrl = AnyHttpUrl("https://www.googleapis.com/youtube/v3")
    api_key: SecretStr
    video_ids: list[Annotated[str, Field(min_length=1)]] = []
    channel_ids: list[Annotated[str, Field(min_length=1)]] = []

    @model_validator(mode="after")
    def _has_something_to_read(self) -> YouTubeSource:
        if not self.video_ids and not self.channel_ids:
            raise ValueError("set video_ids or channel_ids")
        return self


ImportField = Literal[
    "native_id",
    "text",
    "title",
    "url",
    "lang",
    "published_at",
    "author.id",
    "author.handle",
    "author.name",
    "author.followers",
    "engagement.likes",
    "engagement.reposts",
    "engagement.replies",
    "reply_to",
    "thread_id",
]


class ImportSource(SourceBase):
    """JSONL or CSV export files dropped into a folder (or one file), read once each line."""

    type: Literal["import"]
    path: Path
    format: Literal["jsonl", "csv"] = "jsonl"
    columns: dict[ImportField, Annotated[str, Field(min_length=1)]] = {}
    timezone: Annotated[str, Field(min_length=1)] = "UTC"

    @field_validator("timezone")
    @classmethod
    def _is_a_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # "Asia" is a folder: OSError
            raise ValueError("not an IANA time zone such as UTC or Asia/Tokyo") from None
        return value


SourceSettings = Annotated[
    MastodonSource
    | BlueskySource
    | BlueskySearchSource
    | HackerNewsSource
    | NewsSource
    | AppStoreSource
    | DiscourseSource
    | StackExchangeSource
    | RedditSource
    | YouTubeSource
    | ImportSource,
    Field(discriminator="type"),
]
SOURCE_TYPES = (
    "mastodon",
    "bluesky",
    "bluesky_search",
    "hackernews",
    "news",
    "appstore",
    "discourse",
    "stackexchange",
    "reddit",
    "youtube",
    "import",
)


class CrawlSettings(BaseModel):
    """How crawls behave: identity, retries, politeness, de-duplication window."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_agent: Annotated[str, Field(min_length=1)] = (
        "Kikimimi/0.1 (+https://github.com/kikimimi/kikimimi; social listening)"
    )
    timeout_seconds: Annotated[float, Field(gt=0)] = 30.0
    retries: Annotated[int, Field(ge=0, le=20)] = 4
    max_retry_after_seconds: Annotated[float, Field(ge=0)] = 300.0
    backoff_seconds: Annotated[float, Field(ge=0)] = 1.0
    autothrottle: bool = True
    refresh_window_hours: Annotated[float, Field(ge=0)] = 48.0
    crawl_timeout_seconds: Annotated[float, Field(gt=0)] = 1800.0


class SchedulerSettings(BaseModel):
    """The APScheduler that runs each source on its interval."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    misfire_grace_seconds: Annotated[int, Field(ge=1)] = 300
    max_parallel_crawls: Annotated[int, Field(ge=1, le=64)] = 4
    lease_seconds: Annotated[float, Field(ge=1, le=600)] = 15.0
