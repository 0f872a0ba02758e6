"""Trusted proxies: ``X-Forwarded-For`` counts only from peers in ``MIXCOACH_TRUSTED_PROXIES`` (none by default)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from starlette.types import Receive, Scope, Send

from api.proxies import TrustedProxies
from api.settings import Settings
from tests.graphql_client import CREATE_CLIENT, error_codes


async def _create_clients(url: str, forwarded_for: list[str]) -> list[list[str]]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        bodies = [
            (await http.post("/graphql", json={"query": CREATE_CLIENT}, headers={"X-Forwarded-For": ip})).json()
            for ip in forwarded_for
        ]
    return [error_codes(body) for body in bodies]


async def test_proxies_spoofed_forwarded_for_does_not_bypass_the_create_client_limit(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    server = live_server(settings.model_copy(update={"create_client_per_minute": 2}))
    codes = await _create_clients(server.url, ["198.51.100.1", "198.51.100.2", "198.51.100.3"])
    assert codes == [[], [], ["RATE_LIMITED"]]  # all counted against 127.0.0.1, the real peer


async def test_proxies_trusted_loopback_uses_the_forwarded_address(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    update = {"create_client_per_minute": 2, "trusted_proxies": ["127.0.0.1"]}
    server = live_server(settings.model_copy(update=update))
    assert await _create_clients(server.url, ["198.51.100.1", "198.51.100.2", "198.51.100.3"]) == [[], [], []]
    same = await _create_clients(server.url, ["203.0.113.9"] * 3)
    assert same == [[], [], ["RATE_LIMITED"]]


async def _client_seen(trusted: list[str], peer: str, forwarded_for: str | None) -> tuple[str, str]:
    seen: list[tuple[str, str]] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append((scope["client"][0], scope["scheme"]))

    headers = [(b"x-forwarded-for", forwarded_for.encode()), (b"x-forwarded-proto", b"https")] if forwarded_for else []
    scope = {"type": "http", "client": (peer, 5000), "scheme": "http", "headers": headers}

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        return None

    await TrustedProxies(app, trusted=trusted)(scope, receive, send)
    return seen[0]


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded_for", "expected"),
    [
        ([], "127.0.0.1", "198.51.100.7", ("127.0.0.1", "http")),
        (["10.0.0.0/8"], "192.0.2.1", "198.51.100.7", ("192.0.2.1", "http")),  # the peer is not a proxy we trust
        (["127.0.0.1"], "127.0.0.1", "198.51.100.7", ("198.51.100.7", "https")),
        # The client may send its own X-Forwarded-For: only the hop our proxy appended is believed.
        (["127.0.0.1", "10.0.0.0/8"], "127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3", ("198.51.100.7", "https")),
        (["*"], "192.0.2.1", "198.51.100.7", ("198.51.100.7", "https")),
        (["127.0.0.1"], "127.0.0.1", None, ("127.0.0.1", "http")),
    ],
)
async def test_proxies_resolve_the_client_from_the_nearest_untrusted_hop(
    trusted: list[str], peer: str, forwarded_for: str | None, expected: tuple[str, str]
) -> None:
    assert await _client_seen(trusted, peer, forwarded_for) == expected


def test_proxies_setting_accepts_a_list_or_commas_and_refuses_nonsense() -> None:
    parsed = Settings(_env_file=None, trusted_proxies=" 127.0.0.1, 10.0.0.0/8 ")
    assert parsed.trusted_proxies == ["127.0.0.1", "10.0.0.0/8"]
    assert Settings(_env_file=None, trusted_proxies='["::1"]').trusted_proxies == ["::1"]
    assert Settings(_env_file=None).trusted_proxies == []
    with pytest.raises(ValidationError, match="does not appear to be an IPv4 or IPv6"):
        Settings(_env_file=None, trusted_proxies="localhost")
