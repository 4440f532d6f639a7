"""Shared fixtures of the web app's tests.

In-process: the real app (``create_app``) on a real accounts file in ``tmp_path``, with four
users (one per role), a clock the test moves, and TestClients (``client``, or
``new_client()`` for a second browser), plus ``sign_in(client, name)``.

Browser (tests marked ``browser``): ``web_server`` runs ``kikimimi web`` as a real
subprocess on a free port with a config in ``tmp_path``; ``chromium`` is Debian's Chromium
driven by Playwright (skipped when ``/usr/bin/chromium`` is missing); ``page`` is a fresh
page in a fresh context, and ``sign_in_page(page, server, name)`` signs in through the form.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from config import Settings, load_settings, users_path
from kikimimi.accounts import Accounts, Role
from kikimimi.web import create_app
from tests.conftest import free_port
from tests.kikimimi.accounts.conftest import cheap_hasher

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

PASSWORD = "correct horse battery"
PEOPLE: dict[str, tuple[Role, tuple[str, ...]]] = {
    "ana": (Role.AGENT, ("care",)),
    "ken": (Role.LEAD, ("care", "care-leads")),
    "mia": (Role.MARKETER, ("marketing",)),
    "root": (Role.ADMIN, ()),
}
"""One user per role, all with :data:`PASSWORD`."""

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CONFIG = {
    "state_dir": "var",
    "rules": [
        {"name": "complaints", "open_case": True, "team": "care"},
        {"name": "competitors", "feed": "marketing"},
    ],
}

_META_CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
_FORM_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class FakeClock:
    """The app's clock: now, until a test moves it."""

    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def add_people(accounts: Accounts) -> None:
    for name, (role, teams) in PEOPLE.items():
        accounts.add_user(name, PASSWORD, role, teams)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(state_dir=tmp_path / "var")


@pytest.fixture
def accounts(settings: Settings) -> Iterator[Accounts]:
    store = Accounts(users_path(settings), hasher=cheap_hasher())
    add_people(store)
    yield store
    store.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def app(settings: Settings, accounts: Accounts, clock: FakeClock) -> FastAPI:
    return create_app(settings, accounts=accounts, clock=clock)


NewClient = Callable[..., TestClient]


@pytest.fixture
def new_client(app: FastAPI) -> Iterator[NewClient]:
    """TestClients of the app (each its own cookie jar, like a browser); redirects are not
    followed and an exception that reaches the server's last resort fails the test."""
    clients: list[TestClient] = []

    def make(base_url: str = "http://testserver") -> TestClient:
        client = TestClient(app, base_url=base_url, follow_redirects=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(new_client: NewClient) -> TestClient:
    return new_client()


def form_csrf(html: str) -> str:
    """The CSRF token in a page's first form."""
    found = _FORM_CSRF.search(html)
    assert found, "no csrf_token field in the page"
    return found.group(1)


def meta_csrf(html: str) -> str:
    """The CSRF token of a signed-in page (its ``<meta name="csrf-token">``)."""
    found = _META_CSRF.search(html)
    assert found, "no csrf-token meta in the page"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> str:
    """Sign in through the login form; the session's CSRF token (for forms and fetch)."""
    form = client.get("/login")
    assert form.status_code == 200
    response = client.post(
        "/login", data={"name": name, "password": password, "csrf_token": form_csrf(form.text)}
    )
    assert response.status_code == 303, response.text
    landing = client.get(response.headers["location"], follow_redirects=True)  # "/" -> home
    assert landing.status_code == 200, landing.text
    return meta_csrf(landing.text)


# the app as a real process, and a real browser


@dataclass
class RunningWeb:
    """``kikimimi web`` running: its address, config, process and combined output."""

    url: str
    config: Path
    process: subprocess.Popen[bytes]
    output: Path

    def log(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 20) -> int:
        """Send ``signum`` and wait for the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        return self.process.wait(timeout=timeout)


def start_web(directory: Path, settings: Mapping[str, Any] | None = None) -> RunningWeb:
    """Start ``kikimimi web`` on a free port with a config (:data:`CONFIG` updated with
    ``settings``) and the :data:`PEOPLE` in ``directory``; return once ``/healthz``
    answers."""
    config = directory / "kikimimi.yaml"
    config.write_text(yaml.safe_dump({**CONFIG, **(settings or {})}), encoding="utf-8")
    with Accounts(users_path(load_settings(config)), hasher=cheap_hasher()) as store:
        add_people(store)
    return launch_web(config, directory)


def launch_web(config: Path, directory: Path) -> RunningWeb:
    """Start ``kikimimi web`` on a free port with ``config`` (its output in ``directory``);
    return once ``/healthz`` answers."""
    port = free_port()
    output = directory / "web.log"
    env = {key: value for key, value in os.environ.items() if key != "KIKIMIMI_CONFIG"}
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "kikimimi", "--config", str(config), "web", "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    running = RunningWeb(f"http://127.0.0.1:{port}", config, process, output)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"kikimimi web exited with {process.returncode}:\n{running.log()}")
        try:
            if httpx.get(f"{running.url}/healthz", timeout=2).status_code == 200:
                return running
        except httpx.TransportError:
            time.sleep(0.1)
    running.stop(signal.SIGKILL)
    pytest.fail(f"kikimimi web did not answer /healthz within 60 s:\n{running.log()}")


@pytest.fixture
def web_server(tmp_path: Path) -> Iterator[RunningWeb]:
    running = start_web(tmp_path)
    yield running
    if running.process.poll() is None:
        running.stop(signal.SIGKILL)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (one per test module: Playwright's
    event loop does not outlive the module's tests)."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run browser tests")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 (only browser tests)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh page in a fresh browser context (its own cookies)."""
    context = chromium.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def sign_in_page(page: Page, server: RunningWeb, name: str, password: str = PASSWORD) -> None:
    """Sign in through the login form and wait for the page the app lands on."""
    page.goto(f"{server.url}/login")
    page.get_by_label("User name").fill(name)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
