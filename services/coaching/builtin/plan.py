"""The plan behind every builtin answer: which moves, in which order, with symptoms folded into their cause.

1. Each finding becomes a move for the stage (``moves.recipe_for``).
2. Symptoms fold into their root cause: clipping explains the true-peak overs, a limited mix bus explains the
   loudness and the squashed dynamics, opposed low-end channels explain the "wide low end", a heavy band that
   makes the rest read thin explains the "not enough" bands, and a heavy band explains a resonance inside it.
   With a reference, the loudness-matched comparison outranks the genre: a genre band finding folds into the
   reference's finding on that band, and is dropped where the mix is within ``REFERENCE_CLOSE_DB`` of the
   reference (no reference finding there).
3. Moves are ordered the way an engineer works (``Step``: source, gain, EQ, dynamics, stereo, loudness); at most
   ``MAX_MOVES`` are to fix first, the most severe chosen, then put in that order. Two moves on the same subject
   never both appear, so no answer says one thing and its opposite.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.analysis.result import BAND_EDGES_HZ
from services.coaching.builtin.moves import recipe_for
from services.coaching.builtin.moves_tone import band_of
from services.coaching.builtin.recipe import Recipe
from services.diagnosis import Finding, FindingReport, Severity
from services.diagnosis.finding import SEVERITY_RANK
from services.domain import FeedbackType

MAX_MOVES = 3
REFERENCE_CLOSE_DB = 1.5
ROOT_CAUSE_MARK = "rather than boosting the rest"  # tonal.py's sentence when one heavy band explains the others

FOLDS: dict[str, tuple[str, ...]] = {
    "clipping.clipped_samples": ("clipping.true_peak_over", "clipping.lossy_clip_risk", "loudness.mix_peaks_hot"),
    "dynamics.mix_bus_limiting": (
        "loudness.too_loud",
        "dynamics.over_compressed",
        "dynamics.lra_narrow",
        "loudness.mix_peaks_hot",
        "clipping.true_peak_over",
    ),
    "loudness.mix_peaks_hot": ("clipping.true_peak_over", "loudness.too_loud"),
    "dynamics.over_compressed": ("loudness.too_loud", "dynamics.lra_narrow"),
    "clipping.true_peak_over": ("clipping.lossy_clip_risk", "reference.true_peak_delta_db"),
    "stereo.low_polarity": (
        "bass.wide_low_end",
        "stereo.phase",
        "reference.low_end_side_to_mid_delta_db",
        "reference.low_end_correlation_delta",
    ),
    "qc.dual_mono": ("stereo.mono_content", "stereo.narrow", "stereo.mono_file"),
    "stereo.mono_file": ("stereo.narrow",),
    "loudness.too_quiet": ("loudness.platform_turn_down", "dynamics.very_dynamic", "dynamics.lra_wide"),
    "loudness.too_loud": ("loudness.platform_turn_down",),
}
BLOCKER_IDS = ("clipping.", "qc.", "stereo.low_polarity", "stereo.mono_content")


@dataclass(frozen=True)
class Move:
    finding: Finding
    recipe: Recipe
    folded: tuple[Finding, ...] = ()  # symptoms this move also fixes


def _folded_ids(findings: list[Finding], outranked: dict[str, str]) -> dict[str, str]:
    """symptom id → the id of the cause that explains it."""
    present = {f.id for f in findings}
    out: dict[str, str] = {}
    for cause, symptoms in FOLDS.items():
        if cause in present and cause not in out:
            out.update({s: cause for s in symptoms if s in present and s not in out and s != cause})
    for f in findings:
        if f.id.endswith("_heavy") and ROOT_CAUSE_MARK in f.detail:
            out.update({g.id: f.id for g in findings if g.id.endswith("_light") and g.id not in out})
    out.update(_rings_in_heavy_bands(findings, out))
    out.update(outranked)
    return out


def _rings_in_heavy_bands(findings: list[Finding], folded: dict[str, str]) -> dict[str, str]:
    """A resonance inside a band that is too heavy folds into that band's cut: the excess lifts the peak against
    its neighbours (a +12 dB sub shelf makes a 51 Hz note ring 14 dB out), so the broad cut comes first and the
    ring is checked after it."""
    out = {}
    for f in findings:
        if not f.id.startswith("tonal.") or not f.id.endswith("_heavy") or f.id in folded:
            continue
        edges = BAND_EDGES_HZ.get(band_of(f))
        if edges is None:
            continue
        for g in findings:
            hz = g.measured[0].value if g.id.startswith("tonal.resonance_") and g.measured else None
            if hz is not None and edges[0] <= hz < edges[1] and g.id not in folded:
                out[g.id] = f.id
    return out


def _close_to_reference(report: FindingReport) -> dict[str, str]:
    """Genre band findings the reference outranks: genre id → the reference finding on that band (or "reference"
    when the mix is within ``REFERENCE_CLOSE_DB`` of the reference there, so there is nothing to move)."""
    if report.reference is None:
        return {}
    deltas = report.reference.band_deltas_db
    ref_ids = {f.id for f in report.findings if f.id.startswith("reference.")}
    out = {}
    for f in report.findings:
        if f.id.startswith("tonal.") and f.id.endswith(("_heavy", "_light")) and band_of(f) in deltas:
            ref_id = f"reference.{band_of(f)}"
            out[f.id] = ref_id if ref_id in ref_ids else "reference"
    return out


def moves(report: FindingReport, stage: FeedbackType | None = None) -> list[Move]:
    """Every move for the report, causes with their symptoms folded in, in the engineer's order."""
    stage = stage or report.stage
    folded = _folded_ids(report.findings, _close_to_reference(report))
    causes = [f for f in report.findings if f.id not in folded]
    kept: dict[str, tuple[Finding, Recipe, list[Finding]]] = {}
    for f in sorted(causes, key=lambda f: SEVERITY_RANK[f.severity]):
        recipe = recipe_for(f, stage)
        symptoms = [g for g in report.findings if folded.get(g.id) == f.id]
        if recipe.subject in kept:  # one move per subject: never two amounts or directions for one thing
            kept[recipe.subject][2].extend([f, *symptoms])
            continue
        kept[recipe.subject] = (f, recipe, symptoms)
    out = [Move(f, recipe, tuple(symptoms)) for f, recipe, symptoms in kept.values()]
    return out


