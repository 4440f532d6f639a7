"""Case work in Debian's Chromium against a real ``kikimimi web`` on the real
Elasticsearch: a case written after the inbox loaded appears without reload (how fast:
``benchmarks/web_inbox.py``); claiming it, a second agent sees who is viewing and the
lock; responding and closing with CSAT; hostile post text stays text and fires no dialog;
the keyboard shortcuts; another team's case is a 404 page."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from alerts import CaseStore
from tests.kikimimi.web.cases.conftest import HOSTILE, OpenCase
from tests.kikimimi.web.conftest import FakeClock, RunningWeb, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.elasticsearch]


@pytest.fixture
def second_page(chromium: Browser) -> Iterator[Page]:
    """Another person's browser (its own context and cookies)."""
    context = chromium.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()


def watch_for_problems(page: Page) -> list[str]:
    problems: list[str] = []

    def dialog_opened(dialog: Dialog) -> None:
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", dialog_opened)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on(
        "console",
        lambda message: problems.extend([f"console: {message.text}"] * (message.type == "error")),
    )
    return problems


def test_a_case_arrives_live_is_claimed_responded_to_and_closed(
    live_web: RunningWeb,
    page: Page,
    second_page: Page,
    open_case: OpenCase,
    store: CaseStore,
    clock: FakeClock,
) -> None:
    problems = watch_for_problems(page)
    sign_in_page(page, live_web, "ana")
    expect(page).to_have_url(f"{live_web.url}/inbox")
    time.sleep(0.5)  # the event stream is open

    clock.now = datetime.now(UTC)  # the server's clock: the case is written after the page
    case = open_case(text=f"No signal since noon {HOSTILE}", name="Kei Tanaka")
    card = page.locator(f"#case-{case.id}")
    expect(card).to_be_visible(timeout=20_000)  # no reload: the event stream brought it
    expect(card.locator(".case-link")).to_contain_text("<img src=x onerror=alert(1)>")
    expect(card.locator(".sla")).to_have_text(re.compile(r"due in \d+ h \d\d min"))

    card.locator(".case-link").click()
    expect(page).to_have_url(f"{live_web.url}/cases/{case.id}")
    expect(page.locator(".post-text").first).to_contain_text("<script>alert(2)</script>")
    page.get_by_role("button", name="Claim").click()
    expect(page.get_by_text("You hold this case now.")).to_be_visible()

    sign_in_page(second_page, live_web, "ken")
    second_page.goto(f"{live_web.url}/cases/{case.id}")
    expect(second_page.locator("#viewing")).to_have_text("ana is viewing this case.")
    expect(second_page.locator("#lock")).to_contain_text("Held by ana")
    second_page.locator("#response").fill("Hello from ken")
    second_page.get_by_role("button", name="Record response").click()
    expect(second_page.get_by_role("alert")).to_contain_text("is held by ana")

    page.locator("#response").fill("We restarted your line; sorry for the trouble.")
    page.get_by_role("button", name="Record response").click()
    expect(page.get_by_text("Response recorded.")).to_be_visible()
    page.get_by_label("Resolution").fill("line restarted")
    page.get_by_label("CSAT").select_option("5")
    page.get_by_role("button", name="Close case").click()
    expect(page.get_by_text("Case closed.")).to_be_visible()
    closed = store.get(case.id)
    assert (closed.status, closed.csat, closed.resolution) == ("closed", 5, "line restarted")
    assert [e.kind for e in closed.history] == ["opened", "claimed", "responded", "closed"]
    assert problems == []


def test_keyboard_shortcuts(
    live_web: RunningWeb, page: Page, open_case: OpenCase, store: CaseStore
) -> None:
    problems = watch_for_problems(page)
    urgent = open_case(author="a", priority="urgent", text="urgent one")
    high = open_case(author="b", priority="high", text="high one")
    normal = open_case(author="c", text="normal one")
    sign_in_page(page, live_web, "ana")
    expect(page.locator(".case-card")).to_have_count(3)

    page.keyboard.press("j")
    expect(page.locator(".case-card.current")).to_have_id(f"case-{urgent.id}")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    expect(page.locator(".case-card.current")).to_have_id(f"case-{high.id}")
    page.keyboard.press("a")
    expect(page.locator(f"#case-{high.id} .assignee")).to_have_text("ana")
    assert store.get(high.id).assigned_to == "ana"
    page.keyboard.press("j")
    expect(page.locator(".case-card.current")).to_have_id(f"case-{normal.id}")
    page.keyboard.press("e")
    expect(page.locator(f"#case-{normal.id}")).to_have_count(0)
    assert store.get(normal.id).resolution == "not actionable"
    page.keyboard.press("k")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cases/case-"))
    assert problems == []


def test_another_teams_case_is_a_404_page(
    live_web: RunningWeb, page: Page, open_case: OpenCase
) -> None:
    case = open_case(team="billing")
    sign_in_page(page, live_web, "ana")

    response = page.goto(f"{live_web.url}/cases/{case.id}")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
