"""Listening, asking about a moment, versions and export in headless Chromium: play then seek from a finding, the
A/B gain equals the loudness difference, a selected range travels with the question, a v2 upload shows what it
fixed, and the session exports as Markdown."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.flows import ASSISTANT_DONE, request_feedback, upload
from tests.browser.music import write_music
from tests.browser.pages import LAPTOP, PHONE, Pages

pytestmark = pytest.mark.browser

Shot = Callable[..., Path]
LOUDNESS = """async ([trackId, refId]) => {
  const { gql } = await import("/js/auth.js");
  const q = "query($id: ID!) { track(id: $id) { analysisJson } }";
  const lufs = async (id) => (await gql(q, { id })).track.analysisJson.loudness.integrated_lufs;
  return [await lufs(trackId), await lufs(refId)];
}"""


def _route(page: Page) -> dict[str, str]:
    route: dict[str, str] = page.evaluate("() => Object.fromEntries(new URLSearchParams(location.hash.slice(1)))")
    return route


def _drag(page: Page, selector: str, *, start: float, end: float) -> None:
    box = page.locator(selector).bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * start, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * (start + end) / 2, y, steps=4)
    page.mouse.move(box["x"] + box["width"] * end, y, steps=4)
    page.mouse.up()


def test_workspace_listen_seek_ab_ask_about_a_range_and_export(pages: Pages, tmp_path: Path, screenshot: Shot) -> None:
    page = pages.open(LAPTOP)
    hot = write_music(tmp_path / "hot.wav", level=2.5)  # clipped: findings with spans to seek to
    reference = write_music(tmp_path / "reference.wav", seed=3, level=0.9, brightness=2.0, bpm=128.0)
    upload(page, hot, reference)
    listen = page.locator("#listen")
    expect(listen).to_be_visible()
    assert int(page.locator("#overview-box svg").get_attribute("data-points") or "0") >= 4

    route = _route(page)
    track_lufs, ref_lufs = page.evaluate(LOUDNESS, [route["t"], route["r"]])
    gain = float(listen.get_attribute("data-ab-gain-db") or "nan")
    assert gain == pytest.approx(track_lufs - ref_lufs, abs=0.01)
    volumes = page.evaluate(
        "() => [document.getElementById('audio-track').volume, document.getElementById('audio-ref').volume]"
    )
    assert volumes[1] / volumes[0] == pytest.approx(10 ** (gain / 20), rel=1e-3), "the louder one is turned down"

    page.click("#play-button")
    expect(page.locator("#play-button")).to_have_text("Pause")
    chart = page.locator("#chart-loudness svg")
    size = chart.bounding_box()
    assert size is not None
    chart.click(position={"x": size["width"] * 0.8, "y": size["height"] / 2})  # a point on the chart
    position = page.evaluate("() => document.getElementById('audio-track').currentTime")
    assert position > 6.0, f"clicking 80 % along the loudness chart of a 10 s track seeks there, got {position}"
    seek = page.locator("#findings .finding button.seek-time").first
    target = float(seek.get_attribute("data-seek") or "nan")
    seek.click()
    position = page.evaluate("() => document.getElementById('audio-track').currentTime")
    assert position == pytest.approx(target, abs=0.75), "clicking a finding's span plays from it"
    assert not page.evaluate("() => document.getElementById('audio-track').paused")
    page.click("#ab-button")
    expect(listen).to_have_attribute("data-side", "B")
    assert page.evaluate("() => document.getElementById('audio-track').paused"), "A stops when B plays"
    screenshot(page, "listen", at="#listen")

    _drag(page, "#overview-box", start=0.2, end=0.6)
    expect(page.locator("#ask-moment")).to_be_visible()
    request_feedback(page, genre="techno")
    page.click("#ask-moment")
    expect(page.locator("#question")).to_be_focused()
    before = page.locator(ASSISTANT_DONE).count()
    with page.expect_request(lambda r: "askFollowup" in (r.post_data or "")) as asked:
        page.click("#ask-button")
    sent = json.loads(asked.value.post_data or "{}")["variables"]["input"]
    assert 0 < sent["startS"] < sent["endS"], sent
    assert sent["endS"] - sent["startS"] == pytest.approx(4.0, abs=0.6), "40 % of the 10 s track was selected"
    expect(page.locator(ASSISTANT_DONE)).to_have_count(before + 1)
    in_answer = page.locator(f"{ASSISTANT_DONE} .msg-body button.seek-time").last
    expect(in_answer).to_be_visible()  # a time quoted in an answer is a seek button
    moment = float(in_answer.get_attribute("data-seek") or "nan")
    in_answer.click()
    position = page.evaluate("() => document.getElementById('audio-ref').currentTime")  # B is still selected
    assert position == pytest.approx(moment, abs=0.75)

    with page.expect_download() as download:
        page.click("#export-md")
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("# hot") and "## Findings" in text and "What is happening here?" in text


def test_workspace_second_version_shows_the_resolved_findings(pages: Pages, tmp_path: Path, screenshot: Shot) -> None:
    page = pages.open(PHONE)
    upload(page, write_music(tmp_path / "hot.wav", level=2.5))
    expect(page.locator("#versions")).to_contain_text("first version")
    first = _route(page)["t"]
    page.set_input_files("#file-version", str(write_music(tmp_path / "fixed.wav", level=0.5)))
    comparison = page.locator("#version-body .version-comparison")
    expect(comparison).to_be_visible()
    assert _route(page)["t"] != first, "the page moved to the new version"
    assert int(comparison.get_attribute("data-resolved") or "0") >= 1
    expect(page.locator(".version-group.resolved li").first).to_be_visible()
    expect(page.locator("#versions-title")).to_contain_text("v2")
    expect(page.locator(".version-figures tbody tr").first).to_be_visible()
    request_feedback(page, genre="pop")
    before = page.locator(ASSISTANT_DONE).count()
    page.click("#ask-fixed")
    expect(page.locator(ASSISTANT_DONE)).to_have_count(before + 1)
    expect(page.locator(ASSISTANT_DONE).last).to_contain_text("Version 2 against version 1")
    screenshot(page, "versions", at="#versions")
