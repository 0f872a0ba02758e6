"""The web app end to end in headless Chromium: upload, charts, feedback streaming, follow-up, reload, history."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from services.genres import get_genre
from tests.browser.flows import ASSISTANT_DONE, request_feedback, upload
from tests.browser.music import write_music
from tests.browser.pages import LAPTOP, PHONE, Pages

pytestmark = pytest.mark.browser

Shot = Callable[..., Path]  # screenshot(page, name, *, at=None)


def _points(page: Page, selector: str) -> int:
    return int(page.locator(selector).get_attribute("data-points") or "0")


def test_webapp_upload_draws_the_analysis(pages: Pages, tmp_path: Path, screenshot: Shot) -> None:
    page = pages.open(LAPTOP)
    upload(page, write_music(tmp_path / "mix.wav"))

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


def test_webapp_broken_file_is_reported_in_words(pages: Pages, tmp_path: Path) -> None:
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot really audio" * 50)
    page = pages.open(LAPTOP)
    page.goto("/")
    page.set_input_files("#file-main", str(broken))
    page.click("#upload-button")

    error = page.locator("#error")
    expect(error).to_be_visible()
    words = error.inner_text()
    assert len(words.split()) >= 4, f"the error should be a sentence, got {words!r}"
    assert "undefined" not in words and "[object" not in words
    expect(page.locator("#status .status-row")).to_have_attribute("data-state", "failed")
    expect(page.locator("#analysis")).to_be_hidden()


def test_webapp_markdown_renderer_escapes_html(pages: Pages) -> None:
    page = pages.open(LAPTOP)
    page.goto("/")
    cases = [
        "<script>window.__pwned = 1</script>",
        '<img src=x onerror="window.__pwned = 2">',
        "**bold <b>x</b>** and `<i>code</i>`",
        "# Heading <svg onload=alert(1)>\n\n- item <a href='javascript:x'>y</a>",
    ]
    rendered: list[dict[str, Any]] = page.evaluate(
        """async (cases) => {
            const { setMarkdown } = await import("/js/markdown.js");
            return cases.map((text) => {
                const box = document.createElement("div");
                setMarkdown(box, text);
                document.body.append(box);
                const els = [...box.querySelectorAll("*")];
                const result = {
                    html: box.innerHTML,
                    text: box.textContent,
                    tags: els.map((e) => e.tagName.toLowerCase()),
                    attributes: els.reduce((n, e) => n + e.attributes.length, 0),
                };
                box.remove();
                return result;
            });
        }""",
        cases,
    )
    for out in rendered:
        assert set(out["tags"]) <= {"p", "strong", "em", "code", "h3", "ul", "li", "br"}, out
        assert out["attributes"] == 0, out
    assert rendered[0]["text"] == cases[0]
    assert rendered[1]["text"] == cases[1]
    assert (
        rendered[2]["html"]
        == "<p><strong>bold &lt;b&gt;x&lt;/b&gt;</strong> and <code>&lt;i&gt;code&lt;/i&gt;</code></p>"
    )
    assert rendered[3]["tags"] == ["h3", "ul", "li"]
    assert page.evaluate("() => window.__pwned") is None


def test_webapp_every_control_has_a_label_and_visible_focus(pages: Pages) -> None:
    page = pages.open(PHONE)
    page.goto("/")
    unlabeled = page.evaluate(
        """() => [...document.querySelectorAll("input, select, textarea")]
            .filter((el) => el.type !== "hidden" && el.labels.length === 0 && !el.getAttribute("aria-label"))
            .map((el) => el.id || el.name)"""
    )
    assert unlabeled == []
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    focused = page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            return { tag: el.tagName, outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
        }"""
    )
    assert focused["tag"] in {"A", "BUTTON", "INPUT"}
    assert focused["outline"] != "none" and focused["width"] >= 2, focused


def test_webapp_replaces_a_rejected_token(pages: Pages) -> None:
    page = pages.open(LAPTOP)
    page.goto("/")
    page.evaluate("() => window.localStorage.setItem('mixcoach.token', 'not-a-real-token')")
    page.reload()
    # The history query is refused (UNAUTHENTICATED), so the page creates a new client and retries.
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => (localStorage.getItem('mixcoach.token') || 'not-a-real-token') !== 'not-a-real-token'"
    )
    expect(page.locator("#history-empty")).to_have_text("No sessions yet. Ask for feedback on a track to start one.")
    expect(page.locator("#error")).to_be_hidden()
    assert page.locator("#history-list li").count() == 0


