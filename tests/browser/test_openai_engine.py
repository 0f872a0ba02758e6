"""The web app with the OpenAI-compatible engine, against the loopback fake OpenAI server.

- Streaming: the fake sends a few words, then pauses; the page must already show those words (rendered as
  Markdown) while the message is still STREAMING, then the rest when it completes.
- Retry: the fake fails the first request with a 500 (``llm_max_retries=0``, so the SDK does not retry by
  itself); the page shows the error in words and a Retry button that regenerates the answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pydantic import SecretStr

from api.settings import Settings
from tests.browser.flows import ASSISTANT_DONE, upload
from tests.browser.music import write_music
from tests.browser.pages import LAPTOP, Pages
from tests.fakes.openai_server import FakeOpenAIServer, Reply

pytestmark = pytest.mark.browser

ANSWER = "## Verdict\n\nThe low end is **heavy**: bring the sub down by 2.0 dB.\n\n- Check the kick\n- Check the bass"


@pytest.fixture
def fake_llm() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def app_settings(app_settings: Settings, fake_llm: FakeOpenAIServer) -> Settings:
    """The default app, but with the OpenAI-compatible engine pointed at the fake server."""
    return app_settings.model_copy(
        update={
            "llm": "openai",
            "openai_base_url": fake_llm.url,
            "openai_api_key": SecretStr("test-key"),
            "openai_model": "fake-gpt",
            "llm_max_retries": 0,
            "llm_timeout_s": 20.0,
        }
    )


def test_webapp_retry_regenerates_a_failed_answer(pages: Pages, fake_llm: FakeOpenAIServer, tmp_path: Path) -> None:
    fake_llm.push(Reply(status=500, error_message="upstream exploded"), Reply(text=ANSWER))
    page = pages.open(LAPTOP)
    upload(page, write_music(tmp_path / "mix.wav"))
    page.fill("#genre", "techno")
    page.click("#feedback-button")

    failed = page.locator("#thread li.role-assistant[data-status=FAILED]")
    expect(failed).to_have_count(1)
    expect(failed.locator(".msg-error")).to_contain_text("failed")
    expect(failed.locator(".msg-meta")).not_to_contain_text("answered by")  # said only on a completed answer
    retry = failed.get_by_role("button", name="Retry this answer")
    retry.focus()
    page.keyboard.press("Enter")  # keyboard-operable

    done = page.locator(ASSISTANT_DONE)
    expect(done).to_have_count(1)
    expect(done.locator(".msg-body h4")).to_have_text("Verdict")
    sizes = done.evaluate(
        "(el) => [el.querySelector('.msg-body h4'), el.querySelector('.msg-body li')]"
        ".map((e) => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes[0] > sizes[1], f"a heading in an answer is larger than its text: {sizes}"
    expect(done.locator(".msg-body strong")).to_have_text("heavy")
    expect(done.locator(".msg-body li")).to_have_count(2)
    expect(done.locator(".msg-meta")).to_contain_text("openai")
    expect(page.locator("#thread li.role-assistant[data-status=FAILED]")).to_have_count(0)
    assert len(fake_llm.requests) == 2


def test_webapp_renders_the_answer_while_it_streams(pages: Pages, fake_llm: FakeOpenAIServer, tmp_path: Path) -> None:
    # Three words, then the fake goes quiet for a while before the rest: long enough to see the partial answer.
    fake_llm.push(Reply(text="**Short version:** sub is heavy.\n\n" + ANSWER, stall_after=3, stall_s=6.0))
    page = pages.open(LAPTOP)
    upload(page, write_music(tmp_path / "mix.wav"))
    page.fill("#genre", "techno")
    page.click("#feedback-button")

    streaming = page.locator("#thread li.role-assistant[data-status=STREAMING]")
    expect(streaming.locator(".msg-body strong")).to_have_text("Short version:")
    expect(streaming).to_have_attribute("aria-busy", "true")
    assert "Verdict" not in streaming.locator(".msg-body").inner_text()

    done = page.locator(ASSISTANT_DONE)
    expect(done.locator(".msg-body h4")).to_have_text("Verdict")
    sizes = done.evaluate(
        "(el) => [el.querySelector('.msg-body h4'), el.querySelector('.msg-body li')]"
        ".map((e) => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert sizes[0] > sizes[1], f"a heading in an answer is larger than its text: {sizes}"
    expect(done.locator(".msg-meta")).to_contain_text("fake-gpt")
    assert done.get_attribute("aria-busy") is None
