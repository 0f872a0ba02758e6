"""Track rows: ownership-scoped reads and the state changes of an analysis.

Every read that a client triggers filters on ``owner_id``, so another client's track is indistinguishable from a
missing one (both raise ``NotFound``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from services import domain
from services.errors import NotFound
from services.store.models import TrackModel
from services.store.pages import build_page, check_page_size, decode_cursor

_PENDING = (domain.TrackStatus.QUEUED, domain.TrackStatus.ANALYZING)


def _now() -> datetime:
    """``QuerySet.update`` skips ``auto_now``, so state changes stamp ``updated_at`` themselves."""
    return datetime.now(UTC)


def to_domain(row: TrackModel) -> domain.Track:
    return domain.Track(
        id=row.id,
        owner_id=row.owner_id,  # type: ignore[attr-defined]
        name=row.name,
        original_filename=row.original_filename,
        content_hash=row.content_hash,
        size_bytes=row.size_bytes,
        format=row.format,
        duration_s=row.duration_s,
        sample_rate_hz=row.sample_rate_hz,
        channels=row.channels,
        status=row.status,
        progress=row.progress,
        error_code=row.error_code,
        error_message=row.error_message,
        analysis=row.analysis,
        analysis_schema_version=row.analysis_schema_version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        previous_version_id=row.previous_version_id,  # type: ignore[attr-defined]
    )


def track_not_found() -> NotFound:
    return NotFound("Track not found. Check the id, or list your tracks with the `tracks` query.")


async def _owned_row(owner_id: int, track_id: int) -> TrackModel:
    row = await TrackModel.get_or_none(id=track_id, owner_id=owner_id)
    if row is None:
        raise track_not_found()
    return row


async def create_track(
    *,
    owner_id: int,
    name: str,
    original_filename: str,
    content_hash: str,
    size_bytes: int,
    info: domain.AudioFileInfo,
    reuse: domain.Track | None = None,
    previous: domain.Track | None = None,
) -> domain.Track:
    """Insert a track, QUEUED for analysis unless ``reuse`` carries a finished analysis of the same content; with
    ``previous`` it is that track's next version."""
    row = await TrackModel.create(
        owner_id=owner_id,
        name=name,
        original_filename=original_filename,
        content_hash=content_hash,
        size_bytes=size_bytes,
        format=info.format,
        duration_s=info.duration_s,
        sample_rate_hz=info.sample_rate_hz,
        channels=info.channels,
        status=domain.TrackStatus.READY if reuse else domain.TrackStatus.QUEUED,
        progress=1.0 if reuse else 0.0,
        analysis=reuse.analysis if reuse else None,
        analysis_schema_version=reuse.analysis_schema_version if reuse else None,
        previous_version_id=previous.id if previous else None,
        version=previous.version + 1 if previous else 1,
    )
    return to_domain(row)


async def get_track(*, owner_id: int, track_id: int) -> domain.Track:
    return to_domain(await _owned_row(owner_id, track_id))


async def get_track_any_owner(track_id: int) -> domain.Track | None:
    """For the analysis runner, which acts for the server rather than a client."""
    row = await TrackModel.get_or_none(id=track_id)
    return to_domain(row) if row is not None else None


async def list_tracks(*, owner_id: int, first: int, after: str | None) -> domain.Page[domain.Track]:
    """Newest first."""
    check_page_size(first)
    after_id = decode_cursor("track", after)
    query = TrackModel.filter(owner_id=owner_id)
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    rows = await query.order_by("-id").limit(first + 1)
    return build_page(rows, first=first, kind="track", after=after_id, row_id=lambda r: r.id, convert=to_domain)


async def find_ready_duplicate(*, owner_id: int, content_hash: str) -> domain.Track | None:
    """A finished analysis of the same content by the same client, so an upload can reuse it."""
    row = (
        await TrackModel.filter(owner_id=owner_id, content_hash=content_hash, status=domain.TrackStatus.READY)
        .order_by("-id")
        .first()
    )
    return to_domain(row) if row is not None else None


async def rename_track(*, owner_id: int, track_id: int, name: str) -> domain.Track:
    row = await _owned_row(owner_id, track_id)
    row.name = name
    await row.save(update_fields=["name", "updated_at"])
    return to_domain(row)


