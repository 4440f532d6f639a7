"""The YAML itself (issue 10, item 3): duplicate keys, alias bombs, bad UTF-8 and empty files
are refused with one clear line naming the file and the line."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from config.loader import load_settings
from core.errors import ConfigError


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "kikimimi.yaml"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def only_line(path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    [line] = str(caught.value).splitlines()
    return line


def test_a_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "state_dir: a\nbrands: []\nstate_dir: b\n")
    assert only_line(path) == (f"{path}:3: state_dir: duplicate key; first set on line 1")


def test_a_duplicate_key_inside_a_list_item_names_its_field(tmp_path: Path) -> None:
    path = write(tmp_path, "brands:\n  - name: Hoshi\n    aliases: [a]\n    name: Nami\n")
    assert only_line(path) == (f"{path}:4: brands[0].name: duplicate key; first set on line 2")


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    previous = "a"
    for name in "bcdefghijklmnop"[: levels - 1]:
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * width)}]")
        previous = name
    lines.append(f"brands: *{previous}")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_quickly_in_one_short_line(tmp_path: Path) -> None:
    path = write(tmp_path, alias_bomb())
    started = time.monotonic()
    line = only_line(path)
    assert time.monotonic() - started < 1
    assert line.startswith(f"{path}:")
    assert "alias" in line and "10000" in line
    assert len(line) < 300


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "brands: &loop\n  - name: x\n    aliases: *loop\n")
    line = only_line(path)
    assert line.startswith(f"{path}:3: ")
    assert "refers to itself" in line


def test_modest_anchors_and_merge_keys_still_work(tmp_path: Path) -> None:
    text = (
        "notifications:\n  - {name: hook, type: webhook, url: 'http://127.0.0.1:1/h'}\n"
        "rules:\n"
        "  - &care {name: complaint, open_case: true, team: care, notify: [hook]}\n"
        "  - <<: *care\n    name: question\n    intent: [question]\n"
    )
    settings = load_settings(write(tmp_path, text))
    assert [(r.name, r.team) for r in settings.rules] == [
        ("complaint", "care"),
        ("question", "care"),
    ]


def test_bad_utf8_names_the_line_and_byte_offset(tmp_path: Path) -> None:
    path = write(tmp_path, b"brands:\n  - name: Hoshi\n    aliases: [caf\xe9]\n")
    assert only_line(path) == (
        f"{path}:3: not UTF-8 text: byte offset 41 (column 18) cannot be decoded (got b'\\xe9')"
    )


@pytest.mark.parametrize("content", ["", "\n\n", "# only a comment\n", "---\n"])
def test_an_empty_file_is_an_error(tmp_path: Path, content: str) -> None:
    path = write(tmp_path, content)
    assert only_line(path) == f"{path}: the file is empty: it holds no settings"


def test_a_top_level_list_is_summarised_not_dumped(tmp_path: Path) -> None:
    path = write(tmp_path, "".join(f"- item {i}\n" for i in range(500)))
    assert only_line(path) == (
        f"{path}:1: the top level must be a mapping of settings (got a list of 500 items)"
    )


def test_a_huge_value_is_cut_not_dumped(tmp_path: Path) -> None:
    path = write(tmp_path, "x" * 1_000_000 + "\n")
    line = only_line(path)
    assert line.endswith("... (1000000 characters))")
    assert len(line) < 200 + len(str(path))
