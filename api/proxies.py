"""Trusted proxies: the client address comes from ``X-Forwarded-For`` only when the peer is a proxy we trust.

uvicorn's own proxy handling trusts ``X-Forwarded-For`` from 127.0.0.1 unless told otherwise (``proxy_headers``
defaults on, ``forwarded_allow_ips`` to ``FORWARDED_ALLOW_IPS`` or loopback), so anyone on the host could spoof
their address past the per-address ``createClient`` limit. The app therefore resolves the address itself, from
``MIXCOACH_TRUSTED_PROXIES`` (default: nobody), whichever server runs it; ``mixcoach serve`` and the tests turn
uvicorn's handling off (``proxy_headers=False``). Run uvicorn by hand with ``--no-proxy-headers``.
"""

from __future__ import annotations

import ipaddress

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send


class TrustedProxies:
    """ASGI middleware rewriting ``scope["client"]`` (and the scheme) from headers set by trusted proxies."""

    def __init__(self, app: ASGIApp, *, trusted: list[str]) -> None:
        self.app = app
        self._trust_all = "*" in trusted
        self._networks = [ipaddress.ip_network(entry, strict=False) for entry in trusted if entry != "*"]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and (self._trust_all or self._networks):
            scope = self._resolved(scope)
        await self.app(scope, receive, send)

    def trusts(self, host: str) -> bool:
        if self._trust_all:
            return True
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in self._networks)

    def _resolved(self, scope: Scope) -> Scope:
        client = scope.get("client")
        if not client or not self.trusts(client[0]):
            return scope
        headers = Headers(scope=scope)
        hops = [hop.strip() for value in headers.getlist("x-forwarded-for") for hop in value.split(",")]
        host = client[0]
        # Walk back from the nearest hop: the first address we do not trust is the client.
        for hop in reversed([hop for hop in hops if hop]):
            host = hop
            if not self.trusts(hop):
                break
        scope = dict(scope, client=(host, 0))
        proto = headers.get("x-forwarded-proto", "").split(",")[-1].strip().lower()
        if scope["type"] == "http" and proto in ("http", "https"):
            scope["scheme"] = proto
        elif scope["type"] == "websocket" and proto in ("http", "https", "ws", "wss"):
            scope["scheme"] = "wss" if proto in ("https", "wss") else "ws"
        return scope
