"""Mentions from JSONL or CSV export files: one file, or a folder's ``*.jsonl`` / ``*.csv``.

``path`` is a file (read as ``format``) or a folder whose files named ``*.{format}`` are read
in name order. Every row becomes a Mention of this source. ``columns`` maps Mention fields
(``text``, ``published_at``, ``author.handle``, ``engagement.likes``, ...) to the export's
column or key names (a dotted key reads nested JSON). Without it a JSONL object is taken as
Mention fields, and CSV headers name the fields (other columns are ignored). Times without
an offset are in ``timezone``. UTF-8, with or without a BOM. A bad row (no id or text, a bad
time or number, not JSON) is counted as malformed, logged with file:line, and skipped.

Incremental: each file's cursor (key: its name) is JSON ``{"offset", "line", "head",
"held_at"}``: the byte offset and line number read up to, a digest of the bytes before the
offset (the first 4 KiB at most) and the file's size when a CSV quote was left open at its
end (0: none). The next run reads only what was appended; a file whose first bytes
changed, or that shrank, was replaced and is read from the start again (a CSV header alone
cannot tell); a new file is read fully.

Half-written rows: a last line without a newline that does not make a good row is left for
the next run (it holds nothing up: nothing follows it). A CSV quote still open at the end
of the file breaks only its own row, which is counted as malformed, and reading goes on
from the line after the one where it opened, unless the file may still be being written:
it does not end with a newline and either the quote opened on its last line (left for
the next run) or the file has grown since the quote was last found open (left for one
more run; a file that has not grown by then is complete).
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from config import ImportSource
from core import Mention
from crawlers.convert import from_unix, parse_time
from crawlers.direct import CrawlContext, CrawlOutcome

__all__ = ["FileCursor", "import_files", "parse_local_time"]

logger = logging.getLogger(__name__)

BOM = b"\xef\xbb\xbf"
HEAD_BYTES = 4096
INT_FIELDS = frozenset(
    {
        "author.followers",
        "engagement.likes",
        "engagement.reposts",
        "engagement.replies",
        "engagement.quotes",
        "engagement.views",
        "engagement.score",
    }
)
TIME_FIELDS = frozenset({"published_at", "collected_at"})
MENTION_FIELDS = frozenset(
    {
        *INT_FIELDS,
        *TIME_FIELDS,
        "native_id",
        "url",
        "text",
        "title",
        "lang",
        "author.id",
        "author.handle",
        "author.name",
        "author.verified",
        "reply_to",
        "thread_id",
        "query",
        "deleted",
    }
)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class _BadRowError(ValueError):
    """A row that cannot become a Mention."""


@dataclass(frozen=True)
class FileCursor:
    """How far a file was read: byte offset, line number, digest of the bytes before it."""

    offset: int = 0
    line: int = 0
    head: str = ""
    held_at: int = 0  # the file's size when a CSV quote was left open at its end

    def dumps(self) -> str:
        return json.dumps(
            {"offset": self.offset, "line": self.line, "head": self.head, "held_at": self.held_at}
        )

    @classmethod
    def loads(cls, text: str | None) -> FileCursor:
        try:
            data = json.loads(text or "{}")
            return cls(
                int(data["offset"]),
                int(data["line"]),
                str(data["head"]),
                int(data.get("held_at", 0)),
            )
        except (ValueError, KeyError, TypeError):
            return cls()


def import_files(context: CrawlContext) -> CrawlOutcome:
    """Read what is new in the source's files and offer every row to the sink."""
    source = context.source
    if not isinstance(source, ImportSource):
        return CrawlOutcome(error=f"{source.name}: not an import source")
    try:
        zone = ZoneInfo(source.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return CrawlOutcome(error=f"{source.name}: unknown time zone {source.timezone!r}")
    if not source.path.exists():
        return CrawlOutcome(error=f"{source.name}: {source.path} does not exist")
    outcome = CrawlOutcome()
    collected_at = datetime.now(UTC)
    for file in _files(source):
        reader = _FileImport(
            context, source, file, zone=zone, collected_at=collected_at, outcome=outcome
        )
        try:
            cursor = reader.run(FileCursor.loads(context.cursors.get(file.name)))
        except OSError as exc:
            outcome.error = f"{file}: {exc}"
            logger.error("%s: cannot read %s", source.name, outcome.error)
            continue
        outcome.next_cursors[file.name] = cursor.dumps()
    return outcome


def _files(source: ImportSource) -> list[Path]:
    if not source.path.is_dir():
        return [source.path]
    suffix = f".{source.format}"
    return sorted(
        p
        for p in source.path.iterdir()
        if p.is_file() and p.suffix.lower() == suffix and not p.name.startswith(".")
    )


class _Lines(Iterator[str]):
    """A file's lines from a byte offset, decoded, with the offset and line number after
    each; ``complete`` says whether the last line read ended with a newline, ``exhausted``
    whether the end of the file was reached."""

    def __init__(self, handle: IO[bytes], offset: int, line: int) -> None:
        handle.seek(offset)
        self.handle = handle
        self.offset = offset
        self.line = line
        self.complete = True
        self.exhausted = False
        self.undecodable = False

    def __next__(self) -> str:
        raw = self.handle.readline()
        if not raw:
            self.exhausted = True
            raise StopIteration
        if self.offset == 0 and raw.startswith(BOM):
            raw = raw[len(BOM) :]
            self.offset += len(BOM)
        self.offset += len(raw)
        self.line += 1
        self.complete = raw.endswith(b"\n")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self.undecodable = True
            return raw.decode("utf-8", errors="replace")


class _FileImport:
    """One file's new rows, offered to the sink."""

    def __init__(
        self,
        context: CrawlContext,
        source: ImportSource,
        file: Path,
        *,
        zone: tzinfo,
        collected_at: datetime,
        outcome: CrawlOutcome,
    ) -> None:
        self.context = context
        self.source = source
        self.file = file
        self.zone = zone
        self.collected_at = collected_at
        self.outcome = outcome

    def run(self, saved: FileCursor) -> FileCursor:
        with self.file.open("rb") as handle:
            size = self.file.stat().st_size
            start = saved
            if saved.offset > size or saved.head != _digest(handle, saved.offset):
                if saved.offset:
                    logger.info("%s: %s was replaced; reading it anew", self.source.name, self.file)
                start = FileCursor()
            if start.offset >= size:
                return start
            self.outcome.pages += 1
            if self.source.format == "csv":
                offset, line, held_at = self.read_csv(handle, start, size)
            else:
                (offset, line), held_at = self.read_jsonl(handle, start), 0
            return FileCursor(offset, line, _digest(handle, offset), held_at)

    # formats

    def read_jsonl(self, handle: IO[bytes], start: FileCursor) -> tuple[int, int]:
        lines = _Lines(handle, start.offset, start.line)
        position = start.offset, start.line
        for text in lines:
            if text.strip():
                try:
                    row = json.loads(text)
                except ValueError as exc:
                    if not lines.complete:
                        return self.held_back(position)
                    self.bad_row(lines.line, f"not JSON ({exc})")
                else:
                    if not self.take(row, lines, lines.line):
                        return self.held_back(position)
            lines.undecodable = False
            position = lines.offset, lines.line
        return position

    def read_csv(self, handle: IO[bytes], start: FileCursor, size: int) -> tuple[int, int, int]:
        """Rows from ``start`` on: the offset and line read up to, and ``held_at`` (the size
        of the file when a quote open at its end was left for the next run, or 0)."""
        lines = _Lines(handle, 0, 0)
        reader = csv.reader(lines, strict=True)
        try:
            header = [name.strip() for name in next(reader)]
        except (StopIteration, csv.Error):
            return 0, 0, 0  # no header yet
        if not lines.complete:
            return 0, 0, 0
        if start.offset > lines.offset:
            lines = _Lines(handle, start.offset, start.line)
            reader = csv.reader(lines, strict=True)
        self.check_columns(header)
        position = lines.offset, lines.line
        while True:
            first_line = lines.line + 1
            try:
                row = next(reader)
            except StopIteration:
                return (*position, 0)
            except csv.Error as exc:
                held_at = self.refused(exc, lines, position, start, size)
                if held_at is not None:
                    return (*position, held_at)
                position = _after_line(handle, position)  # the rows after it are read anew
                lines = _Lines(handle, *position)
                reader = csv.reader(lines, strict=True)
                continue
            if row and len(row) != len(header):
                if not lines.complete:
                    return (*self.held_back(position), 0)
                self.bad_row(first_line, f"{len(row)} columns, the header has {len(header)}")
            elif row and not self.take(dict(zip(header, row, strict=True)), lines, first_line):
                return (*self.held_back(position), 0)
            lines.undecodable = False
            position = lines.offset, lines.line

    def refused(
        self,
        exc: csv.Error,
        lines: _Lines,
        position: tuple[int, int],
        start: FileCursor,
        size: int,
    ) -> int | None:
        """A record the CSV reader refused: counted as malformed (None), or, when it may be
        half written, left for the next run (the ``held_at`` to save)."""
        first_line = position[1] + 1
        if not lines.complete and lines.line == first_line:  # a last line without a newline
            self.held_back(position)
            return 0
        if not lines.exhausted:
            where = "" if lines.line == first_line else f" on line {lines.line}"
            self.bad_row(first_line, f"not CSV ({exc}{where})")
        elif not lines.complete and (start.held_at, start.offset) != (size, position[0]):
            self.held_open(position)
            return size
        else:
            self.bad_row(first_line, "not CSV (the quote opened on this line is never closed)")
        return None

    # rows

    def take(self, row: Any, lines: _Lines, line: int) -> bool:
        """Offer the row's mention, or count it as bad; False if it is a half-written last
        line to leave for the next run."""
        try:
            if lines.undecodable:
                raise _BadRowError("not UTF-8 (save the export as UTF-8)")
            if not isinstance(row, dict):
                raise _BadRowError("not a JSON object")
            mention = self.mention(row)
        except _BadRowError as exc:
            if not lines.complete:
                return False
            self.bad_row(line, str(exc))
            return True
        self.context.sink.offer(mention)
        return True

    def mention(self, row: Mapping[str, Any]) -> Mention:
        flat: dict[str, Any]
        if self.source.columns:
            flat = {field: _lookup(row, key) for field, key in self.source.columns.items()}
        elif self.source.format == "csv":
            flat = {k: v for k, v in row.items() if k in MENTION_FIELDS}
        else:
            flat = _flatten({k: v for k, v in row.items() if k not in {"id", "source"}})
        values = {k: self.convert(k, v) for k, v in flat.items()}
        values = {k: v for k, v in values.items() if v is not None}
        if not values.get("native_id"):
            raise _BadRowError("no native_id")
        if not isinstance(values.get("text"), str) or not values["text"].strip():
            raise _BadRowError("no text")
        if "published_at" not in values:
            raise _BadRowError("no published_at")
        values.setdefault("collected_at", self.collected_at)
        try:
            return Mention.model_validate({**_nest(values), "source": self.source.name})
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"])
            raise _BadRowError(f"{field}: {first['msg']}") from exc

    def convert(self, field: str, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if field in TIME_FIELDS:
            try:
                return parse_local_time(value, self.zone)
            except (ValueError, TypeError, OverflowError, OSError) as exc:
                raise _BadRowError(f"{field}: not a time: {value!r}") from exc
        if field in INT_FIELDS and isinstance(value, str):
            number = value.strip().replace(",", "")
            if not _NUMBER.match(number) or float(number) != int(float(number)):
                raise _BadRowError(f"{field}: not a whole number: {value!r}")
            return int(float(number))
        if field in {"native_id", "text"} and isinstance(value, int | float | str):
            return str(value)
        return value

    # reporting

    def bad_row(self, line: int, reason: str) -> None:
        self.outcome.malformed += 1
        logger.warning("%s: skipped row %s:%d: %s", self.source.name, self.file, line, reason)

    def held_back(self, position: tuple[int, int]) -> tuple[int, int]:
        logger.info(
            "%s: %s:%d is not complete yet; left for the next run",
            self.source.name,
            self.file,
            position[1] + 1,
        )
        return position

    def held_open(self, position: tuple[int, int]) -> None:
        logger.warning(
            "%s: %s:%d: the quote opened on this line is still open at the end of the file,"
            " which may still be being written; left for the next run (a malformed row"
            " then if the file has not grown)",
            self.source.name,
            self.file,
            position[1] + 1,
        )

    def check_columns(self, header: list[str]) -> None:
        if self.source.columns:
            missing = sorted(set(self.source.columns.values()) - set(header))
            if missing:
                logger.warning("%s: %s has no column %s", self.source.name, self.file, missing)
            return
        ignored = [name for name in header if name not in MENTION_FIELDS]
        if ignored:
            logger.info("%s: %s: ignored columns %s", self.source.name, self.file, ignored)


def parse_local_time(value: Any, zone: tzinfo) -> datetime:
    """A time as aware UTC: Unix seconds (milliseconds when larger than 10^11) or a text
    :func:`~crawlers.convert.parse_time` reads; one without an offset is in ``zone``."""
    if isinstance(value, bool):
        raise TypeError("not a time")
    text = str(value).strip()
    if isinstance(value, int | float) or _NUMBER.match(text):
        seconds = float(text)
        return from_unix(seconds / 1000 if seconds > 1e11 else seconds)
    return parse_time(text, zone)


def _after_line(handle: IO[bytes], position: tuple[int, int]) -> tuple[int, int]:
    """The position just after the line that starts at ``position``."""
    offset, line = position
    handle.seek(offset)
    return offset + len(handle.readline()), line + 1


def _digest(handle: IO[bytes], offset: int) -> str:
    handle.seek(0)
    return hashlib.sha256(handle.read(min(offset, HEAD_BYTES))).hexdigest()[:16]


def _lookup(row: Mapping[str, Any], key: str) -> Any:
    if key in row:
        return row[key]
    value: Any = row
    for part in key.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _flatten(row: Mapping[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if key in {"author", "engagement"} and isinstance(value, Mapping):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat


def _nest(flat: Mapping[str, Any]) -> dict[str, Any]:
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        head, dot, tail = key.partition(".")
        if dot:
            nested.setdefault(head, {})[tail] = value
        else:
            nested[key] = value
    return nested
