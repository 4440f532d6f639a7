"""Screenshots of the care app on the demo's data, for the docs.

Run after ``make demo`` (it leaves Elasticsearch and the demo's state behind)::

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots]

It starts ``kikimimi web`` on the demo's config, signs in as the demo lead in Debian's
Chromium (headless, driven by Playwright; no browser download) and saves the inbox, the
most urgent case, the lead dashboard and the trends (the last 7 days, once every figure is
drawn) as PNG files. Japanese text needs a CJK font in the
system (Debian: ``fonts-noto-cjk``).
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
DEMO_CONFIG = ROOT / "var" / "demo" / "kikimimi.yaml"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEMO_LEAD, DEMO_PASSWORD = "demo-lead", "kikimimi-demo"  # the demo's own, printed by it
VIEWPORT: ViewportSize = {"width": 1360, "height": 900}
FIGURES_DRAWN = """() => [...document.querySelectorAll("#trends [data-part=state]")]
    .every((state) => !/^(Loading|Being computed|Still being computed)/.test(state.textContent))"""
FIGURES_TIMEOUT_MS = 180_000  # the emerging themes may load the sentence encoder first


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2):  # noqa: S310 - local
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def capture(page: Page, url: str, out: Path) -> list[Path]:
    page.goto(f"{url}/login")
    page.fill("input[name=name]", DEMO_LEAD)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/inbox*")
    shots = [out / "inbox.png"]
    page.screenshot(path=shots[-1])
    first = page.locator("a[href^='/cases/']").first
    case_path = first.get_attribute("href")
    page.goto(f"{url}{case_path}")
    shots.append(out / "case.png")
    page.screenshot(path=shots[-1], full_page=True)
    page.goto(f"{url}/dashboard")
    shots.append(out / "dashboard.png")
    page.screenshot(path=shots[-1], full_page=True)
    page.goto(f"{url}/trends")
    page.wait_for_function(FIGURES_DRAWN, timeout=FIGURES_TIMEOUT_MS)
    shots.append(out / "trends.png")
    page.screenshot(path=shots[-1], full_page=True)
    return shots


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    if not DEMO_CONFIG.exists():
        print(f"error: {DEMO_CONFIG} is missing: run `make demo` first", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kikimimi",
            "--config",
            str(DEMO_CONFIG),
            "web",
            "--port",
            f"{port}",
        ],
        cwd=ROOT,
    )
    try:
        wait_until_up(url)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_context(viewport=VIEWPORT, locale="en-GB").new_page()
            for shot in capture(page, url, args.out):
                print(shot.relative_to(ROOT) if shot.is_relative_to(ROOT) else shot)
            browser.close()
    finally:
        web.terminate()
        web.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
