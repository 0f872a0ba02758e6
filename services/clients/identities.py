"""Client identities and bearer tokens.

A token is 32 random bytes, URL-safe; only its SHA-256 is stored, so a database leak does not leak credentials.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from services import domain
from services.errors import Unauthenticated
from services.runtime.limits import RateLimiter
from services.store import clients as store

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
        client_id = await store.client_id_for(token_hash=hash_token(token.strip()))
        if client_id is None:
            raise Unauthenticated(f"The token is not valid. {_HOW_TO}")
        return client_id
