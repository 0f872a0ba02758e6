"""Findings and grounding as GraphQL types, plus the field resolvers ``Track.findings``, ``Message.findings`` and
``Message.grounding``. The types mirror ``services.diagnosis`` and ``services.coaching.grounding`` one to one."""

from __future__ import annotations

from typing import Any

import strawberry

from schema.analysis import Section
from schema.context import Info
from schema.ids import decode_optional_id
from schema.targets import GenreTargets, TargetRange
from services import domain
from services.coaching.grounding import Grounding as DomainGrounding
from services.coaching.suggestions import suggested_questions
from services.diagnosis import Finding as DomainFinding
from services.diagnosis import FindingReport as DomainReport
from services.diagnosis import ReferenceComparison as DomainComparison
from services.diagnosis import Severity
from services.diagnosis import Verdict as DomainVerdict
from services.diagnosis.finding import fmt
from services.genres import GenreMatch as DomainGenreMatch

strawberry.enum(Severity)


@strawberry.type
class Measure:
    key: str
    label: str
    value: float | None
    unit: str

    @strawberry.field(  # type: ignore[untyped-decorator]
        description='The value as shown to people: "74", "9.0 kHz", "-9.4 LUFS"; "—" if not measured.'
    )
    def text(self) -> str:
        return "—" if self.value is None else fmt(self.value, self.unit)


@strawberry.type
class TimeSpan:
    start_s: float
    end_s: float


@strawberry.type
class Finding:
    id: str = strawberry.field(description='Stable slug, e.g. "loudness.too_quiet".')
    area: str = strawberry.field(description="loudness | dynamics | tonal | stereo | bass | transients | clipping | qc")
    severity: Severity
    title: str
    detail: str
    measured: list[Measure]
    target: TargetRange | None
    time_ranges: list[TimeSpan] = strawberry.field(
        description="Where it happens: events merged into spans over the whole track (seconds from the start), "
        "the first 20 of them; moreSpans counts the rest."
    )
    evidence: list[str] = strawberry.field(description='Analysis keys used, e.g. "loudness.integrated_lufs".')
    event_count: int | None = strawberry.field(
        description="How many events the spans hold (clip runs, true-peak overs, out-of-phase stretches), when "
        "countable."
    )
    more_spans: int = strawberry.field(description='Spans beyond timeRanges, shown as "and N more".')

    @classmethod
    def from_domain(cls, f: DomainFinding) -> Finding:
        return cls(
            id=f.id,
            area=f.area,
            severity=f.severity,
            title=f.title,
            detail=f.detail,
            measured=[Measure(key=m.key, label=m.label, value=m.value, unit=m.unit) for m in f.measured],
            target=TargetRange.from_domain(f.target),
            time_ranges=[TimeSpan(start_s=t.start_s, end_s=t.end_s) for t in f.time_ranges],
            evidence=list(f.evidence),
            event_count=f.event_count,
            more_spans=f.more_spans,
        )


@strawberry.type
class GenreMatch:
    genre: str
    label: str
    subgenre: str | None
    matched: bool
    note: str | None

    @classmethod
    def from_domain(cls, m: DomainGenreMatch) -> GenreMatch:
        return cls(genre=m.name, label=m.genre.label, subgenre=m.subgenre, matched=m.matched, note=m.note)


@strawberry.type
class BandDelta:
    band: str
    delta_db: float


@strawberry.type
class ReferenceComparison:
    """Track minus reference, after turning the reference by ``matchedGainDb`` to the track's loudness."""

    matched_gain_db: float
    loudness_delta_lu: float
    band_deltas_db: list[BandDelta]
    side_to_mid_delta_db: float | None = strawberry.field(
        description="Width difference, track minus reference, in dB of side level relative to mid (the bounded "
        "width unit: -60 dB is mono, about -10 dB a typical mix, 0 dB side as loud as mid); positive: the track is "
        "wider."
    )
    plr_delta_db: float | None
    lra_delta_lu: float | None
    low_end_side_to_mid_delta_db: float | None = strawberry.field(
        description="The same below about 120 Hz (side relative to mid in the low end), dB; positive: the track's "
        "low end is wider."
    )
    low_end_correlation_delta: float | None
    true_peak_delta_db: float | None
    reference_integrated_lufs: float | None = strawberry.field(
        description="The reference's own integrated loudness (LUFS), before matching."
    )
    reference_true_peak_dbtp: float | None = strawberry.field(
        description="The reference's own true peak (dBTP), before matching."
    )

    @classmethod
    def from_domain(cls, c: DomainComparison | None) -> ReferenceComparison | None:
        if c is None:
            return None
        fields: dict[str, Any] = {k: v for k, v in vars(c).items() if k != "band_deltas_db"}
        bands = [BandDelta(band=b, delta_db=d) for b, d in c.band_deltas_db.items()]
        return cls(band_deltas_db=bands, **fields)


