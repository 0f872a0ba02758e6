"""Client identities and bearer tokens.

A token is 32 random bytes, URL-safe; only its SHA-256 is stored, so a database leak does not leak credentials.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

from services import domain
from services.errors import Unauthenticated
from services.runtime.limits import RateLimiter
from services.store import clients as store

TOKEN_CACHE_S = 30.0
"""How long a verified token is trusted without asking the database again. Clients are never deleted and a
token never changes owner, so a cached answer can only be stale by being missing, never by being wrong."""
TOKEN_CACHE_ENTRIES = 10_000

_HOW_TO = "Call the `createClient` mutation and send its token as `Authorization: Bearer <token>`."


@dataclass(frozen=True)
class Credentials:
    client: domain.Client
    token: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Clients:
    def __init__(self, *, limiter: RateLimiter) -> None:
        self._limiter = limiter
        # token hash -> (client id, verified at): one lookup per token per TOKEN_CACHE_S instead of one per request
        self._verified: OrderedDict[str, tuple[int, float]] = OrderedDict()

    async def create(self, *, requester: str) -> Credentials:
        """A new client and its token; ``requester`` (the caller's address) is rate-limited."""
        await self._limiter.hit(requester)
        token = secrets.token_urlsafe(32)
        client = await store.create_client(token_hash=hash_token(token))
        return Credentials(client=client, token=token)

    async def authenticate(self, authorization: str | None) -> int:
        """The client id for an ``Authorization`` header value (or a WebSocket ``authorization`` field)."""
        if not authorization:
            raise Unauthenticated(f"Authentication required. {_HOW_TO}")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated(f"The authorization must have the form `Bearer <token>`. {_HOW_TO}")
        token_hash = hash_token(token.strip())
        now = time.monotonic()
        cached = self._verified.get(token_hash)
        if cached is not None and now - cached[1] < TOKEN_CACHE_S:
            return cached[0]
        client_id = await store.client_id_for(token_hash=token_hash)
        if client_id is None:  # unknown tokens are not cached: a token created a moment later must work at once
            raise Unauthenticated(f"The token is not valid. {_HOW_TO}")
        self._verified[token_hash] = (client_id, now)
        self._verified.move_to_end(token_hash)
        while len(self._verified) > TOKEN_CACHE_ENTRIES:
            self._verified.popitem(last=False)
        return client_id
