"""Session rows, scoped to their owner like tracks are."""

from __future__ import annotations

from typing import Any

from services import domain
from services.errors import NotFound
from services.store.column_rows import first_row
from services.store.models import SessionModel
from services.store.pages import build_page, check_page_size, decode_cursor


def to_domain(row: SessionModel) -> domain.Session:
    return domain.Session(
        id=row.id,
        owner_id=row.owner_id,  # type: ignore[attr-defined]
        track_id=row.track_id,  # type: ignore[attr-defined]
        reference_track_id=row.reference_track_id,  # type: ignore[attr-defined]
        genre=row.genre,
        title=row.title,
        created_at=row.created_at,
        updated_at=row.updated_at,
        stage=domain.FeedbackType(row.stage) if row.stage else None,
        profile=domain.FeedbackProfile(row.profile) if row.profile else None,
    )


def session_not_found() -> NotFound:
    return NotFound("Session not found. Check the id, or list your sessions with the `sessions` query.")


async def _owned_row(owner_id: int, session_id: int) -> SessionModel:
    row = await SessionModel.get_or_none(id=session_id, owner_id=owner_id)
    if row is None:
        raise session_not_found()
    return row


async def create_session(
    *,
    owner_id: int,
    track_id: int,
    reference_track_id: int | None,
    genre: str,
    title: str,
    stage: domain.FeedbackType | None = None,
    profile: domain.FeedbackProfile | None = None,
) -> domain.Session:
    """Insert a session; the caller has already checked that both tracks belong to ``owner_id``."""
    row = await SessionModel.create(
        owner_id=owner_id,
        track_id=track_id,
        reference_track_id=reference_track_id,
        genre=genre,
        title=title,
        stage=None if stage is None else str(stage),
        profile=None if profile is None else str(profile),
    )
    return to_domain(row)


COLUMNS = (
    "id", "owner_id", "track_id", "reference_track_id", "genre", "title", "created_at", "updated_at", "stage",
    "profile",
)  # fmt: skip


async def get_session(*, owner_id: int, session_id: int) -> domain.Session:
    """Read as plain columns (``column_rows``): every session read starts here, and building the model object
    was most of its cost."""
    row = await first_row(SessionModel, columns=COLUMNS, id=session_id, owner_id=owner_id)
    if row is None:
        raise session_not_found()
    return session_of(row)


def session_of(row: dict[str, Any]) -> domain.Session:
    """The session in a row of ``COLUMNS``."""
    return domain.Session(
        id=row["id"],
        owner_id=row["owner_id"],
        track_id=row["track_id"],
        reference_track_id=row["reference_track_id"],
        genre=row["genre"],
        title=row["title"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        stage=domain.FeedbackType(row["stage"]) if row["stage"] else None,
        profile=domain.FeedbackProfile(row["profile"]) if row["profile"] else None,
    )


async def list_sessions(*, owner_id: int, first: int, after: str | None) -> domain.Page[domain.Session]:
    """Newest first."""
    check_page_size(first)
    after_id = decode_cursor("session", after)
    query = SessionModel.filter(owner_id=owner_id)
    if after_id is not None:
        query = query.filter(id__lt=after_id)
    rows = await query.order_by("-id").limit(first + 1)
    return build_page(rows, first=first, kind="session", after=after_id, row_id=lambda r: r.id, convert=to_domain)


async def rename_session(*, owner_id: int, session_id: int, title: str) -> domain.Session:
    row = await _owned_row(owner_id, session_id)
    row.title = title
    await row.save(update_fields=["title", "updated_at"])
    return to_domain(row)


async def set_session_choices(
    *,
    owner_id: int,
    session_id: int,
    genre: str | None,
    stage: domain.FeedbackType | None,
    profile: domain.FeedbackProfile | None,
) -> domain.Session:
    """Remember what the user chose for the session; a None leaves that choice as it was."""
    row = await _owned_row(owner_id, session_id)
    changed: list[str] = []
    for name, value in (("genre", genre), ("stage", stage), ("profile", profile)):
        if value is not None:
            setattr(row, name, str(value))
            changed.append(name)
    if changed:
        await row.save(update_fields=[*changed, "updated_at"])
    return to_domain(row)


async def delete_session(*, owner_id: int, session_id: int) -> None:
    """Delete the session; its messages cascade."""
    row = await _owned_row(owner_id, session_id)
    await row.delete()
