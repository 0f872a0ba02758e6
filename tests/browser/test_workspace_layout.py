"""The workspace in Chromium: the track header, the coach beside the charts, focus and announcements after each
action, explorable charts, choices restored from the server, phone tabs, History's tracks, dark mode.

Two uploads in all (one per test), so the additions stay cheap; screenshots at 390, 1280 and 1920 px."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.flows import ASSISTANT_DONE, open_tab, upload
from tests.browser.music import write_music
from tests.browser.pages import LAPTOP, PHONE, WIDE, Pages

pytestmark = pytest.mark.browser

Shot = Callable[..., Path]  # screenshot(page, name, *, at=None)


def _in_view(page: Page, selector: str) -> bool:
    return bool(
        page.locator(selector).evaluate(
            "(el) => { const r = el.getBoundingClientRect(); return r.top < window.innerHeight && r.bottom > 0; }"
        )
    )


def _focused_message(page: Page) -> str | None:
    return page.evaluate("() => document.activeElement && document.activeElement.dataset.messageId || null")  # type: ignore[no-any-return]


def _explore_charts(page: Page) -> None:
    """Read-out from the keyboard, timeline zoom, a legend toggle, fixed ranges, grouped targets, tables."""
    timeline = page.locator("#chart-loudness svg")
    timeline.focus()
    page.keyboard.press("ArrowRight")
    assert re.fullmatch(r"\d:\d\d · (\u2212?\d+\.\d LUFS|silence)", timeline.get_attribute("data-readout") or "")
    whole = timeline.get_attribute("data-view") or ""
    timeline.locator("g.legend[data-toggle=target]").click()  # hidden targets stay hidden through a zoom
    timeline.focus()
    page.keyboard.press("+")
    zoomed = page.locator("#chart-loudness svg")
    expect(zoomed).to_be_focused()  # the redrawn chart keeps the keyboard
    t0, t1 = (float(v) for v in (zoomed.get_attribute("data-view") or "").split("-"))
    w0, w1 = (float(v) for v in whole.split("-"))
    assert t1 - t0 < w1 - w0
    expect(page.locator("#zoom-state")).not_to_have_text("Whole track")
    expect(zoomed.locator("line.target").first).to_have_attribute("data-off", "")
    page.click("#zoom-reset")
    expect(page.locator("#chart-loudness svg")).to_have_attribute("data-view", whole)
    expect(page.locator("#zoom-in")).to_be_focused()  # the disabled button handed the focus on

    labels = page.locator("#chart-loudness .target-label").all_text_contents()
    assert any(re.fullmatch(r"\u221214 LUFS: Spotify, .+", label) for label in labels), labels
    toggle = page.locator("#chart-spectrum g.legend[data-toggle=main]")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#chart-spectrum path[data-series=track]")).to_have_attribute("data-off", "")
    page.keyboard.press(" ")
    expect(page.locator("#chart-spectrum path[data-series=track]")).not_to_have_attribute("data-off", "")
    ticks = page.locator("#chart-spectrum .layer-labels text.tick[text-anchor=end]").all_text_contents()
    assert ticks[0] == "\u221260" and ticks[-1] == "0", f"the spectrum keeps its fixed range: {ticks}"

    for table in ("#table-loudness", "#table-spectrum", "#table-bands"):
        page.locator(f"{table} summary").focus()
        page.keyboard.press("Enter")
        expect(page.locator(f"{table} tbody tr").nth(6)).to_be_visible()
        page.keyboard.press("Enter")  # and folded again


def test_workspace_focus_charts_and_choices_restored(pages: Pages, tmp_path: Path, screenshot: Shot) -> None:
    page = pages.open(LAPTOP)
    upload(page, write_music(tmp_path / "song.wav"))
    # The form folds into the track header, and the keyboard goes to the new content.
    expect(page.locator("#track-header")).to_be_visible()
    expect(page.locator("#upload-panel")).to_be_hidden()
    expect(page.locator("#track-title")).to_be_focused()
    expect(page.locator("#announcer")).to_contain_text("Analysis of song.wav ready")
    expect(page.locator("#new-version")).to_be_visible()  # the versions hook, mounted by workspace/versions.js
    expect(page.locator("#findings .finding").first).to_be_visible()
    copy = page.locator("#findings").inner_text()
    assert "_" not in copy and " count" not in copy and not re.search(r"\d\.0 Hz|(\d:\d\d)\u2013\1\b", copy), copy

    charts = page.locator("#pane-charts").bounding_box()
    coach = page.locator("#coach").bounding_box()
    assert charts and coach and coach["x"] >= charts["x"] + charts["width"] - 1, "the coach sits beside the charts"
    assert coach["y"] < charts["y"] + charts["height"], (charts, coach)
    _explore_charts(page)

    page.fill("#genre", "techno")
    page.select_option("#stage", "MASTERING")
    page.select_option("#profile", "PRO")
    page.click("#feedback-button")
    expect(page.locator(ASSISTANT_DONE)).to_have_count(1)
    first = page.locator("#thread li.role-assistant").first
    assert _focused_message(page) == first.get_attribute("data-message-id"), "focus moved to the new answer"
    assert _in_view(page, "#thread li.role-assistant")
    expect(page.locator("#announcer")).to_have_text("Your feedback is ready.")
    expect(first.locator(".msg-meta")).to_contain_text("answered by the builtin")

    page.fill("#question", "Where is the loudest part?")
    page.click("#ask-button")
    expect(page.locator(ASSISTANT_DONE)).to_have_count(2)
    expect(page.locator("#question")).to_be_focused()  # focus stays where the user asked
    expect(page.locator("#announcer")).to_have_text("New answer from mixcoach.")
    assert _in_view(page, f"{ASSISTANT_DONE} >> nth=1"), "the new answer is scrolled into view"

    # A later change of stage is stored with the session: a reload restores all three choices.
    page.select_option("#stage", "MASTER_REVIEW")
    expect(page.locator("#history-list a").first).to_contain_text("master review")
    screenshot(page, "workspace", at="#track-header")
    page.set_viewport_size({"width": WIDE, "height": 1080})
    page.wait_for_function("() => document.querySelector('#chart-loudness svg').viewBox.baseVal.width > 900")
    screenshot(page, "workspace", at="#track-header")
    page.reload()
    expect(page.locator(ASSISTANT_DONE)).to_have_count(2)
    expect(page.locator("#stage")).to_have_value("MASTER_REVIEW")
    expect(page.locator("#profile")).to_have_value("PRO")
    expect(page.locator("#genre")).to_have_value("techno")
    expect(page.locator("#findings-summary")).to_contain_text("master review")

    page.click("#new-upload")  # a new track starts with no genre
    expect(page.locator("#genre")).to_have_value("")
    expect(page.locator("#file-main")).to_be_focused()


def test_workspace_phone_tabs_dark_mode_and_history_tracks(pages: Pages, tmp_path: Path, screenshot: Shot) -> None:
    page = pages.open(PHONE, color_scheme="dark")
    broken = tmp_path / "broken-ref.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio" * 50)
    upload(page, write_music(tmp_path / "demo.wav", seed=5), broken)
    # A reference that fails does not hide the good track, and its error is said once (the row points to it).
    expect(page.locator("#error")).to_contain_text("The reference could not be analysed")
    expect(page.get_by_text(re.compile("could not be analysed|Unreadable audio"))).to_have_count(1)
    expect(page.locator("#status .status-row").nth(1)).to_contain_text("Failed (the reason is shown above).")
    assert "&r=" not in page.url
    background = page.evaluate("() => getComputedStyle(document.body).backgroundColor")
    channels = [int(c) for c in re.findall(r"\d+", background)[:3]]
    assert max(channels) < 60, f"dark mode follows the system: body is {background}"
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), "fits a phone"

    tabs = page.locator("#tabs [role=tab]")
    expect(tabs).to_have_count(4)
    expect(page.locator("#pane-overview")).to_be_visible()
    expect(page.locator("#pane-charts")).to_be_hidden()
    open_tab(page, "charts")
    expect(page.locator("#pane-charts")).to_be_visible()
    expect(page.locator("#pane-overview")).to_be_hidden()
    expect(page.locator("#tab-charts")).to_have_attribute("aria-selected", "true")
    width = page.locator("#chart-loudness svg").evaluate("(el) => el.viewBox.baseVal.width")
    assert width <= PHONE, "charts are redrawn at the phone's width when their tab opens"
    screenshot(page, "charts", at="#tabs")
    page.keyboard.press("ArrowRight")  # arrow keys move between tabs, as in the ARIA tabs pattern
    expect(page.locator("#tab-findings")).to_be_focused()
    expect(page.locator("#pane-findings")).to_be_visible()
    page.keyboard.press("End")
    expect(page.locator("#tab-coach")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#coach")).to_be_visible()
    expect(page.locator("#analysis")).to_be_hidden()
    screenshot(page, "coach", at="#tabs")

    # An upload without feedback is in History as a track: rename it, then delete it (twice: it asks first).
    row = page.locator("#history-tracks li").filter(has_text="demo.wav")
    expect(row).to_have_count(1)
    row.locator("button.rename").click()
    box = page.locator("#history-tracks input.rename-input")
    expect(box).to_be_focused()
    box.fill("Demo, take two")
    box.press("Enter")
    renamed = page.locator("#history-tracks li a").filter(has_text="Demo, take two")
    expect(renamed).to_be_focused()
    delete = page.locator("#history-tracks li").filter(has_text="Demo, take two").locator("button.delete")
    delete.click()
    expect(delete).to_have_text("Delete?")
    delete.click()
    expect(page.locator("#history-tracks li").filter(has_text="Demo, take two")).to_have_count(0)
    expect(page.locator("#analysis")).to_be_hidden()  # the page forgets the track it showed
    expect(page.locator("#history-title")).to_be_focused()