def blockers(report: FindingReport) -> list[Finding]:
    """The findings behind the delivery verdict's blockers (the diagnosis decides: taste is never a blocker).

    Reports without a verdict (stored before it existed) fall back to the delivery-defect ids."""
    if report.verdict is not None:
        blocking = {b.finding_id for b in report.verdict.blockers}
        return [f for f in report.findings if f.id in blocking]
    out = []
    for f in report.findings:
        serious = f.severity in (Severity.CRITICAL, Severity.MAJOR)
        if f.id.startswith(BLOCKER_IDS) or (serious and f.id == "loudness.too_quiet"):
            out.append(f)
    return out


def to_fix_first(all_moves: list[Move], *, limit: int = MAX_MOVES) -> list[Move]:
    """The most severe problems (never notes), at most ``limit``, then put in the engineer's order."""
    fixes = [m for m in all_moves if not m.recipe.ok and m.finding.severity is not Severity.INFO][:limit]
    return sorted(fixes, key=lambda m: (m.recipe.step, SEVERITY_RANK[m.finding.severity]))


def first_move(report: FindingReport) -> Move | None:
    """What the answer tells the user to do first (or, with nothing to fix, its first note)."""
    all_moves = moves(report)
    fixes = to_fix_first(all_moves)
    if report.stage is FeedbackType.MASTER_REVIEW:
        blocking = {f.id for f in blockers(report)}
        fixes = sorted(fixes, key=lambda m: m.finding.id not in blocking)
    return fixes[0] if fixes else (all_moves[0] if all_moves else None)
