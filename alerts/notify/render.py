"""A notice laid out once, for every channel to format: subject, body, facts, a safe link.

Nothing here escapes: each channel escapes for its own medium (Slack mrkdwn, HTML). Post
text, author names and URLs come from the public and are treated as hostile: the subject
and every fact are one clean line (:func:`core.one_line`), the body keeps its line breaks
but loses control characters, escape sequences, bidi controls and zero-width characters
(:func:`core.visible_text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core import Notice, one_line, visible_text

__all__ = ["RenderedNotice", "cut", "render", "safe_link", "slug"]


@dataclass(frozen=True)
class RenderedNotice:
    """A notice as channel-neutral parts."""

    subject: str
    body: str
    facts: tuple[tuple[str, str], ...]
    link: str | None

    def plain_text(self) -> str:
        """Subject, body, facts and link as plain text (mail, ticket comments)."""
        lines = [self.subject, "", self.body, ""]
        lines += [f"{label}: {value}" for label, value in self.facts]
        if self.link:
            lines += ["", self.link]
        return "\n".join(lines).strip() + "\n"


def cut(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…" if limit > 0 else ""


def safe_link(url: str | None) -> str | None:
    """``url`` if it is a plain http(s) URL (no spaces, quotes or angle brackets), else None."""
    if not url or not re.fullmatch(r"https?://[^\s<>\"'`|\\]+", url):
        return None
    return url


def slug(text: str) -> str:
    """A tag-safe form: lower case, runs of anything but letters, digits, ``_-`` made ``_``."""
    return re.sub(r"[^\w-]+", "_", text.casefold()).strip("_")


def render(notice: Notice) -> RenderedNotice:
    """The parts every channel shows."""
    facts: list[tuple[str, str]] = []

    def fact(label: str, value: str | None) -> None:
        if value:
            facts.append((label, one_line(value)))

    fact("Kind", notice.kind.replace("_", " "))
    fact("Brand", notice.brand)
    fact("Priority", notice.priority)
    fact("Team", notice.team)
    fact("Case", notice.case_id)
    mention = notice.mention
    if mention is not None:
        author = mention.author
        fact("Author", author.handle or author.name or author.id)
        fact("Source", mention.source)
        fact("Posted", mention.published_at.isoformat())
    for label, value in sorted(notice.facts.items()):
        if label != "team" or not notice.team:
            fact(label.replace("_", " ").capitalize(), value)
    body = visible_text(notice.body).strip()
    return RenderedNotice(
        subject=one_line(notice.subject),
        body=body,
        facts=tuple(facts),
        link=safe_link(notice.url),
    )
