"""``kikimimi config check`` catches what the run would trip on (issue 10, item 3): a bad time
zone at load, files and folders that do not exist, and every problem on its own line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from config.loader import check_settings, load_settings
from core.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kikimimi.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def config_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kikimimi", "config", "check", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_an_unknown_time_zone_is_an_error_at_load(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "sources:\n  - name: imp\n    type: import\n    path: .\n    timezone: Mars/Olympus\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert str(caught.value) == (
        f"{path}:5: sources[0].timezone: not an IANA time zone such as UTC or Asia/Tokyo "
        "(got 'Mars/Olympus')"
    )


def test_a_missing_import_path_fails_config_check_but_not_the_load(tmp_path: Path) -> None:
    text = (
        "sources:\n"
        "  - {name: ready, type: import, path: exports}\n"
        "  - {name: missing, type: import, path: nowhere/export.jsonl}\n"
        "  - {name: later, type: import, path: also-nowhere, enabled: false}\n"
    )
    path = write(tmp_path, text)
    (tmp_path / "exports").mkdir()  # an empty folder is fine: exports arrive later
    assert len(load_settings(path).sources) == 3  # the run reports it per crawl instead
    with pytest.raises(ConfigError) as caught:
        check_settings(path)
    assert str(caught.value) == (
        f"{path}:3: sources[1].path: does not exist ({tmp_path / 'nowhere/export.jsonl'}) "
        "(got 'nowhere/export.jsonl')"
    )
    result = config_check(path)
    assert result.returncode == 1
    assert result.stderr == f"error: {caught.value!s}\n"


def test_missing_certificate_and_model_folders_fail_config_check(tmp_path: Path) -> None:
    text = "elasticsearch:\n  ca_certs: ca.pem\nnlp:\n  model: models/mine\n"
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        check_settings(path)
    assert str(caught.value).splitlines() == [
        f"{path}:2: elasticsearch.ca_certs: does not exist ({tmp_path / 'ca.pem'}) (got 'ca.pem')",
        f"{path}:4: nlp.model: does not exist ({tmp_path / 'models/mine'}) (got 'models/mine')",
    ]


def test_config_check_prints_every_problem_on_its_own_line(tmp_path: Path) -> None:
    text = (
        "brands:\n  - name: Hoshi\n"
        "alerting:\n  cases:\n    sla_minutes: {urgent: 0}\n"
        "rules:\n  - {name: r1, feed: care, brands: [Kaze], topics: [billing]}\n"
    )
    path = write(tmp_path, text)
    result = config_check(path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"error: {path}:5: alerting.cases.sla_minutes.urgent: "
        "Input should be greater than 0 (got 0)",
    ]
    fixed = write(tmp_path, text.replace("urgent: 0", "urgent: 10"))
    assert config_check(fixed).stderr.splitlines() == [
        f"error: {fixed}:7: rules[0].brands[0]: unknown brand; configured: Hoshi (got 'Kaze')",
        f"error: {fixed}:7: rules[0].topics[0]: unknown topic; configured: none (got 'billing')",
    ]


def test_the_shipped_configuration_passes_config_check() -> None:
    repo = Path(__file__).resolve().parents[2]
    result = config_check(repo / "config" / "kikimimi.yaml")
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout
