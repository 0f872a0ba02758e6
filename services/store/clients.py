"""Client rows: the owner identities. Tokens never reach the database, only their SHA-256."""

from __future__ import annotations

from services import domain
from services.store.models import ClientModel


async def create_client(*, token_hash: str) -> domain.Client:
    row = await ClientModel.create(token_hash=token_hash)
    return domain.Client(id=row.id, created_at=row.created_at)


async def client_id_for(*, token_hash: str) -> int | None:
    """The id of the client holding a token with this hash, or ``None``."""
    row = await ClientModel.get_or_none(token_hash=token_hash).only("id")
    return row.id if row is not None else None


async def token_hash_of(client_id: int) -> str | None:
    """The stored token hash of a client (the key material of its audio links), or ``None`` once it is gone."""
    row = await ClientModel.get_or_none(id=client_id).only("id", "token_hash")
    return row.token_hash if row is not None else None
