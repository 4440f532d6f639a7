"""Typed records that flow between the stages.

``Mention`` is what a crawler yields, ``AnalyzedMention`` what the NLP stage adds to it,
``IndexedMention`` the document indexed for it (with what the rules decided), ``Case`` what
the alerter opens. All are immutable pydantic models with a JSON round trip;
:func:`parse_record` turns validation failures into :class:`~core.errors.RecordError`
naming the first bad field. A record grows into the next one in memory
(:meth:`Record.fields_of`); it is serialised only where it leaves the process.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from core.errors import RecordError

__all__ = [
    "OPEN_CASE_STATUSES",
    "PRIORITIES",
    "PRIORITY_ORDER",
    "AnalyzedMention",
    "Author",
    "BrandMatch",
    "Case",
    "CaseEvent",
    "CaseEventKind",
    "CaseStatus",
    "Engagement",
    "IndexedMention",
    "Mention",
    "Notice",
    "NoticeDocument",
    "NoticeImage",
    "NoticeKind",
    "Priority",
    "Sentiment",
    "SentimentLabel",
    "mention_id",
    "parse_record",
]

MAX_COUNT = 2**63 - 1  # Elasticsearch `long`
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
NonEmpty = Annotated[str, Field(min_length=1)]


def mention_id(source: str, native_id: str) -> str:
    """Stable mention id: the first 32 hex digits of sha256(``source:native_id``)."""
    return hashlib.sha256(f"{source}:{native_id}".encode()).hexdigest()[:32]


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


class Record(BaseModel):
    """Base of all records: unknown fields are rejected, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def fields_of(self, base: type[Record]) -> dict[str, Any]:
        """The values of ``base``'s fields (``base`` is this record's type or one it extends),
        shared, not copied: what a larger record is built from without a serialisation."""
        return {name: getattr(self, name) for name in base.model_fields}


class Author(Record):
    """Who posted a mention, as far as the source tells."""

    id: str | None = None
    handle: str | None = None
    name: str | None = None
    followers: Count | None = None
    verified: bool | None = None


class Engagement(Record):
    """Engagement counts at collection time; ``None`` where the source does not say."""

    likes: Count | None = None
    reposts: Count | None = None
    replies: Count | None = None
    quotes: Count | None = None
    views: Count | None = None
    score: int | None = None


