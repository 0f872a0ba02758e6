"""Browser fixtures: Debian's Chromium driven by Playwright (sync API), a live app per test, request auditing.

- Chromium is ``/usr/bin/chromium`` (or ``MIXCOACH_CHROMIUM``); Playwright never downloads a browser here. Without
  it the tests skip with the reason, unless ``MIXCOACH_REQUIRE_BROWSER=1`` (``.ci/run``), where they fail.
- ``app_settings`` / ``app_url``: ``create_app`` on a fresh SQLite file and data dir, offline ``builtin`` LLM, a
  summary every two follow-up answers, served by the shared ``live_server`` fixture (uvicorn in a thread, a real
  socket). A test module can override either fixture.
- ``open_page(width)``: a new browser context at that viewport width; every HTTP request and WebSocket the page
  makes is recorded, and teardown fails the test if any went to a host other than the app's own.
- Screenshots go to ``test-artifacts/screenshots/`` (gitignored) through ``screenshot(page, name)``; when a test
  fails, each open page's screenshot and HTML go to ``test-artifacts/failures/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from api.settings import Settings
from tests.browser.pages import Audit, Pages

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# Waits, not timing assertions: analysis and generation share a small CI machine, so be patient.
expect.set_options(timeout=90_000)


def _chromium_path() -> str | None:
    configured = os.environ.get("MIXCOACH_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser"):
        if Path(candidate).is_file():
            return candidate
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = _chromium_path()
    if path is None:
        where = os.environ.get("MIXCOACH_CHROMIUM") or "/usr/bin/chromium"
        reason = f"Chromium not found at {where} (install it with `make browser`, i.e. apt-get install chromium)"
        if os.environ.get("MIXCOACH_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}; MIXCOACH_REQUIRE_BROWSER=1 makes the browser tests mandatory")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    # Module scope, not session: the sync API keeps its event loop running in this thread while Playwright is
    # started, so it must stop before pytest-asyncio runs the async tests of other folders.
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=tmp_path / "data",
        database_url=f"sqlite://{tmp_path / 'mixcoach.sqlite3'}",
        llm="builtin",
        summary_every=2,  # the full flow asks two follow-ups, so a summary joins the thread
        analysis_workers=2,
        create_client_per_minute=50,
        # The long-history test seeds 100+ answers through the API at once; quotas have their own tests.
        concurrent_generations=200,
        generations_per_hour=1000,
        generations_per_day=5000,
    )


@pytest.fixture
def app_url(app_settings: Settings, live_server: Callable[[Settings], object]) -> str:
    url: str = live_server(app_settings).url  # type: ignore[attr-defined]
    return url


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Remember whether the test body failed, so ``pages`` can keep evidence of what the browser showed."""
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[FAILED] = report.failed
    return report


def _keep_evidence(opened: Pages, name: str) -> None:
    """On failure: a full-page screenshot and the HTML of every open page, plus the URLs requested."""
    folder = ARTIFACTS.parent / "failures"
    folder.mkdir(parents=True, exist_ok=True)
    for i, page in enumerate(p for context in opened.contexts for p in context.pages):
        page.screenshot(path=str(folder / f"{name}-{i}.png"), full_page=True)
        (folder / f"{name}-{i}.html").write_text(page.content(), encoding="utf-8")
    (folder / f"{name}-requests.txt").write_text("\n".join(opened.audit.urls), encoding="utf-8")


@pytest.fixture
def pages(browser: Browser, app_url: str, request: pytest.FixtureRequest) -> Iterator[Pages]:
    """Open pages with ``pages.open(width)``; teardown closes them and audits where they connected."""
    opened = Pages(browser=browser, app_url=app_url, audit=Audit(origin=app_url))
    try:
        yield opened
        if request.node.stash.get(FAILED, False):
            _keep_evidence(opened, request.node.name)
    finally:
        for context in opened.contexts:
            context.close()
    assert opened.audit.urls, "the page made no requests at all"
    assert opened.audit.foreign() == [], f"requests left the app's origin: {opened.audit.foreign()}"
    assert opened.audit.page_errors == [], f"uncaught errors in the page: {opened.audit.page_errors}"


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """Save a PNG named after the test and the view into test-artifacts/screenshots/: the full page, or with
    ``at`` (a selector) just the viewport scrolled to that element."""

    def take(page: Page, name: str, *, at: str | None = None) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"] if page.viewport_size else 0
        path = ARTIFACTS / f"{request.node.name}-{name}-{width}px.png"
        if at is not None:
            page.locator(at).evaluate("(el) => el.scrollIntoView({ block: 'start' })")
        page.screenshot(path=str(path), full_page=at is None)
        return path

    return take
