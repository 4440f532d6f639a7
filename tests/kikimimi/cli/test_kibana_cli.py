"""``kikimimi kibana import`` against the Kibana stand-in, and ``kikimimi kibana export``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from indexer.kibana import SAVED_OBJECTS_FILE
from kikimimi.cli import cli
from standins.kibana import KIBANA_TYPE_VERSIONS, KibanaStandin
from standins.server import StandinServer
from tests.conftest import free_port

KEY = "a2lraW1pbWk6Y2xpLWtleQ=="


@pytest.fixture
def kibana() -> KibanaStandin:
    return KibanaStandin(api_key=KEY, spaces=("default", "marketing"))


@pytest.fixture
def server(kibana: KibanaStandin) -> Iterator[StandinServer]:
    with StandinServer(kibana) as running:
        yield running


def config(tmp_path: Path, kibana: dict[str, object] | None = None, prefix: str = "acme") -> Path:
    path = tmp_path / "kikimimi.yaml"
    settings: dict[str, object] = {
        "state_dir": "var",
        "elasticsearch": {"index_prefix": prefix},
        "kibana": {"api_key": {"$env": "KIKIMIMI_KIBANA_API_KEY"}, **(kibana or {})},
    }
    path.write_text(yaml.safe_dump(settings), encoding="utf-8")
    return path


def run(path: Path, *args: str, key: str = KEY) -> Result:
    env = {"KIKIMIMI_KIBANA_API_KEY": key}
    return CliRunner().invoke(cli, ["--config", str(path), "kibana", *args], env=env)


def test_import_imports_every_object_for_the_configured_prefix(
    tmp_path: Path, kibana: KibanaStandin, server: StandinServer
) -> None:
    result = run(config(tmp_path), "import", "--url", server.url)

    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"imported 22 of 22 saved objects into Kibana at {server.url} (space default)\n"
    )
    assert result.stderr == ""
    stored = kibana.stored["default"]
    assert len(stored) == 22
    assert stored[("index-pattern", "kikimimi-mentions")]["attributes"]["title"] == "acme-mentions"
    [request] = server.requests
    assert request.headers["authorization"] == f"ApiKey {KEY}"
    assert "kbn-xsrf" in request.headers


def test_url_and_space_come_from_the_configuration(
    tmp_path: Path, kibana: KibanaStandin, server: StandinServer
) -> None:
    path = config(tmp_path, {"url": server.url, "space": "marketing"})
    result = run(path, "import")

    assert result.exit_code == 0, result.output
    assert "(space marketing)" in result.stdout
    assert len(kibana.stored["marketing"]) == 22


def test_without_a_url_it_says_how_to_give_one(tmp_path: Path) -> None:
    result = run(config(tmp_path), "import")
    assert result.exit_code == 2
    assert "give Kibana's URL: --url URL, or kibana.url in the configuration" in result.stderr


def kikimimi(path: Path, *args: str, key: str = KEY) -> subprocess.CompletedProcess[str]:
    """The CLI as a process: its real exit code, stdout and stderr (errors included)."""
    command = [sys.executable, "-m", "kikimimi", "--config", str(path), "kibana", *args]
    env = {**os.environ, "KIKIMIMI_KIBANA_API_KEY": key}
    return subprocess.run(
        command, check=False, capture_output=True, text=True, timeout=120, env=env
    )


def test_refused_objects_are_each_named_and_the_exit_is_1(tmp_path: Path) -> None:
    older = KibanaStandin(api_key=KEY, type_versions={**KIBANA_TYPE_VERSIONS, "lens": "8.6.0"})
    with StandinServer(older) as kibana_8_6:
        result = kikimimi(config(tmp_path), "import", "--url", kibana_8_6.url)

    assert result.returncode == 1
    assert result.stdout.startswith("imported 7 of 22 saved objects")
    errors = result.stderr.splitlines()
    assert len(errors) == 15
    assert all(line.startswith("error: lens kikimimi-lens-") for line in errors)
    assert (
        "error: lens kikimimi-lens-share-of-voice (Share of voice): Document "
        '"kikimimi-lens-share-of-voice" belongs to a more recent version of Kibana [8.9.0] '
        "when the last known version is [8.6.0]. (HTTP 400)"
    ) in errors


def test_a_wrong_key_is_one_clear_line_without_the_key(
    tmp_path: Path, server: StandinServer
) -> None:
    result = kikimimi(config(tmp_path), "import", "--url", server.url, key="d3Jvbmcta2V5LXZhbHVl")

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        "error: could not import the saved objects into Kibana: Kibana at "
        f"{server.url} did not accept the credentials (HTTP 401): [security_exception]: unable "
        "to authenticate with the provided credentials; check kibana.api_key, or "
        "kibana.username and kibana.password\n"
    )


def test_an_unreachable_kibana_is_one_clear_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = kikimimi(config(tmp_path), "import", "--url", url)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(
        f"error: could not import the saved objects into Kibana: cannot reach Kibana at {url}: "
    )


def test_export_writes_the_ndjson_for_a_custom_prefix(tmp_path: Path) -> None:
    out = tmp_path / "objects.ndjson"
    result = CliRunner().invoke(cli, ["kibana", "export", "--prefix", "brand2", "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote 22 saved objects for index prefix brand2 to {out}\n"
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    shipped = [json.loads(line) for line in SAVED_OBJECTS_FILE.read_text("utf-8").splitlines()]
    assert [(o["type"], o["id"]) for o in lines] == [(o["type"], o["id"]) for o in shipped]
    titles = [o["attributes"]["title"] for o in lines if o["type"] == "index-pattern"]
    assert titles == ["brand2-mentions", "brand2-cases"]


def test_export_to_stdout_uses_the_configured_prefix(tmp_path: Path) -> None:
    result = run(config(tmp_path, prefix="kikimimi"), "export")
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == SAVED_OBJECTS_FILE.read_bytes()


def test_export_refuses_a_prefix_that_is_no_index_prefix(tmp_path: Path) -> None:
    result = kikimimi(config(tmp_path), "export", "--prefix", "Bad Prefix")
    assert result.returncode == 1
    assert result.stderr == (
        "error: could not render the Kibana saved objects: 'Bad Prefix' is not an index prefix "
        "(lower-case letters, digits, _ and -)\n"
    )