class Mention(Record):
    """A post or comment that a crawler found."""

    id: str = ""
    source: Annotated[str, Field(pattern=r"^[a-z0-9_-]+$")]
    native_id: NonEmpty
    url: str | None = None
    text: str
    title: str | None = None
    lang: str | None = None
    author: Author = Author()
    published_at: AwareDatetime
    collected_at: AwareDatetime
    engagement: Engagement = Engagement()
    reply_to: str | None = None
    thread_id: str | None = None
    query: str | None = None
    deleted: bool = False

    @field_validator("published_at", "collected_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return _utc(value)

    @model_validator(mode="before")
    @classmethod
    def _derive_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("source") and data.get("native_id"):
            expected = mention_id(str(data["source"]), str(data["native_id"]))
            given = data.get("id") or expected
            if given != expected:
                raise ValueError(f"id {given!r} is not derived from source and native_id")
            data = {**data, "id": expected}
        return data


class BrandMatch(Record):
    """A brand found in a mention: whose it is and whether its official handle was addressed."""

    brand: NonEmpty
    role: Literal["own", "competitor"]
    tagged: bool
    terms: list[str] = []


SentimentLabel = Literal["negative", "neutral", "positive"]


class Sentiment(Record):
    """A sentiment verdict with per-class probabilities."""

    label: SentimentLabel
    score: Annotated[float, Field(ge=0, le=1)]
    probabilities: dict[SentimentLabel, Annotated[float, Field(ge=0, le=1)]]
    model: NonEmpty


class AnalyzedMention(Mention):
    """A mention with what the NLP stage found in it."""

    detected_lang: str | None = None
    brands: list[BrandMatch] = []
    matched_no_brand: bool = False
    sentiment: Sentiment | None = None
    topics: list[str] = []
    intent: Literal["complaint", "question", "praise", "other"] | None = None


class IndexedMention(AnalyzedMention):
    """The document indexed for a mention: what NLP found and what the rules decided (a VIP
    author, the rules that fired, the team feeds it was forwarded to)."""

    vip: bool = False
    rules: list[str] = []
    feeds: list[str] = []


CaseStatus = Literal["open", "assigned", "responded", "closed"]
Priority = Literal["urgent", "high", "normal", "low"]
PRIORITIES: tuple[Priority, ...] = get_args(Priority)  # most urgent first
PRIORITY_ORDER: dict[str, int] = {name: rank for rank, name in enumerate(PRIORITIES)}


OPEN_CASE_STATUSES: tuple[CaseStatus, ...] = ("open", "assigned", "responded")
CaseEventKind = Literal[
    "opened",
    "mention_added",
    "assigned",
    "claimed",
    "taken_over",
    "responded",
    "note",
    "tagged",
    "untagged",
    "priority_changed",
    "merged",
    "closed",
    "reopened",
    "sla_breached",
    "escalated",
]


class CaseEvent(Record):
    """One entry of a case's history: what happened, when, by whom (``actor``), with its
    text (``note``: a response, an internal note, a tag, ``high → urgent``, ...)."""

    at: AwareDatetime
    kind: CaseEventKind
    actor: str | None = None
    note: str | None = None
    mention_id: str | None = None

    @field_validator("at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return _utc(value)


class Case(Record):
    """A care case opened by a rule for one author's posts about one brand.

    ``lang``, ``tagged`` (the first post addressed the brand's handle) and ``excerpt`` (its
    text, bounded) describe the first post for the inbox; ``merged_into`` names the case a
    merged case was closed into. Documents written before these fields read with defaults.
    """

    id: NonEmpty
    mention_ids: Annotated[list[str], Field(min_length=1)]
    brand: NonEmpty
    author: Author
    status: CaseStatus = "open"
    priority: Priority = "normal"
    team: str | None = None
    rule: NonEmpty
    reason: str = ""
    source: str | None = None
    opened_at: AwareDatetime
    updated_at: AwareDatetime | None = None
    assigned_to: str | None = None
    first_response_at: AwareDatetime | None = None
    closed_at: AwareDatetime | None = None
    sla_due_at: AwareDatetime
    csat: Annotated[int, Field(ge=1, le=5)] | None = None
    sla_breached: bool = False
    do_not_market: bool = False
    lang: str | None = None
    tagged: bool = False
    excerpt: str = ""
    tags: list[str] = []
    resolution: str | None = None
    merged_into: str | None = None
    history: list[CaseEvent] = []

    @field_validator("opened_at", "updated_at", "first_response_at", "closed_at", "sla_due_at")
    @classmethod
    def _to_utc(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _utc(value)


NoticeKind = Literal["case_opened", "case_updated", "case_escalated", "feed", "spike", "digest"]


class NoticeImage(Record):
    """An image a notice document's HTML shows inline, as ``cid:<content_id>`` (base64url in
    JSON)."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, ser_json_bytes="base64", val_json_bytes="base64"
    )

    content_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+$")]
    media_type: Literal["image/png"]
    data: Annotated[bytes, Field(min_length=1)]
    description: str


class NoticeDocument(Record):
    """A notice the application laid out itself (a digest), for the channels that can show
    it: ``html`` (e-mail, escaped by its maker, ``images`` inline) and ``slack_blocks`` (Block
    Kit, escaped by its maker). The notice's ``body`` is its plain-text form."""

    html: NonEmpty
    images: list[NoticeImage] = []
    slack_blocks: Annotated[list[dict[str, Any]], Field(min_length=1, max_length=50)]


class Notice(Record):
    """One message to one channel; ``key`` makes delivery idempotent (one per case event,
    channel)."""

    key: NonEmpty
    channel: NonEmpty
    kind: NoticeKind
    created_at: AwareDatetime
    subject: NonEmpty
    body: str
    brand: str | None = None
    priority: Priority | None = None
    team: str | None = None
    case_id: str | None = None
    url: str | None = None
    mention: IndexedMention | None = None
    case: Case | None = None
    facts: dict[str, str] = {}
    document: NoticeDocument | None = None

    @field_validator("created_at")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return _utc(value)


R = TypeVar("R", bound=BaseModel)


def parse_record(model: type[R], data: Any) -> R:
    """Validate ``data`` (a mapping or a JSON string) as ``model``; raise RecordError if bad."""
    try:
        if isinstance(data, str | bytes):
            return model.model_validate_json(data)
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(record)"
        raise RecordError(model.__name__, field, first["msg"], first.get("input")) from exc