def test_webapp_marks_clipping_on_the_loudness_timeline(pages: Pages, tmp_path: Path) -> None:
    page = pages.open(LAPTOP)
    upload(page, write_music(tmp_path / "hot.wav", level=2.5))  # peaks pushed 8 dB past full scale

    chart = page.locator("#chart-loudness svg")
    clip_marks = chart.locator("rect.marker.clip")
    stored = page.evaluate(
        """async () => {
            const { gql } = await import("/js/auth.js");
            const { readRoute } = await import("/js/route.js");
            const q = `query($id: ID!) { track(id: $id) { analysis {
                clipping { clipSpans { count } overSpans { count } } } } }`;
            return (await gql(q, { id: readRoute().track })).track.analysis.clipping;
        }"""
    )
    # Every merged span is drawn (not only the first events), clipping and overs each in their own lane and colour.
    assert clip_marks.count() == len(stored["clipSpans"]) >= 1
    assert chart.locator("rect.marker.over").count() == len(stored["overSpans"]) >= 1
    counts = [int(c) for c in clip_marks.evaluate_all("(els) => els.map((e) => e.dataset.count)")]
    assert counts == [s["count"] for s in stored["clipSpans"]]
    assert "Clipping at" in (clip_marks.first.locator("title").text_content() or "")
    colours = page.evaluate(
        """() => ["clip", "over"].map((k) => {
            const el = document.querySelector(`#chart-loudness rect.marker.${k}`);
            const style = getComputedStyle(el);
            return [style.fill, style.stroke, el.getAttribute("y")];
        })"""
    )
    assert colours[0] != colours[1], f"clip and over spans look alike: {colours}"
    assert chart.locator("rect.section").count() >= 1, "section bands are drawn behind the curve"
    peak = page.locator('[data-key="loudness.true_peak_dbtp"] .value').inner_text()
    assert not peak.startswith("\u2212"), f"a hard-clipped track has a true peak at or above 0 dBTP, shown {peak}"
    expect(
        page.locator("#findings .finding[data-severity=CRITICAL], #findings .finding[data-severity=MAJOR]").first
    ).to_be_visible()


def test_webapp_status_row_reports_upload_then_ready(pages: Pages, tmp_path: Path) -> None:
    page = pages.open(LAPTOP)
    # Record every state the status row takes, with its bar value and words, as the page sets them.
    page.add_init_script(
        """window.__progress = [];
        new MutationObserver(() => {
            const row = document.querySelector(".status-row");
            if (!row) return;
            const entry = [row.dataset.state, row.querySelector("progress").value,
                           row.querySelector(".status-words").textContent];
            const last = window.__progress[window.__progress.length - 1];
            if (!last || last.join() !== entry.join()) window.__progress.push(entry);
        }).observe(document, { subtree: true, attributes: true, characterData: true, childList: true });"""
    )
    upload(page, write_music(tmp_path / "song.wav", seconds=30.0))
    seen: list[list[Any]] = page.evaluate("() => window.__progress")
    states = [state for state, _, _ in seen]
    assert "uploading" in states, seen
    assert any(words.startswith("Uploading") or words.startswith("Uploaded") for _, _, words in seen), seen
    assert states[-1] == "ready" and seen[-1][2] == "Analysis ready."


def test_webapp_status_row_words_for_each_stage(pages: Pages) -> None:
    """The row's words and bar for each trackEvents state, driven directly (analysis is too quick to watch)."""
    page = pages.open(PHONE)
    page.goto("/")
    steps: list[list[Any]] = page.evaluate(
        """async () => {
            const { statusRow } = await import("/js/views/tracking.js");
            const row = statusRow("Track: song.wav");
            document.body.append(row.el);
            const bar = row.el.querySelector("progress");
            const read = () => [row.el.dataset.state, bar.hasAttribute("value") ? bar.value : null,
                                row.el.querySelector(".status-words").textContent];
            const out = [];
            row.setUpload(0.25); out.push(read());
            row.setTrack({ status: "QUEUED", progress: 0 }); out.push(read());
            row.setTrack({ status: "ANALYZING", progress: 0.4 }, "loudness"); out.push(read());
            row.setTrack({ status: "FAILED", progress: 0.4, errorMessage: "The file is shorter than 1 s." });
            out.push(read());
            row.el.remove();
            return out;
        }"""
    )
    assert steps[0] == ["uploading", 0.25, "Uploading… 25 %"]
    assert steps[1] == ["queued", None, "Queued for analysis…"]  # an indeterminate bar while it waits
    assert steps[2] == ["analyzing", 0.4, "Analysing: loudness… 40 %"]
    assert steps[3][0] == "failed" and steps[3][2] == "Analysis failed: The file is shorter than 1 s."


