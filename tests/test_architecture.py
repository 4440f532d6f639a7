"""The import contracts of pyproject.toml hold today, and each one catches the import it
exists to forbid (checked on a copy of the packages with one bad import added)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "config", "crawlers", "nlp", "indexer", "alerts", "kikimimi", "standins")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def copy_of_the_packages(target: Path) -> Path:
    for package in (*PACKAGES, "benchmarks"):
        shutil.copytree(
            ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def lint_imports(where: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(where)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=where,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_the_contracts_hold_for_the_tree_as_it_is(tmp_path: Path) -> None:
    result = lint_imports(copy_of_the_packages(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("module", "bad_import", "contract"),
    [
        ("nlp/_probe.py", "from alerts import CaseStore", "Stages do not import each other"),
        ("core/_probe.py", "from config import Settings", "Layers"),
        ("indexer/_probe.py", "from kikimimi import wiring", "Layers"),
        ("alerts/_probe.py", "from standins import WebhookSink", "never imports the stand-ins"),
        ("standins/_probe.py", "from crawlers import html_to_text", "Stand-ins imitate services"),
        ("kikimimi/_probe.py", "from indexer.bulk import Indexer", "through its face"),
    ],
)
def test_each_contract_catches_the_import_it_forbids(
    tmp_path: Path, module: str, bad_import: str, contract: str
) -> None:
    where = copy_of_the_packages(tmp_path)
    (where / module).write_text(f"{bad_import}\n", encoding="utf-8")
    result = lint_imports(where)
    assert result.returncode == 1, result.stdout + result.stderr
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken, result.stdout
    assert module.replace("/", ".").removesuffix(".py") in broken
