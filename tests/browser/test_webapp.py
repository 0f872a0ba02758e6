"""The web app end to end in headless Chromium: upload, charts, feedback streaming, follow-up, reload, history."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.music import write_music
from tests.browser.pages import LAPTOP, Pages

pytestmark = pytest.mark.browser

Shot = Callable[[Page, str], Path]


def _upload(page: Page, main: Path, reference: Path | None = None) -> None:
    page.goto("/")
    page.set_input_files("#file-main", str(main))
    if reference is not None:
        page.set_input_files("#file-ref", str(reference))
    page.click("#upload-button")
    expect(page.locator("#analysis")).to_be_visible()


def _points(page: Page, selector: str) -> int:
    return int(page.locator(selector).get_attribute("data-points") or "0")


def test_webapp_upload_draws_the_analysis(pages: Pages, tmp_path: Path, screenshot: Shot) -> None:
    page = pages.open(LAPTOP)
    _upload(page, write_music(tmp_path / "mix.wav"))

    expect(page.locator("#status .status-row")).to_have_attribute("data-state", "ready")
    loudness = page.locator("#chart-loudness svg")
    path = loudness.locator("path[data-series=short-term]").get_attribute("d") or ""
    assert path.startswith("M") and path.count("L") >= 3, "the short-term loudness line has too few points"
    assert _points(page, "#chart-loudness svg") >= 4
    assert loudness.locator("line.target").count() >= 2, "platform targets are drawn"
    assert loudness.locator("line.integrated").count() == 1
    assert _points(page, "#chart-spectrum svg") >= 20, "1/3-octave bands from ~25 Hz to 20 kHz"
    assert _points(page, "#chart-stereo svg[data-chart=width]") == 7
    assert _points(page, "#chart-stereo svg[data-chart=correlation]") == 7
    lufs = page.locator('[data-key="loudness.integrated_lufs"] .value').inner_text()
    assert re.fullmatch(r"\u2212\d+\.\d LUFS", lufs), lufs
    expect(page.locator("#platforms tbody tr").first).to_contain_text("LUFS")
    assert page.locator("#platforms tbody tr").count() >= 3
    assert "#t=" in page.url, "the URL remembers the track"
    screenshot(page, "analysis")
