"""The app in Debian's Chromium: sign in through the form, see the inbox with the user's
name, sign out. The page runs under the strict CSP, so a violation would show as a console
error."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.kikimimi.web.conftest import RunningWeb, sign_in_page

pytestmark = pytest.mark.browser


def test_sign_in_see_the_inbox_and_sign_out(web_server: RunningWeb, page: Page) -> None:
    problems: list[str] = []
    page.on("console", lambda message: problems.extend([message.text] * (message.type == "error")))
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{web_server.url}/inbox")
    expect(page).to_have_url(f"{web_server.url}/login?next=%2Finbox")
    sign_in_page(page, web_server, "ana")

    expect(page).to_have_url(f"{web_server.url}/inbox")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    expect(page.locator(".user-name")).to_have_text("ana")
    expect(page.locator(".role")).to_have_text("agent")
    assert page.evaluate("typeof window.kikimimi.api") == "function"
    assert page.evaluate("window.kikimimi.csrfToken.length") > 20

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(f"{web_server.url}/login")
    page.goto(f"{web_server.url}/inbox")
    expect(page).to_have_url(f"{web_server.url}/login?next=%2Finbox")
    assert problems == []
