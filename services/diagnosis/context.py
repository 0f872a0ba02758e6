"""What every rule reads: the analysis, the stage-adjusted targets and small builders for findings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from services.analysis.result import Analysis, BandValue, EventSpan, Section
from services.diagnosis.finding import MAX_SPANS, Measure, TimeSpan, rounded
from services.domain import FeedbackType
from services.genres import Genre, GenreMatch, Range, StageRules, Targets, stage_rules

BAND_LABELS = {
    "sub": "sub (20-60 Hz)",
    "bass": "bass (60-250 Hz)",
    "low_mid": "low mids (250-500 Hz)",
    "mid": "mids (500 Hz-2 kHz)",
    "high_mid": "upper mids (2-4 kHz)",
    "presence": "presence (4-6 kHz)",
    "air": "air (6-20 kHz)",
}


@dataclass(frozen=True)
class Context:
    analysis: Analysis
    genre: GenreMatch
    stage: FeedbackType
    rules: StageRules
    targets: Targets

    @property
    def is_master(self) -> bool:
        return self.stage is not FeedbackType.MIXDOWN

    @property
    def is_review(self) -> bool:
        return self.stage is FeedbackType.MASTER_REVIEW


def _shift(rng: Range, offset: float) -> Range:
    if offset == 0:
        return rng
    return replace(
        rng,
        low=None if rng.low is None else rng.low + offset,
        high=None if rng.high is None else rng.high + offset,
    )


def stage_targets(genre: GenreMatch, stage: FeedbackType) -> Targets:
    """The matched genre's master targets adjusted for the stage (what the findings judge against)."""
    return genre_stage_targets(genre.genre, stage)


def genre_stage_targets(genre: Genre, stage: FeedbackType) -> Targets:
    """A catalogue genre's master targets adjusted for the stage (a mixdown: its own loudness window, more dynamics).

    The one place stage rules reach the targets, so findings, grounding and the API's ``targets`` fields agree.
    """
    rules = stage_rules(stage)
    base = genre.targets
    return replace(
        base,
        integrated_lufs=rules.integrated_lufs or base.integrated_lufs,
        plr_db=_shift(base.plr_db, rules.plr_offset_db),
        loudness_range_lu=_shift(base.loudness_range_lu, rules.loudness_range_offset_lu),
    )


def make_context(analysis: Analysis, *, genre: GenreMatch, stage: FeedbackType) -> Context:
    return Context(
        analysis=analysis,
        genre=genre,
        stage=stage,
        rules=stage_rules(stage),
        targets=stage_targets(genre, stage),
    )


def measure(key: str, label: str, value: float, unit: str) -> Measure:
    return Measure(key=key, label=label, value=rounded(value, unit), unit=unit)


def band_value(values: list[BandValue], band: str) -> float | None:
    return next((b.value for b in values if b.band == band), None)


def sections_where(
    sections: list[Section], *, value_of: Callable[[Section], float | None], outside: Range, above: bool
) -> tuple[TimeSpan, ...]:
    """Sections whose figure is past the range on the given side (merged when adjacent)."""
    spans: list[TimeSpan] = []
    for section in sections:
        value = value_of(section)
        if value is None:
            continue
        past = outside.distance(float(value))
        if (above and past > 0) or (not above and past < 0):
            spans.append(TimeSpan(start_s=round(section.start_s, 1), end_s=round(section.end_s, 1)))
    return merge_spans(spans, gap_s=0.01)


def merge_spans(spans: list[TimeSpan], *, gap_s: float) -> tuple[TimeSpan, ...]:
    """Sorted spans with overlaps and gaps shorter than ``gap_s`` joined; never zero-length (a stretch that rounds
    to one instant, "0:23-0:23", lasts at least 0.1 s)."""
    merged: list[TimeSpan] = []
    for raw in sorted(spans, key=lambda s: s.start_s):
        span = raw if raw.end_s != raw.start_s else TimeSpan(start_s=raw.start_s, end_s=round(raw.start_s + 0.1, 1))
        if merged and span.start_s - merged[-1].end_s <= gap_s:
            merged[-1] = TimeSpan(start_s=merged[-1].start_s, end_s=max(merged[-1].end_s, span.end_s))
        else:
            merged.append(span)
    return tuple(merged)


def severity_for(distance: float, *, minor: float, major: float) -> int:
    """0 none, 1 minor, 2 major, by how far outside the target a value is."""
    size = abs(distance)
    return 2 if size >= major else 1 if size >= minor else 0


def capped_spans(spans: tuple[TimeSpan, ...]) -> tuple[tuple[TimeSpan, ...], int]:
    """The spans a finding stores (the first ``MAX_SPANS``) and how many more there are."""
    return spans[:MAX_SPANS], max(0, len(spans) - MAX_SPANS)


def event_time_spans(spans: list[EventSpan], *, legacy: list[tuple[float, float]]) -> tuple[tuple[TimeSpan, ...], int]:
    """Merged event spans as finding spans (stored analyses from before spans fall back to their event list).

    An instantaneous event is given its tenth of a second by ``merge_spans``, already rounded (5.3 to 5.4, not
    5.3999999999999995).
    """
    if spans:
        rows = [TimeSpan(start_s=round(e.start_s, 1), end_s=round(e.end_s, 1)) for e in spans]
    else:
        rows = [TimeSpan(start_s=round(a, 1), end_s=round(b, 1)) for a, b in legacy]
    return capped_spans(merge_spans(rows, gap_s=0.5))
