"""What a client has used, read from the database (the truth for quotas): its STREAMING messages, the bytes of its
tracks, and the usage ledger of counted actions; plus the per-client lock that makes a quota check and the write
it admits one transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from tortoise.expressions import Q
from tortoise.functions import Count, Sum
from tortoise.transactions import in_transaction

from services.store.models import ClientModel, MessageModel, MessageStatus, TrackModel, UsageModel

KEEP_FOR = timedelta(days=1)  # the longest quota window; older ledger rows count for nothing


@asynccontextmanager
async def exclusive(owner_id: int) -> AsyncIterator[None]:
    """A transaction holding the client's row lock, so checks and writes for one client run one at a time.

    PostgreSQL: ``SELECT ... FOR NO KEY UPDATE`` on the client row blocks a second admission for the same client
    (from any process) until the first commits; under READ COMMITTED its counts then see the first one's rows.
    ``NO KEY`` (weaker than ``FOR UPDATE``) still lets other requests insert rows referencing the client (a
    ``createSession``, say) without waiting for the lock.
    SQLite: Tortoise runs a transaction with its single connection locked, so transactions in this process are
    serial anyway; ``FOR UPDATE`` is not emitted there, so the row is not read at all (the read locked nothing and
    was one more round trip while holding the only connection). Code in the block uses the transaction implicitly.
    """
    async with in_transaction():
        if ClientModel._meta.db.capabilities.dialect != "sqlite":
            await ClientModel.select_for_update(no_key=True).filter(id=owner_id).only("id").first()
        yield


async def streaming_count(owner_id: int) -> int:
    """Assistant and summary messages of this client being generated now."""
    return await MessageModel.filter(status=MessageStatus.STREAMING, session__owner_id=owner_id).count()


async def stored_bytes(owner_id: int) -> int:
    """The sum of the client's tracks' sizes (a duplicate upload counts again: it is another track)."""
    rows = await TrackModel.filter(owner_id=owner_id).annotate(total=Sum("size_bytes")).values("total")
    total = rows[0]["total"] if rows else None
    return int(total or 0)


async def counts_since(*, owner_id: int, kind: str, since: Sequence[datetime]) -> list[int]:
    """How many actions of ``kind`` happened since each of ``since``, in one query."""
    counts = {f"since_{i}": Count("id", _filter=Q(created_at__gte=start)) for i, start in enumerate(since)}
    rows = (
        await UsageModel.filter(client_id=owner_id, kind=kind, created_at__gte=min(since))
        .annotate(**counts)
        .values(*counts)
    )
    return [int(rows[0][name] or 0) if rows else 0 for name in counts]


async def nth_since(*, owner_id: int, kind: str, since: datetime, n: int) -> datetime | None:
    """When the ``n``-th (from 0) oldest counted action since ``since`` happened."""
    row = (
        await UsageModel.filter(client_id=owner_id, kind=kind, created_at__gte=since)
        .order_by("created_at", "id")
        .offset(n)
        .only("created_at")
        .first()
    )
    return None if row is None else row.created_at


async def record(*, owner_id: int, kind: str, at: datetime) -> None:
    """Count one action, and prune this client's rows of that kind that no window needs any more."""
    await UsageModel.filter(client_id=owner_id, kind=kind, created_at__lt=at - KEEP_FOR).delete()
    await UsageModel.create(client_id=owner_id, kind=kind, created_at=at)
