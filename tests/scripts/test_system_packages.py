"""``scripts/system_packages.sh`` (run by ``scripts/setup.sh``) installs Debian's
``fonts-noto-cjk`` with apt-get when the Noto CJK font is missing, and ``redis-server`` when
there is none, the way it installs Chromium, and leaves each alone when it is there.
``apt-get`` and ``id`` are stand-ins on the ``PATH`` that record what they are asked (a test
installs no package)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "system_packages.sh"


def run(tmp_path: Path, font: Path, redis_server: str = "redis-server") -> tuple[str, list[str]]:
    """The script's output and the apt-get command lines it ran, as root."""
    tools = tmp_path / "bin"
    tools.mkdir(exist_ok=True)
    calls = tmp_path / "apt-get.log"
    (tools / "apt-get").write_text(f'#!/bin/sh\necho "$*" >> "{calls}"\n', encoding="utf-8")
    (tools / "id").write_text("#!/bin/sh\necho 0\n", encoding="utf-8")
    for tool in tools.iterdir():
        tool.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{tools}:{os.environ['PATH']}",
        "KIKIMIMI_CJK_FONT": str(font),
        "KIKIMIMI_REDIS_SERVER": redis_server,
    }
    result = subprocess.run(
        ["bash", str(SCRIPT)], env=env, capture_output=True, text=True, timeout=120, check=True
    )
    lines = calls.read_text(encoding="utf-8").splitlines() if calls.exists() else []
    return result.stdout, lines


def test_missing_cjk_fonts_are_installed(tmp_path: Path) -> None:
    said, apt_get = run(tmp_path, tmp_path / "NotoSansCJK-Regular.ttc")

    assert "setup: installing Debian's fonts-noto-cjk" in said
    assert "update -qq" in apt_get
    assert "install -y -qq --no-install-recommends fonts-noto-cjk" in apt_get


def test_present_cjk_fonts_are_left_alone(tmp_path: Path) -> None:
    font = tmp_path / "NotoSansCJK-Regular.ttc"
    font.write_bytes(b"a font")

    said, apt_get = run(tmp_path, font)

    assert "fonts-noto-cjk" not in said
    assert not [line for line in apt_get if "fonts-noto-cjk" in line]


def test_a_missing_redis_server_is_installed(tmp_path: Path) -> None:
    font = tmp_path / "NotoSansCJK-Regular.ttc"
    font.write_bytes(b"a font")

    said, apt_get = run(tmp_path, font, redis_server=str(tmp_path / "no-redis-server"))

    assert "setup: installing Debian's redis-server" in said
    assert "install -y -qq --no-install-recommends redis-server" in apt_get


def test_a_present_redis_server_is_left_alone(tmp_path: Path) -> None:
    font = tmp_path / "NotoSansCJK-Regular.ttc"
    font.write_bytes(b"a font")
    server = tmp_path / "redis-server"
    server.write_text("#!/bin/sh\n", encoding="utf-8")
    server.chmod(0o755)

    said, apt_get = run(tmp_path, font, redis_server=str(server))

    assert "redis-server" not in said
    assert not [line for line in apt_get if "redis-server" in line]