@strawberry.type
class Blocker:
    """A delivery defect that keeps the master from being ready."""

    finding_id: str = strawberry.field(description="The id of the finding that reports the defect.")
    reason: str


@strawberry.type
class Verdict:
    """Whether the master can be delivered. Only delivery defects decide (overs, clipping, lossy, upsampled or
    band-limited sources, sample rate or bit depth below 44.1 kHz / 16-bit, mono or dual-mono content in a stereo
    file, DC offset, clicks or digital silence at the ends, polarity); taste never blocks."""

    ready: bool
    blockers: list[Blocker]

    @classmethod
    def from_domain(cls, v: DomainVerdict | None) -> Verdict | None:
        if v is None:
            return None
        return cls(ready=v.ready, blockers=[Blocker(finding_id=b.finding_id, reason=b.reason) for b in v.blockers])


@strawberry.type
class FindingReport:
    genre: GenreMatch
    type: domain.FeedbackType
    findings: list[Finding]
    reference: ReferenceComparison | None
    targets: GenreTargets = strawberry.field(
        description="The matched genre's targets at this stage: the ranges these findings were judged against."
    )
    suggested_questions: list[str] = strawberry.field(
        description="Follow-up questions these findings raise, worst first (a session's own list also leaves out "
        "what was already asked: Session.suggestedQuestions)."
    )
    verdict: Verdict | None = strawberry.field(
        description="The delivery check: set for MASTER_REVIEW, null at other stages."
    )
    sections: list[Section] = strawberry.field(
        description="The track's sections with their own figures (loudness LUFS, band levels dB relative to the "
        "section's total, width as side-to-mid dB, correlation), labelled for the genre's form (Genre.form): "
        '"drop" only in EDM genres, never verse/chorus/drop in orchestral, classical or ambient music.'
    )

    @classmethod
    def from_domain(cls, r: DomainReport) -> FindingReport:
        return cls(
            suggested_questions=suggested_questions(r.findings),
            genre=GenreMatch.from_domain(r.genre),
            type=r.stage,
            findings=[Finding.from_domain(f) for f in r.findings],
            reference=ReferenceComparison.from_domain(r.reference),
            targets=GenreTargets.for_genre(r.genre.genre, r.stage),
            verdict=Verdict.from_domain(r.verdict),
            sections=[Section.from_pydantic(x) for x in r.sections],
        )


@strawberry.type
class GroundedNumber:
    text: str
    value: float
    unit: str
    source: str | None = strawberry.field(description="Where the number was found, e.g. an analysis key.")


@strawberry.type
class Grounding:
    traced: list[GroundedNumber]
    untraced: list[GroundedNumber]
    contradictions: list[str] = strawberry.field(
        description="Moves that go against their finding (a boost for too much, the level up for too loud)."
    )
    fully_grounded: bool

    @classmethod
    def from_domain(cls, g: DomainGrounding) -> Grounding:
        def rows(items: list[Any]) -> list[GroundedNumber]:
            return [GroundedNumber(text=n.text, value=n.value, unit=n.unit, source=n.source) for n in items]

        return cls(
            traced=rows(g.traced),
            untraced=rows(g.untraced),
            contradictions=list(g.contradictions),
            fully_grounded=g.fully_grounded,
        )


def message_findings(record: domain.Message) -> list[Finding] | None:
    """``Message.findings``: the findings stored on a FEEDBACK message."""
    if record.findings is None:
        return None
    return [Finding.from_domain(DomainFinding.from_dict(raw)) for raw in record.findings]


def message_grounding(record: domain.Message) -> Grounding | None:
    """``Message.grounding``: what the answer's numbers could and could not be traced to."""
    return None if record.grounding is None else Grounding.from_domain(DomainGrounding.from_dict(record.grounding))


async def track_findings(
    track_id: int,
    info: Info,
    genre: str | None,
    type: domain.FeedbackType,
    reference_track_id: strawberry.ID | None,
) -> FindingReport:
    """``Track.findings(genre, type, referenceTrackId)``."""
    owner_id = info.context.require_client()
    report = await info.context.services.feedback.findings(
        owner_id=owner_id,
        track_id=track_id,
        genre=genre,
        stage=type,
        reference_track_id=decode_optional_id(reference_track_id, type_name="Track"),
    )
    return FindingReport.from_domain(report)
