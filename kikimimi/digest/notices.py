"""A digest rendered once for every channel, and the notices that carry it through the outbox.

A notice's key names the audience, the period and the channel
(``digest:<audience>:<first day>..<end day>:<channel>``), so a second send of the same
period, a scheduler firing twice or a restart stores nothing new and delivers nothing twice.
The notice's body is the plain text; its document holds the HTML with the charts inline
(``cid:``) and the Slack blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core import Notice, NoticeDocument, NoticeImage
from kikimimi.digest.charts import Chart, digest_charts
from kikimimi.digest.email_render import render_html
from kikimimi.digest.formatting import digest_title
from kikimimi.digest.records import Digest
from kikimimi.digest.schedule import DigestPeriod
from kikimimi.digest.slack_render import render_slack
from kikimimi.digest.text_render import render_text

__all__ = ["RenderedDigest", "content_id", "digest_key", "digest_notices", "render_digest"]


@dataclass(frozen=True)
class RenderedDigest:
    """A digest in every form: subject, plain text, HTML (charts by ``cid:``), the charts,
    and the Slack blocks."""

    subject: str
    text: str
    html: str
    charts: tuple[Chart, ...]
    slack_blocks: list[dict[str, Any]]


def digest_key(audience: str, period: DigestPeriod, channel: str) -> str:
    """The outbox key of ``audience``'s digest of ``period`` on ``channel``."""
    return f"digest:{audience}:{period.key}:{channel}"


def content_id(digest: Digest, chart: Chart) -> str:
    """The ``Content-ID`` of a chart in the mail (``volume.marketing.20261102@kikimimi``)."""
    return f"{chart.name}.{digest.audience}.{digest.start:%Y%m%d}@kikimimi"


def render_digest(
    digest: Digest, image_source: Callable[[Chart], str] | None = None
) -> RenderedDigest:
    """Every form of ``digest``, charts drawn once; the HTML shows each chart from
    ``image_source(chart)``, by default its ``cid:`` in the mail."""
    charts = tuple(digest_charts(digest))
    source = image_source or (lambda chart: f"cid:{content_id(digest, chart)}")
    return RenderedDigest(
        subject=digest_title(digest),
        text=render_text(digest),
        html=render_html(digest, charts, source),
        charts=charts,
        slack_blocks=render_slack(digest),
    )


def digest_notices(
    digest: Digest, period: DigestPeriod, channels: Sequence[str], now: datetime
) -> list[Notice]:
    """One notice per channel carrying ``digest``."""
    rendered = render_digest(digest)
    document = NoticeDocument(
        html=rendered.html,
        images=[
            NoticeImage(
                content_id=content_id(digest, chart),
                media_type="image/png",
                data=chart.png,
                description=chart.description,
            )
            for chart in rendered.charts
        ],
        slack_blocks=rendered.slack_blocks,
    )
    return [
        Notice(
            key=digest_key(digest.audience, period, channel),
            channel=channel,
            kind="digest",
            created_at=now,
            subject=rendered.subject,
            body=rendered.text,
            facts={"audience": digest.audience, "period": period.key},
            document=document,
        )
        for channel in channels
    ]
