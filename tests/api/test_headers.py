"""Security headers on every HTTP response: the page, static files, the API, errors and 404s alike."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.headers import APP_POLICY, CONTENT_SECURITY_POLICY
from api.settings import Settings

INDEX = Path(__file__).resolve().parents[2] / "api" / "static" / "index.html"


@pytest.fixture
async def http(tmp_path: Path, live_server: Callable[[Settings], Any]) -> AsyncIterator[httpx.AsyncClient]:
    """Headers do not depend on the database: one SQLite server is enough."""
    settings = Settings(
        _env_file=None, data_dir=tmp_path / "data", database_url=f"sqlite://{tmp_path / 'db.sqlite3'}", llm="builtin"
    )
    async with httpx.AsyncClient(base_url=live_server(settings).url, timeout=60) as client:
        yield client


def _policy(response: httpx.Response) -> dict[str, str]:
    """The CSP header as directive -> sources."""
    directives = (d.strip().split(" ", 1) for d in response.headers["content-security-policy"].split(";"))
    return {d[0]: d[1] if len(d) > 1 else "" for d in directives if d[0]}


async def test_headers_on_every_kind_of_response(http: httpx.AsyncClient) -> None:
    responses = [
        await http.get("/"),
        await http.get("/app.css"),
        await http.get("/js/main.js"),
        await http.get("/healthz"),
        await http.get("/no-such-page"),
        await http.post("/graphql", json={"query": "{ __typename }"}),
        await http.post("/graphql", json={"query": "{ nope }"}),  # a GraphQL error
        await http.post("/graphql", content=b"x", headers={"content-type": "multipart/form-data; boundary=x"}),
        await http.get("/graphql", headers={"Accept": "text/html"}),  # GraphiQL, with its own policy
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 404, 200, 200, 400, 200]
    for response in responses:
        assert response.headers["x-content-type-options"] == "nosniff", response.url
        assert response.headers["referrer-policy"] == "no-referrer", response.url
        assert response.headers["x-frame-options"] == "DENY", response.url
        policy = _policy(response)
        assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'", response.url
        assert "'unsafe-inline'" not in policy["script-src"] and "*" not in policy["default-src"], response.url
    assert [r.headers["content-security-policy"] for r in responses[:-1]] == [CONTENT_SECURITY_POLICY] * 8


async def test_headers_page_policy_matches_its_meta_tag(http: httpx.AsyncClient) -> None:
    """The meta tag (which cannot carry frame-ancestors) and the header say the same."""
    meta = re.search(r'http-equiv="Content-Security-Policy"\s+content="([^"]+)"', INDEX.read_text(encoding="utf-8"))
    assert meta is not None and meta.group(1) == APP_POLICY
    page = await http.get("/")
    assert page.headers["content-security-policy"] == f"{APP_POLICY}; frame-ancestors 'none'"


async def test_headers_leave_websockets_alone(http: httpx.AsyncClient) -> None:
    """The middleware only touches HTTP: a WebSocket upgrade still reaches GraphQL (it asks for a token)."""
    from tests.graphql_client import ws_session

    async with ws_session(str(http.base_url).rstrip("/"), token=None) as ws:
        with pytest.raises(Exception) as refused:
            await ws.recv()
    assert refused.value.rcvd.code == 4403  # type: ignore[attr-defined]
