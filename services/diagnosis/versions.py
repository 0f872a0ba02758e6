"""What changed between two versions of a track (v1 → v2): the headline figures side by side, the findings
resolved, new and still there, and the per-band and per-section deltas.

Pure: it takes two analyses and the two finding reports judged at the same genre and stage, so "resolved" means
"the rule that flagged v1 no longer fires on v2", never a change of yardstick. Band deltas compare each band's
level relative to the whole mix, so turning the master up does not read as "more bass".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from services.analysis.result import Analysis, BandValue, Section
from services.diagnosis.context import BAND_LABELS, band_value
from services.diagnosis.finding import Finding, FindingReport


@dataclass(frozen=True)
class FigureChange:
    """One headline figure in both versions; ``delta`` is after minus before (None when either is missing)."""

    key: str
    label: str
    unit: str
    before: float | None
    after: float | None
    delta: float | None


@dataclass(frozen=True)
class FindingChange:
    """A finding present in both versions, with each version's wording (its figures moved, or not)."""

    before: Finding
    after: Finding


@dataclass(frozen=True)
class SectionDelta:
    """Section ``index`` of the new version against the same section of the old (matched by order)."""

    index: int
    label: str
    start_s: float
    end_s: float
    loudness_delta_lu: float | None
    side_to_mid_delta_db: float | None
    band_deltas_db: dict[str, float]


@dataclass(frozen=True)
class VersionComparison:
    figures: list[FigureChange]
    resolved: list[Finding]
    new: list[Finding]
    still: list[FindingChange]
    band_deltas_db: dict[str, float]
    sections: list[SectionDelta]
    before_version: int = 1
    after_version: int = 2


_FIGURES: list[tuple[str, str, str, Callable[[Analysis], float | None]]] = [
    ("loudness.integrated_lufs", "Integrated loudness", "LUFS", lambda a: a.loudness.integrated_lufs),
    ("loudness.true_peak_dbtp", "True peak", "dBTP", lambda a: a.loudness.true_peak_dbtp),
    ("loudness.loudness_range_lu", "Loudness range", "LU", lambda a: a.loudness.loudness_range_lu),
    ("dynamics.plr_db", "Peak-to-loudness ratio", "dB", lambda a: a.dynamics.plr_db),
    ("dynamics.crest_factor_db", "Crest factor", "dB", lambda a: a.dynamics.crest_factor_db),
    ("stereo.side_to_mid_db", "Width (side to mid)", "dB", lambda a: a.stereo.side_to_mid_db),
    ("stereo.correlation", "Stereo correlation", "", lambda a: a.stereo.correlation),
    ("bass.low_end_correlation", "Low-end correlation", "", lambda a: a.bass.low_end_correlation),
    ("spectrum.tilt_db_per_octave", "Spectral tilt", "dB/oct", lambda a: a.spectrum.tilt_db_per_octave),
    ("clipping.clip_runs", "Clip runs", "count", lambda a: float(a.clipping.clip_runs)),
    ("clipping.true_peak_overs", "True-peak overs", "count", lambda a: float(a.clipping.true_peak_overs)),
]


def _delta(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else round(after - before, 2)


def figure_changes(before: Analysis, after: Analysis) -> list[FigureChange]:
    """The headline figures of both versions, side by side."""
    return [
        FigureChange(
            key=key,
            label=label,
            unit=unit,
            before=read(before),
            after=read(after),
            delta=_delta(read(before), read(after)),
        )  # fmt: skip
        for key, label, unit, read in _FIGURES
    ]


def band_deltas(before: Analysis, after: Analysis) -> dict[str, float]:
    """Per band: the change of its level relative to the whole mix, dB (after minus before)."""
    return _bands(before.spectrum.band_levels_db, after.spectrum.band_levels_db)


def _bands(before: list[BandValue], after: list[BandValue]) -> dict[str, float]:
    deltas: dict[str, float] = {}
    for band in BAND_LABELS:
        change = _delta(band_value(before, band), band_value(after, band))
        if change is not None:
            deltas[band] = change
    return deltas


def section_deltas(before: list[Section], after: list[Section]) -> list[SectionDelta]:
    """Sections matched by order; a version with more sections keeps its extra ones out."""
    return [
        SectionDelta(
            index=new.index,
            label=new.label,
            start_s=new.start_s,
            end_s=new.end_s,
            loudness_delta_lu=_delta(old.loudness_lufs, new.loudness_lufs),
            side_to_mid_delta_db=_delta(old.side_to_mid_db, new.side_to_mid_db),
            band_deltas_db=_bands(list(old.band_levels_db), list(new.band_levels_db)),
        )
        for old, new in zip(before, after, strict=False)
    ]


def compare_versions(
    *,
    before: Analysis,
    after: Analysis,
    before_report: FindingReport,
    after_report: FindingReport,
    before_version: int = 1,
    after_version: int = 2,
) -> VersionComparison:
    """v1 → v2, both reports judged at the same genre and stage."""
    old = {f.id: f for f in before_report.findings}
    current = {f.id: f for f in after_report.findings}
    return VersionComparison(
        figures=figure_changes(before, after),
        resolved=[f for f in before_report.findings if f.id not in current],
        new=[f for f in after_report.findings if f.id not in old],
        still=[FindingChange(before=old[f.id], after=f) for f in after_report.findings if f.id in old],
        band_deltas_db=band_deltas(before, after),
        sections=section_deltas(before_report.sections or before.sections, after_report.sections or after.sections),
        before_version=before_version,
        after_version=after_version,
    )
