"""Browser sessions last as the config's ``web`` section says: the app that opens its own
users file ends a session after ``session_idle_hours`` without use and at the latest
``session_max_days`` after sign-in."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from config import Settings
from kikimimi.accounts import Accounts
from kikimimi.web import create_app
from tests.kikimimi.web.conftest import FakeClock, sign_in


def test_sessions_last_as_configured(tmp_path: Path, accounts: Accounts, clock: FakeClock) -> None:
    settings = Settings.model_validate(
        {
            "state_dir": str(tmp_path / "var"),  # the users of the ``accounts`` fixture
            "web": {"session_idle_hours": 1, "session_max_days": 0.125},  # 3 hours
        }
    )
    with TestClient(create_app(settings, clock=clock), follow_redirects=False) as browser:
        sign_in(browser, "ana")
        for _ in range(3):
            clock.advance(timedelta(minutes=55))  # used within the hour: still signed in
            assert browser.get("/api/v1/me").status_code == 200

        clock.advance(timedelta(minutes=20))  # 3 h 05 min after signing in
        assert browser.get("/api/v1/me").status_code == 401

        sign_in(browser, "ana")
        clock.advance(timedelta(minutes=61))  # an hour without use
        assert browser.get("/api/v1/me").status_code == 401
