"""Findings: analysis + genre + stage (+ reference analysis) → an ordered list of findings. Pure and synchronous.

May import ``services.analysis.result``, ``services.genres``, ``services.domain``; never the store, llm or asyncio.
"""

from __future__ import annotations

from services.analysis.labels import labels_for_form
from services.analysis.result import Analysis
from services.diagnosis.bass import bass_findings
from services.diagnosis.context import BAND_LABELS, Context, genre_stage_targets, make_context, stage_targets
from services.diagnosis.delivery import delivery_findings, delivery_verdict
from services.diagnosis.finding import (
    AREAS,
    SEVERITY_RANK,
    Blocker,
    Finding,
    FindingReport,
    Measure,
    ReferenceComparison,
    Severity,
    TimeSpan,
    Verdict,
    fmt,
    fmt_span,
    fmt_spans,
    fmt_time,
    rounded,
)
from services.diagnosis.levels import clipping_findings, dynamics_findings, loudness_findings, qc_findings
from services.diagnosis.reference import compare, reference_findings
from services.diagnosis.spectrum import tonal_findings, transient_findings
from services.diagnosis.stereo import stereo_findings
from services.diagnosis.timeline import jump_findings
from services.domain import FeedbackType
from services.genres import GenreMatch

__all__ = [
    "BAND_LABELS",
    "Blocker",
    "Finding",
    "FindingReport",
    "Measure",
    "ReferenceComparison",
    "Severity",
    "TimeSpan",
    "Verdict",
    "diagnose",
    "fmt",
    "fmt_span",
    "fmt_spans",
    "fmt_time",
    "genre_stage_targets",
    "rounded",
    "stage_targets",
]

_RULES = (
    clipping_findings,
    loudness_findings,
    dynamics_findings,
    tonal_findings,
    bass_findings,
    stereo_findings,
    transient_findings,
    qc_findings,
    delivery_findings,
    jump_findings,
)


def _order(findings: list[Finding]) -> list[Finding]:
    """Worst first; ties by area (clipping before loudness ...), then in rule order."""
    indexed = list(enumerate(findings))
    indexed.sort(key=lambda p: (SEVERITY_RANK[p[1].severity], AREAS.index(p[1].area), p[0]))
    return [f for _, f in indexed]


def diagnose(
    analysis: Analysis, *, genre: GenreMatch, stage: FeedbackType, reference: Analysis | None = None
) -> FindingReport:
    """The findings for one track at one stage, worst first, with the reference comparison when given."""
    ctx: Context = make_context(analysis, genre=genre, stage=stage)
    findings = [f for rule in _RULES for f in rule(ctx)]
    comparison = None if reference is None else compare(analysis, reference)
    if comparison is not None:
        findings.extend(reference_findings(comparison))
    notes = [n for n in (genre.note,) if n]
    ordered = _order(findings)
    verdict = delivery_verdict(ordered) if stage is FeedbackType.MASTER_REVIEW else None
    sections = labels_for_form(analysis.sections, genre.genre.form)
    return FindingReport(genre=genre, stage=stage, findings=ordered, reference=comparison, notes=notes,
                         verdict=verdict, sections=sections)  # fmt: skip
