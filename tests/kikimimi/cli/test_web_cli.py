"""``kikimimi web`` listens where the config's ``web`` section says, unless ``--host`` or
``--port`` say otherwise."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import free_port


def serve(tmp_path: Path, web: dict[str, object], *flags: str) -> subprocess.Popen[bytes]:
    config = tmp_path / "kikimimi.yaml"
    config.write_text(yaml.safe_dump({"state_dir": "var", "web": web}), encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "KIKIMIMI_CONFIG"}
    command = [sys.executable, "-m", "kikimimi", "--config", str(config), "web", *flags]
    return subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
    )


def answers(process: subprocess.Popen[bytes], url: str) -> str:
    """The first line ``kikimimi web`` said, once ``url`` answers; then it is stopped."""
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            assert process.poll() is None, "kikimimi web exited"
            try:
                if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail(f"{url} did not answer within 60 s")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=30)
    return stderr.decode().splitlines()[0]


def test_it_serves_on_the_configured_address(tmp_path: Path) -> None:
    port = free_port()
    process = serve(tmp_path, {"host": "127.0.0.1", "port": port})

    said = answers(process, f"http://127.0.0.1:{port}")

    assert said == f"serving the web app on http://127.0.0.1:{port} (Ctrl-C stops it)"


def test_its_flags_override_the_config(tmp_path: Path) -> None:
    configured, flagged = free_port(), free_port()
    process = serve(
        tmp_path,
        {"host": "192.0.2.1", "port": configured},
        "--host",
        "127.0.0.1",
        "--port",
        str(flagged),
    )

    said = answers(process, f"http://127.0.0.1:{flagged}")

    assert said == f"serving the web app on http://127.0.0.1:{flagged} (Ctrl-C stops it)"
