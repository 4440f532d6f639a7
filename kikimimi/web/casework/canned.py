"""Canned responses: each team's ready answers, per language, in a small SQLite file in the
state directory (``config.canned_responses_path``). Leads edit their teams' (the
``edit_canned_responses`` permission); agents pick them when responding."""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from core import CaseValueError, open_database, transaction

MAX_TITLE_CHARS = 100
MAX_TEXT_CHARS = 5_000
MAX_LANG_CHARS = 16

SCHEMA = """
CREATE TABLE IF NOT EXISTS canned_responses (
    id TEXT PRIMARY KEY,
    team TEXT NOT NULL,
    lang TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS canned_by_team ON canned_responses (team, lang, title);
"""


@dataclass(frozen=True)
class CannedResponse:
    """A ready answer of a team in a language (``lang`` ``*``: any language)."""

    id: str
    team: str
    lang: str
    title: str
    text: str
    updated_at: datetime
    updated_by: str


class CannedResponses:
    """The canned responses file; thread-safe; :meth:`close` when done."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = open_database(path, SCHEMA)
        self._lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def of_teams(self, teams: list[str] | None, lang: str | None = None) -> list[CannedResponse]:
        """The responses of ``teams`` (``None``: every team), by team and title; with
        ``lang``, those in that language or any."""
        sql = "SELECT * FROM canned_responses"
        where: list[str] = []
        values: list[str] = []
        if teams is not None:
            where.append(f"team IN ({','.join('?' * len(teams))})")
            values.extend(teams)
        if lang is not None:
            where.append("lang IN (?, '*')")
            values.append(lang)
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY team, title, lang", values).fetchall()
        return [_response(row) for row in rows]

    def get(self, response_id: str) -> CannedResponse | None:
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM canned_responses WHERE id = ?", (response_id,)
            ).fetchone()
        return None if row is None else _response(row)

    def save(
        self,
        *,
        team: str,
        lang: str,
        title: str,
        text: str,
        by: str,
        now: datetime,
        response_id: str | None = None,
    ) -> CannedResponse:
        """Add a response, or replace the one ``response_id`` names."""
        saved = CannedResponse(
            id=response_id or secrets.token_hex(8),
            team=team,
            lang=_checked("lang", lang, MAX_LANG_CHARS),
            title=_checked("title", title, MAX_TITLE_CHARS),
            text=_checked("text", text, MAX_TEXT_CHARS),
            updated_at=now,
            updated_by=by,
        )
        with self._lock, transaction(self._db) as db:
            db.execute(
                "INSERT OR REPLACE INTO canned_responses VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    saved.id,
                    saved.team,
                    saved.lang,
                    saved.title,
                    saved.text,
                    saved.updated_at.isoformat(),
                    saved.updated_by,
                ),
            )
        return saved

    def remove(self, response_id: str) -> None:
        with self._lock, transaction(self._db) as db:
            db.execute("DELETE FROM canned_responses WHERE id = ?", (response_id,))


def _checked(field: str, value: str, limit: int) -> str:
    cleaned = value.strip()
    if not cleaned:
        raise CaseValueError(field, "must not be empty")
    if len(cleaned) > limit:
        raise CaseValueError(field, f"at most {limit:,} characters, got {len(cleaned):,}")
    return cleaned


def _response(row: tuple[str, ...]) -> CannedResponse:
    response_id, team, lang, title, text, updated_at, updated_by = row
    return CannedResponse(
        id=response_id,
        team=team,
        lang=lang,
        title=title,
        text=text,
        updated_at=datetime.fromisoformat(updated_at),
        updated_by=updated_by,
    )
