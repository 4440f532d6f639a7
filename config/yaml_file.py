"""Read a configuration file's YAML, refusing what would mislead or stall the loader.

Refused, each with the file and the line: text that is not UTF-8 (with the byte offset), a
key set twice in one mapping (with both lines), an alias to a node that contains it, and
aliases that expand to more than :data:`MAX_ALIAS_NODES` values in all (an "alias bomb"
would otherwise take minutes and gigabytes to validate and print). A file without settings
is an error too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import yaml

from config.problems import SECRET_FIELDS, FieldPath, dotted
from core import ConfigError, ConfigProblem

__all__ = ["MAX_ALIAS_NODES", "YamlDocument", "read_yaml"]

MAX_ALIAS_NODES = 10_000
_COLLECTION_STARTS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)


@dataclass(frozen=True)
class YamlDocument:
    """The file's top-level mapping and the line of every field path in it."""

    data: dict[str, Any]
    lines: dict[str, int]


def read_yaml(file: Path) -> YamlDocument:
    """Parse ``file``; every refusal is a :class:`~core.errors.ConfigError`."""
    text = _decode(file)
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[str, int] = {}
        duplicates: list[ConfigProblem] = []
        if node is not None:
            _walk(node, (), lines, duplicates)
        if duplicates:
            raise ConfigError(file, duplicates)
        data = None if node is None else loader.construct_document(node)
    except _AliasRefusedError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
        problem = ConfigProblem("", str(exc.problem), line=line, show_value=False)
        raise ConfigError(file, [problem]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        snippet = _line_text(text, line)
        secret = snippet.lstrip("- ").partition(":")[0].strip() in SECRET_FIELDS
        message = f"invalid YAML: {exc.problem}"
        problem = ConfigProblem("", message, snippet, line, show_value=not secret)
        raise ConfigError(file, [problem]) from None
    except yaml.YAMLError as exc:
        problem = ConfigProblem("", f"invalid YAML: {exc}", show_value=False)
        raise ConfigError(file, [problem]) from None
    finally:
        loader.dispose()
    if data is None:
        empty = ConfigProblem("", "the file is empty: it holds no settings", show_value=False)
        raise ConfigError(file, [empty])
    if not isinstance(data, dict):
        problem = ConfigProblem("", "the top level must be a mapping of settings", data, 1)
        raise ConfigError(file, [problem])
    return YamlDocument(data, lines)


def _decode(file: Path) -> str:
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise ConfigError(file, [ConfigProblem("", "file not found", str(file))]) from None
    except OSError as exc:
        problem = ConfigProblem("", f"cannot read file: {exc.strerror}", str(file))
        raise ConfigError(file, [problem]) from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        message = (
            f"not UTF-8 text: byte offset {exc.start} (column {exc.start - line_start + 1}) "
            "cannot be decoded"
        )
        line = raw.count(b"\n", 0, exc.start) + 1
        bad = raw[exc.start : exc.end]
        raise ConfigError(file, [ConfigProblem("", message, bad, line)]) from None


def _line_text(text: str, line: int | None) -> str:
    lines = text.splitlines()
    return lines[line - 1].strip() if line and line <= len(lines) else "<end of file>"


class _AliasRefusedError(yaml.MarkedYAMLError):
    """An alias the loader will not expand."""


class _BoundedLoader(yaml.SafeLoader):
    """A SafeLoader that counts what aliases expand to and refuses recursive ones."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._alias_nodes = 0
        self._open_anchors: list[str] = []
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            self._expand(event)
        elif isinstance(event, _COLLECTION_STARTS) and event.anchor is not None:
            self._open_anchors.append(event.anchor)
            try:
                return super().compose_node(parent, index)
            finally:
                self._open_anchors.pop()
        return super().compose_node(parent, index)

    def _expand(self, alias: yaml.AliasEvent) -> None:
        if alias.anchor in self._open_anchors:
            raise _AliasRefusedError(
                problem=f"alias *{alias.anchor} refers to itself: a setting cannot contain itself",
                problem_mark=cast(yaml.Mark, alias.start_mark),
            )
        node = self.anchors.get(alias.anchor)
        if node is None:
            return  # PyYAML reports the undefined alias
        self._alias_nodes += self._size(node)
        if self._alias_nodes > MAX_ALIAS_NODES:
            raise _AliasRefusedError(
                problem=(
                    f"aliases expand to more than {MAX_ALIAS_NODES} values in all (an alias "
                    "bomb?); use anchors and aliases to repeat a few settings, not to build "
                    "large documents"
                ),
                problem_mark=cast(yaml.Mark, alias.start_mark),
            )

    def _size(self, node: yaml.Node) -> int:
        """How many values ``node`` stands for, aliases expanded (memoised per node)."""
        known = self._sizes.get(id(node))
        if known is None:
            known = 1 + sum(self._size(child) for child in _children(node))
            self._sizes[id(node)] = known
        return known


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _walk(
    node: yaml.Node, path: FieldPath, lines: dict[str, int], duplicates: list[ConfigProblem]
) -> None:
    """Record the line of every field path; report keys set twice in one mapping."""
    lines.setdefault(dotted(path), node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        first: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                continue  # not a setting name; validation says so
            key_line = key.start_mark.line + 1
            seen = first.get((key.tag, key.value))
            if seen is not None:
                if all(p.line != key_line for p in duplicates):  # once, however often aliased
                    message = f"duplicate key; first set on line {seen}"
                    where = dotted((*path, key.value))
                    duplicates.append(
                        ConfigProblem(where, message, line=key_line, show_value=False)
                    )
                continue
            first[(key.tag, key.value)] = key_line
            lines[dotted((*path, key.value))] = key_line
            _walk(value, (*path, key.value), lines, duplicates)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, duplicates)
