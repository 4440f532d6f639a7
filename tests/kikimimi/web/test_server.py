"""``kikimimi web`` as a real process: it serves the app, stops gracefully on SIGTERM and
SIGINT (exit 0), says so in one line when its port is taken (exit 1), and its log holds no
password, token, cookie or query string."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from config import load_settings, users_path
from kikimimi.accounts import Accounts
from tests.kikimimi.web.conftest import PASSWORD, RunningWeb, start_web


def test_it_serves_and_keeps_secrets_out_of_its_log(web_server: RunningWeb) -> None:
    with Accounts(users_path(load_settings(web_server.config))) as accounts:
        token = accounts.issue_token("ana").secret
    with httpx.Client(base_url=web_server.url, follow_redirects=False) as client:
        me = client.get(
            "/api/v1/me?secret=in-the-query", headers={"Authorization": f"Bearer {token}"}
        )
        assert me.json()["name"] == "ana"
        found = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
        assert found
        form_token = found.group(1)
        signed_in = client.post(
            "/login", data={"name": "ana", "password": PASSWORD, "csrf_token": form_token}
        )
        assert signed_in.status_code == 303
        session = client.cookies["kikimimi_session"]
        assert client.get("/inbox").status_code == 200

    assert web_server.stop(signal.SIGTERM) == 0

    log = web_server.log()
    assert '"GET /api/v1/me HTTP/1.1" 200' in log
    assert '"POST /login HTTP/1.1" 303' in log
    for secret in (token, PASSWORD, session, form_token, "in-the-query"):
        assert secret not in log
    assert "Traceback" not in log


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_it_gracefully(tmp_path: Path, signum: int) -> None:
    server = start_web(tmp_path)

    status = server.stop(signum)

    log = server.log()
    assert status == 0, log
    assert "Finished server process" in log
    assert log.endswith("web app stopped\n")
    assert "Traceback" not in log


def test_a_taken_port_is_one_clear_error(web_server: RunningWeb) -> None:
    port = web_server.url.rsplit(":", 1)[1]
    command = [sys.executable, "-m", "kikimimi", "--config", str(web_server.config)]

    result = subprocess.run(
        [*command, "web", "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 1
    assert "address already in use" in result.stderr
    assert result.stderr.endswith(
        f"error: could not serve the web app on 127.0.0.1:{port} (see above)\n"
    )
