"""Versions of a track: the chain v1 → v2 → v3 that uploads with ``previousVersionId`` build, and what changed
from one version to the next (``services.diagnosis.versions``), judged at one genre and stage."""

from __future__ import annotations

from dataclasses import dataclass

from services import domain
from services.analysis.result import Analysis
from services.diagnosis import diagnose
from services.diagnosis.versions import VersionComparison, compare_versions
from services.errors import BadUserInput
from services.genres import clean_genre, match_genre
from services.store import tracks as store

MAX_VERSIONS = 50  # a chain longer than this is cut: no song has that many bounces worth listing


@dataclass(frozen=True)
class VersionDiff:
    """``current`` against ``previous``, both the caller's."""

    previous: domain.Track
    current: domain.Track
    comparison: VersionComparison


def _ready(track: domain.Track) -> Analysis:
    if track.status is not domain.TrackStatus.READY or track.analysis is None:
        raise BadUserInput(
            f"Version {track.version} is not analysed yet (status {track.status.value}); wait until it is READY."
        )
    return Analysis.model_validate(track.analysis)


class Versions:
    async def chain(self, *, owner_id: int, track_id: int) -> list[domain.Track]:
        """This track and the versions before it, oldest first (a deleted version ends the chain)."""
        track = await store.get_track(owner_id=owner_id, track_id=track_id)
        found = [track]
        while track.previous_version_id is not None and len(found) < MAX_VERSIONS:
            earlier = await store.get_track_any_owner(track.previous_version_id)
            if earlier is None or earlier.owner_id != owner_id:
                break
            found.append(earlier)
            track = earlier
        return found[::-1]

    async def compare(
        self,
        *,
        owner_id: int,
        track_id: int,
        genre: str | None,
        stage: domain.FeedbackType,
        previous_track_id: int | None = None,
    ) -> VersionDiff | None:
        """This version against its previous one (or ``previous_track_id``); None for a first version."""
        current = await store.get_track(owner_id=owner_id, track_id=track_id)
        earlier_id = previous_track_id if previous_track_id is not None else current.previous_version_id
        if earlier_id is None:
            return None
        previous = await store.get_track(owner_id=owner_id, track_id=earlier_id)
        before, after = _ready(previous), _ready(current)
        match = match_genre(clean_genre(genre) if genre is not None else None)
        comparison = compare_versions(
            before=before,
            after=after,
            before_report=diagnose(before, genre=match, stage=stage),
            after_report=diagnose(after, genre=match, stage=stage),
            before_version=previous.version,
            after_version=current.version,
        )
        return VersionDiff(previous=previous, current=current, comparison=comparison)
