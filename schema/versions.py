"""Versions as GraphQL: ``Track.version``, ``Track.versions`` and ``Track.versionComparison`` (what changed since
the previous version: figures side by side, findings resolved / new / still there, band and section deltas)."""

from __future__ import annotations

import strawberry

from schema.context import Info
from schema.findings import BandDelta, Finding
from schema.ids import decode_optional_id, encode_id
from services import domain
from services.diagnosis.versions import FigureChange as DomainFigure
from services.diagnosis.versions import SectionDelta as DomainSection
from services.tracks.versions import VersionDiff


@strawberry.type
class FigureChange:
    key: str = strawberry.field(description='Analysis key, e.g. "loudness.integrated_lufs".')
    label: str
    unit: str
    before: float | None
    after: float | None
    delta: float | None = strawberry.field(description="After minus before; null when either is missing.")

    @classmethod
    def from_domain(cls, f: DomainFigure) -> FigureChange:
        return cls(key=f.key, label=f.label, unit=f.unit, before=f.before, after=f.after, delta=f.delta)


@strawberry.type
class FindingChange:
    """A finding flagged in both versions, worded with each version's figures."""

    before: Finding
    after: Finding


@strawberry.type
class SectionDelta:
    index: int
    label: str
    start_s: float
    end_s: float
    loudness_delta_lu: float | None
    side_to_mid_delta_db: float | None
    band_deltas_db: list[BandDelta] = strawberry.field(
        description="Per band, the change of its level relative to the section's total, dB."
    )

    @classmethod
    def from_domain(cls, s: DomainSection) -> SectionDelta:
        bands = [BandDelta(band=b, delta_db=d) for b, d in s.band_deltas_db.items()]
        return cls(index=s.index, label=s.label, start_s=s.start_s, end_s=s.end_s,
                   loudness_delta_lu=s.loudness_delta_lu, side_to_mid_delta_db=s.side_to_mid_delta_db,
                   band_deltas_db=bands)  # fmt: skip


@strawberry.type
class VersionComparison:
    """This version against the previous one, both judged at the same genre and stage."""

    previous_track_id: strawberry.ID
    previous_version: int
    version: int
    figures: list[FigureChange] = strawberry.field(description="Headline figures side by side.")
    resolved: list[Finding] = strawberry.field(description="Flagged on the previous version, gone now.")
    new: list[Finding] = strawberry.field(description="Not flagged on the previous version.")
    still: list[FindingChange] = strawberry.field(description="Flagged on both.")
    band_deltas_db: list[BandDelta] = strawberry.field(
        description="Per band, the change of its level relative to the whole mix, dB (after minus before)."
    )
    sections: list[SectionDelta] = strawberry.field(description="Sections matched by order.")

    @classmethod
    def from_domain(cls, diff: VersionDiff) -> VersionComparison:
        c = diff.comparison
        return cls(
            previous_track_id=strawberry.ID(encode_id("Track", diff.previous.id)),
            previous_version=diff.previous.version,
            version=diff.current.version,
            figures=[FigureChange.from_domain(f) for f in c.figures],
            resolved=[Finding.from_domain(f) for f in c.resolved],
            new=[Finding.from_domain(f) for f in c.new],
            still=[
                FindingChange(before=Finding.from_domain(x.before), after=Finding.from_domain(x.after)) for x in c.still
            ],
            band_deltas_db=[BandDelta(band=b, delta_db=d) for b, d in c.band_deltas_db.items()],
            sections=[SectionDelta.from_domain(s) for s in c.sections],
        )


async def version_comparison(
    track_id: int,
    info: Info,
    *,
    genre: str | None,
    stage: domain.FeedbackType,
    previous_track_id: strawberry.ID | None,
) -> VersionComparison | None:
    """The resolver behind ``Track.versionComparison``."""
    owner_id = info.context.require_client()
    diff = await info.context.services.versions.compare(
        owner_id=owner_id,
        track_id=track_id,
        genre=genre,
        stage=stage,
        previous_track_id=decode_optional_id(previous_track_id, type_name="Track"),
    )
    return None if diff is None else VersionComparison.from_domain(diff)


async def version_chain(track_id: int, info: Info) -> list[domain.Track]:
    """The resolver behind ``Track.versions``: domain tracks, converted by the caller (``Track`` lives above)."""
    owner_id = info.context.require_client()
    return await info.context.services.versions.chain(owner_id=owner_id, track_id=track_id)
