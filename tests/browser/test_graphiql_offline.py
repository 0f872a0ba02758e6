"""GraphiQL renders and runs a query with nothing but the app's own origin (the ``pages`` fixture fails the test
on any request elsewhere), under the page's Content-Security-Policy (a violation is a console error)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import ConsoleMessage, expect

from tests.browser.pages import LAPTOP, Pages

pytestmark = pytest.mark.browser


def test_graphiql_renders_offline_and_runs_a_query(pages: Pages) -> None:
    page = pages.open(LAPTOP)
    console_errors: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            console_errors.append(message.text)

    page.on("console", on_console)
    page.goto(f"/graphql?q={quote('{ __typename }')}")
    expect(page.locator(".graphiql-query-editor")).to_be_visible()
    page.locator(".graphiql-execute-button").click()
    expect(page.locator(".graphiql-response")).to_contain_text('"__typename": "Query"')
    assert console_errors == [], console_errors