async def delete_track(*, owner_id: int, track_id: int) -> domain.Track:
    """Delete the row (its sessions and their messages cascade) and return what it was."""
    row = await _owned_row(owner_id, track_id)
    track = to_domain(row)
    await row.delete()
    return track


async def count_with_hash(content_hash: str) -> int:
    """How many tracks, of any client, still reference this stored audio."""
    return await TrackModel.filter(content_hash=content_hash).count()


async def claim_tracks(*, owner: str, track_ids: Iterable[int], lease: timedelta) -> list[int]:
    """Take (or renew) the lease on pending tracks for the instance ``owner``: only tracks with no lease, a lapsed
    one, or its own. One conditional UPDATE a track, so of two instances claiming one track exactly one wins."""
    now = _now()
    free = Q(lease_owner__isnull=True) | Q(lease_owner=owner) | Q(lease_until__lt=now)
    claimed = []
    for track_id in track_ids:
        updated = await TrackModel.filter(Q(id=track_id), Q(status__in=_PENDING), free).update(
            lease_owner=owner, lease_until=now + lease
        )
        if updated:
            claimed.append(track_id)
    return claimed


async def claim_abandoned_tracks(*, owner: str, lease: timedelta, unleased_grace: timedelta) -> list[int]:
    """Pending tracks no live instance holds, claimed for ``owner``, oldest first: their lease lapsed (its instance
    died or stopped), or they have had none for ``unleased_grace`` since their row was written (a track is stored a
    moment before its instance takes the lease, so a fresh upload on another instance is left alone)."""
    now = _now()
    lapsed = Q(lease_until__lt=now)
    never = Q(lease_owner__isnull=True) & Q(updated_at__lt=now - unleased_grace)
    rows = await TrackModel.filter(Q(status__in=_PENDING), lapsed | never).order_by("id").only("id")
    claimed = []
    for row in rows:  # the condition again in each UPDATE: another instance may have claimed it meanwhile
        updated = await TrackModel.filter(Q(id=row.id), Q(status__in=_PENDING), lapsed | never).update(
            lease_owner=owner, lease_until=now + lease
        )
        if updated:
            claimed.append(row.id)
    return claimed


async def release_tracks(*, owner: str, track_ids: Iterable[int]) -> None:
    """A stopping instance lets its unfinished tracks go: the lease lapses now, so the next start takes them."""
    ids = list(track_ids)
    if ids:
        # its own, or still unleased (queued here a moment ago, stopped before its task claimed it)
        mine = Q(lease_owner=owner) | Q(lease_owner__isnull=True)
        await TrackModel.filter(Q(id__in=ids), mine).update(
            lease_owner=owner, lease_until=_now() - timedelta(seconds=1)
        )


async def mark_analyzing(track_id: int) -> domain.Track | None:
    """Claim a QUEUED (or a dead worker's ANALYZING) track; None if it is gone or already finished, so a second
    job for the same track does nothing."""
    updated = await TrackModel.filter(id=track_id, status__in=_PENDING).update(
        status=domain.TrackStatus.ANALYZING, progress=0.0, error_code=None, error_message=None, updated_at=_now()
    )
    return await get_track_any_owner(track_id) if updated else None


async def set_progress(track_id: int, progress: float) -> None:
    await TrackModel.filter(id=track_id, status=domain.TrackStatus.ANALYZING).update(
        progress=progress, updated_at=_now()
    )


async def mark_ready(*, track_id: int, analysis: dict[str, object], schema_version: int) -> domain.Track | None:
    updated = await TrackModel.filter(id=track_id).update(
        status=domain.TrackStatus.READY,
        progress=1.0,
        analysis=analysis,
        analysis_schema_version=schema_version,
        updated_at=_now(),
    )
    return await get_track_any_owner(track_id) if updated else None


async def mark_failed(*, track_id: int, code: str, message: str) -> domain.Track | None:
    updated = await TrackModel.filter(id=track_id).update(
        status=domain.TrackStatus.FAILED, error_code=code, error_message=message, updated_at=_now()
    )
    return await get_track_any_owner(track_id) if updated else None
