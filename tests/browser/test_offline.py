"""When the server goes away mid-session, the page says so in words and stays usable."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from api.settings import Settings
from tests.browser.flows import upload
from tests.browser.music import write_music
from tests.browser.pages import LAPTOP, Pages

pytestmark = pytest.mark.browser


@pytest.fixture
def app_server(app_settings: Settings, live_server: Callable[[Settings], Any]) -> Any:
    return live_server(app_settings)


@pytest.fixture
def app_url(app_server: Any) -> str:
    url: str = app_server.url
    return url


def test_webapp_says_when_the_server_is_unreachable(pages: Pages, app_server: Any, tmp_path: Path) -> None:
    page = pages.open(LAPTOP)
    upload(page, write_music(tmp_path / "mix.wav"))
    app_server.stop()

    page.fill("#genre", "techno")
    page.click("#feedback-button")
    # Changing the genre also re-reads the findings, which fails the same way; whichever failure lands last
    # is shown, and both say what happened in the same words.
    expect(page.locator("#error")).to_contain_text(
        "Connection problem: Could not reach the mixcoach server. Check that it is running, then try again."
    )
    expect(page.locator("#feedback-button")).to_be_enabled()  # free to try again
    expect(page.locator("#analysis")).to_be_visible()  # what was on screen stays
