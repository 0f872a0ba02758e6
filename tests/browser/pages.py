"""Pages opened for a test, and the audit of every URL they touched (the app must talk only to its own origin)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from playwright.sync_api import Browser, BrowserContext, Page

PHONE = 390
LAPTOP = 1280
WIDE = 1920


@dataclass
class Audit:
    """Every URL the page asked for (HTTP and WebSocket), and uncaught page errors."""

    origin: str
    urls: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def foreign(self) -> list[str]:
        """URLs whose host:port differs from the app's (data: URLs carry no host and never leave the page)."""
        own = urlsplit(self.origin).netloc
        return [u for u in self.urls if not u.startswith("data:") and urlsplit(u).netloc != own]


@dataclass
class Pages:
    browser: Browser
    app_url: str
    audit: Audit
    contexts: list[BrowserContext] = field(default_factory=list)

    def open(self, width: int, *, height: int = 900, color_scheme: Literal["light", "dark"] = "light") -> Page:
        context = self.browser.new_context(
            viewport={"width": width, "height": height}, base_url=self.app_url, color_scheme=color_scheme
        )
        context.set_default_timeout(120_000)  # analysis and streaming run on a shared CI machine
        self.contexts.append(context)
        page = context.new_page()
        page.on("request", lambda request: self.audit.urls.append(request.url))
        page.on("websocket", lambda ws: self.audit.urls.append(ws.url))
        page.on("pageerror", lambda error: self.audit.page_errors.append(str(error)))
        return page
