"""GraphiQL at GET /graphql loads nothing from a CDN: every asset is served by the app, byte-identical to what
Strawberry's template pins (its SRI hashes hold), with its licence alongside."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from api.graphiql import ASSETS, ASSETS_PATH
from api.settings import Settings

TAG = re.compile(r"<(script|link)\b([^>]*)>", re.DOTALL)
ATTRIBUTE = re.compile(r'([\w-]+)(?:="([^"]*)")?')
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@pytest.fixture
async def http(tmp_path: Path, live_server: Callable[[Settings], Any]) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        _env_file=None, data_dir=tmp_path / "data", database_url=f"sqlite://{tmp_path / 'db.sqlite3'}", llm="builtin"
    )
    async with httpx.AsyncClient(base_url=live_server(settings).url, timeout=60) as client:
        yield client


async def _page(http: httpx.AsyncClient) -> httpx.Response:
    response = await http.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "GraphiQL" in response.text
    return response


def _assets(html: str) -> list[dict[str, str]]:
    """The attributes of every <script src> and <link href> in the page."""
    tags = [dict((k, v or "") for k, v in ATTRIBUTE.findall(attrs)) for _, attrs in TAG.findall(html)]
    return [t for t in tags if t.get("src") or (t.get("href") and not t["href"].startswith("data:"))]


async def test_graphiql_references_no_other_host(http: httpx.AsyncClient) -> None:
    html = (await _page(http)).text
    without_data_urls = re.sub(r'"data:[^"]*"', '""', html)  # an inline SVG icon names its XML namespace
    hosts = {urlsplit(url).netloc for url in re.findall(r"(?:https?:)?//[^\s\"'<>)]+", without_data_urls)}
    assert hosts <= {urlsplit(str(http.base_url)).netloc}, hosts
    assert "unpkg" not in html and "cdn" not in html.lower()


async def test_graphiql_every_asset_is_served_and_matches_its_integrity_hash(http: httpx.AsyncClient) -> None:
    assets = _assets((await _page(http)).text)
    assert len(assets) == len(ASSETS)  # every pinned script and stylesheet, each now local
    for asset in assets:
        url = asset.get("src") or asset["href"]
        assert url.startswith(f"{ASSETS_PATH}/"), url
        response = await http.get(url)
        assert response.status_code == 200, url
        kind = "javascript" if url.endswith(".js") else "css"
        assert kind in response.headers["content-type"], (url, response.headers["content-type"])
        algorithm, _, expected = asset["integrity"].partition("-")
        digest = base64.b64encode(hashlib.new(algorithm, response.content).digest()).decode()
        assert digest == expected, f"{url} does not match the template's integrity hash"


async def test_graphiql_assets_carry_their_licences(http: httpx.AsyncClient) -> None:
    folders = {local.split("/")[0] for local in ASSETS.values()}
    assert folders == {"react", "react_dom", "js_cookie", "graphiql", "plugin_explorer"}
    for folder in folders:
        licence = await http.get(f"{ASSETS_PATH}/{folder}/LICENSE")
        assert licence.status_code == 200 and "MIT License" in licence.text, folder


async def test_graphiql_policy_allows_only_its_own_inline_script(http: httpx.AsyncClient) -> None:
    page = await _page(http)
    policy = page.headers["content-security-policy"]
    scripts = INLINE_SCRIPT.findall(page.text)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    script_src = next(d for d in policy.split(";") if d.strip().startswith("script-src")).split()[1:]
    assert script_src == ["'self'", f"'sha256-{digest}'"]
    assert "frame-ancestors 'none'" in policy and "connect-src 'self'" in policy
