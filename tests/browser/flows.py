"""Steps the browser tests share: drop a file on a drop zone, upload, ask for feedback, wait for answers."""

from __future__ import annotations

import base64
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

ASSISTANT_DONE = "#thread li.role-assistant[data-status=COMPLETE]"


def drop_file(page: Page, *, zone: str, path: Path) -> None:
    """Drag-and-drop ``path`` onto the drop zone ``zone`` ("main" or "reference") with a real DataTransfer."""
    page.evaluate(
        """([zone, name, b64]) => {
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: "audio/wav" }));
            const target = document.querySelector(`.drop[data-role="${zone}"]`);
            for (const type of ["dragenter", "dragover", "drop"]) {
                target.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
            }
        }""",
        [zone, path.name, base64.b64encode(path.read_bytes()).decode("ascii")],
    )


def upload(page: Page, main: Path, reference: Path | None = None) -> None:
    """Choose the files with the file inputs, upload, and wait until the analysis is drawn."""
    page.goto("/")
    page.set_input_files("#file-main", str(main))
    if reference is not None:
        page.set_input_files("#file-ref", str(reference))
    page.click("#upload-button")
    expect(page.locator("#analysis")).to_be_visible()


def open_tab(page: Page, name: str) -> None:
    """On a phone, show the workspace tab ``name`` (overview, charts, findings, coach); wider, every pane shows."""
    tab = page.locator(f"#tab-{name}")
    if tab.is_visible():
        tab.click()


def request_feedback(page: Page, *, genre: str, stage: str = "MIXDOWN", profile: str = "DETAILED") -> Locator:
    """Fill the feedback form, submit it, and return the finished assistant message."""
    open_tab(page, "coach")
    page.fill("#genre", genre)
    page.select_option("#stage", stage)
    page.select_option("#profile", profile)
    page.click("#feedback-button")
    answer = page.locator(ASSISTANT_DONE).first
    expect(answer).to_be_visible()
    return answer


def ask(page: Page, question: str) -> Locator:
    """Type a follow-up question, send it, and return the answer that follows it once it is complete."""
    open_tab(page, "coach")
    before = page.locator(ASSISTANT_DONE).count()
    page.fill("#question", question)
    page.click("#ask-button")
    expect(page.locator(ASSISTANT_DONE)).to_have_count(before + 1)
    return page.locator(ASSISTANT_DONE).last