def test_webapp_reference_upload_at_phone_width(pages: Pages, tmp_path: Path, screenshot: Shot) -> None:
    main = write_music(tmp_path / "mix.wav")
    reference = write_music(tmp_path / "reference.wav", seed=3, level=0.9, brightness=2.0, bpm=128.0)
    page = pages.open(PHONE)
    page.goto("/")
    screenshot(page, "upload")
    upload(page, main, reference)

    rows = page.locator("#status .status-row")
    expect(rows).to_have_count(2)
    for i in range(2):
        expect(rows.nth(i)).to_have_attribute("data-state", "ready")
    spectrum = page.locator("#chart-spectrum svg")
    assert (spectrum.locator("path[data-series=reference]").get_attribute("d") or "").startswith("M")
    assert (spectrum.locator("path[data-series=track]").get_attribute("d") or "").startswith("M")
    expect(spectrum.locator("desc")).to_contain_text("level-matched")
    assert page.locator("#chart-stereo line.ref-tick").count() >= 7, "reference ticks on the stereo charts"
    expect(page.locator('[data-key="loudness.integrated_lufs"]')).to_contain_text("reference")
    assert "&r=" in page.url
    no_sideways_scroll = page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert no_sideways_scroll, "the page fits a phone screen"
    screenshot(page, "analysis")

    request_feedback(page, genre="techno")
    titles = page.locator("#findings .finding-title").all_inner_texts()
    assert any("reference" in title for title in titles), f"findings compare with the reference: {titles}"
    screenshot(page, "feedback")

    page.reload()  # the session remembers its reference track
    expect(page.locator(ASSISTANT_DONE)).to_have_count(1)
    expect(page.locator("#analysis-subtitle")).to_contain_text("reference: reference.wav")
    assert (spectrum.locator("path[data-series=reference]").get_attribute("d") or "").startswith("M")


def test_webapp_spectrum_target_zone_is_the_band_moved_into_range(pages: Pages) -> None:
    """The zone is the band's own curve shifted by (target - measured): server numbers only, nothing invented."""
    page = pages.open(LAPTOP)
    page.goto("/")
    zones: list[dict[str, Any]] = page.evaluate(
        """async () => {
            const { targetZones } = await import("/js/charts/target.js");
            const third = [{ center_hz: 1000, level_db: -30 }, { center_hz: 1250, level_db: -30 },
                           { center_hz: 100, level_db: -3 }];
            const levels = [{ band: "mid", value: -20 }, { band: "bass", value: -4 }];
            const targets = new Map([["mid", { low: -12, high: -8, unit: "dB" }],
                                     ["bass", { low: null, high: -6, unit: "dB" }],
                                     ["air", { low: -20, high: -10, unit: "dB" }]]);
            return targetZones(third, levels, targets);
        }"""
    )
    assert zones == [
        {"band": "mid", "f0": 500, "f1": 2000, "low": -22, "high": -18},
        {"band": "bass", "f0": 60, "f1": 250, "low": None, "high": -5},
    ]  # "air" has no measurement here, so no zone


def _zones(page: Page) -> list[dict[str, Any]]:
    rects = page.locator("#chart-spectrum rect.target-zone")
    found: list[dict[str, Any]] = rects.evaluate_all(
        """els => els.map((e) => ({ band: e.dataset.band, low: Number(e.dataset.low), high: Number(e.dataset.high),
                                    x: Number(e.getAttribute("x")), width: Number(e.getAttribute("width")) }))"""
    )
    return found


def _genre_bands(name: str) -> dict[str, list[float]]:
    """The genre's band ranges (calibration.json widened as genres.json says), as the catalogue loads them."""
    bands = get_genre(name).targets.band_levels_db
    return {band: [rng.low or 0.0, rng.high or 0.0] for band, rng in bands.items()}


def test_webapp_spectrum_genre_target_spans_every_band(pages: Pages, tmp_path: Path) -> None:
    """Choosing a genre shades its target for all bands, side by side from 20 Hz to 20 kHz, with the data's widths."""
    page = pages.open(LAPTOP)
    upload(page, write_music(tmp_path / "mix.wav"))
    for genre in ("techno", "jazz"):
        expected = _genre_bands(genre)
        page.fill("#genre", genre)
        page.dispatch_event("#genre", "change")
        zones = page.locator("#chart-spectrum rect.target-zone")
        expect(zones).to_have_count(len(expected))
        # Zones redraw when the findings for this genre arrive; wait for this genre's widths, then check them all.
        expect(page.locator("#findings")).to_contain_text(f"Judged as {genre}")
        drawn = _zones(page)
        assert sorted(z["band"] for z in drawn) == sorted(expected)
        for zone in drawn:
            low, high = expected[zone["band"]]
            assert zone["high"] - zone["low"] == pytest.approx(high - low, abs=0.02), zone
        ordered = sorted(drawn, key=lambda z: z["x"])
        for left, right in zip(ordered, ordered[1:], strict=False):
            assert right["x"] == pytest.approx(left["x"] + left["width"], abs=0.5), "zones leave no gap"
    legend = page.locator("#chart-spectrum svg").text_content() or ""
    assert "genre target" in legend and "flagged" not in legend
