"""The builtin engine's feedback text: the plan (``plan.py``) written out in the profile's voice.

Shape of every answer: (master review: the verdict and its blockers), "What to fix first" with at most three moves
in the engineer's order, each with its evidence, the move and how to check it, (master review: optional polish),
the reference's own figures beside the track's, what already works, and the genre's conventions.
"""

from __future__ import annotations

from services.coaching.builtin.moves import fix_for
from services.coaching.builtin.plan import Move, blockers, moves, to_fix_first
from services.coaching.prompts import Facts
from services.coaching.prompts.conventions import convention
from services.coaching.prompts.data import target_text
from services.diagnosis import Finding, Severity, fmt, fmt_spans
from services.diagnosis.finding import AREAS
from services.domain import FeedbackProfile, FeedbackType

_WORKS = {
    "clipping": "nothing clips",
    "loudness": "the level suits the stage",
    "dynamics": "the dynamics suit the genre",
    "tonal": "the tonal balance sits in the genre's range",
    "bass": "the low end is in shape",
    "stereo": "the stereo image holds up",
    "qc": "the file itself is clean (format, source, DC)",
}
_STAGE_WORD = {FeedbackType.MIXDOWN: "mixdown", FeedbackType.MASTERING: "master", FeedbackType.MASTER_REVIEW: "master"}


def pick(findings: list[Finding]) -> list[Finding]:
    """3-5 findings: problems first; informational ones only to reach three (used by follow-up answers)."""
    problems = [f for f in findings if f.severity is not Severity.INFO]
    infos = [f for f in findings if f.severity is Severity.INFO]
    chosen = problems[:5]
    return chosen + infos[: max(0, 3 - len(chosen))]


def evidence(f: Finding) -> str:
    """Measured value against the target, and where in time ("" when the finding has no figure)."""
    shown = [m for m in f.measured if m.value is not None]
    shown = shown[:1] if f.target is not None else shown  # the target belongs to the first figure
    measured = ", ".join(f"{m.label} {fmt(m.value, m.unit)}" for m in shown if m.value is not None)
    target = f" vs {target_text(f.target)}" if f.target is not None and measured else ""
    spans = f", at {fmt_spans(f.time_ranges, more=f.more_spans)}" if f.time_ranges else ""
    return f"{measured}{target}{spans}"


def pair(index: int, f: Finding, profile: FeedbackProfile, stage: FeedbackType) -> str:
    """One numbered issue → fix pair (follow-up answers), with the stage's move, so a follow-up about a master
    never gets a mixdown move."""
    fix = fix_for(f, profile, stage)
    ev = evidence(f)
    head = f"{index}. {f.title}" + (f": {ev}" if ev and profile is not FeedbackProfile.SIMPLE else "")
    return f"{head}.\n   {'What to do' if profile is FeedbackProfile.SIMPLE else 'Fix'}: {fix}"


CLIP_GUARD = " Then lower the output as much as you boosted, so the peaks do not clip."
BOOST_HEADROOM_DBTP = -3.0  # a boost on a file peaking above this would push it into clipping


def render(index: int, move: Move, profile: FeedbackProfile, *, peak_dbtp: float | None = None) -> str:
    """One move: the issue, its evidence, the move, how to check it (a boost near full scale says to trim after)."""
    f, ev = move.finding, evidence(move.finding)
    text = move.recipe.voice[profile]
    if move.recipe.direction == "boost" and peak_dbtp is not None and peak_dbtp > BOOST_HEADROOM_DBTP:
        text += CLIP_GUARD
    also = f" This also explains: {', '.join(g.title.lower() for g in move.folded)}." if move.folded else ""
    if profile is FeedbackProfile.SIMPLE:
        lines = [f"{index}. {f.title}.{also}"] + ([f"   Measured: {ev}."] if ev else [])
        lines.append(f"   What to do: {text}")
    else:
        lines = [f"{index}. {f.title}." + (f" Evidence: {ev}." if ev else "") + also]
        lines.append(f"   Move: {text}")
    lines.append(f"   Check: {move.recipe.verify}")
    return "\n".join(lines)


def _verdict(facts: Facts) -> list[str]:
    """The delivery verdict first: its blockers in the diagnosis's own words."""
    verdict, blocking = facts.report.verdict, blockers(facts.report)
    if not blocking and (verdict is None or verdict.ready):
        return ["Verdict: ready to release. No delivery defect found; the rest is advice."]
    if verdict is not None and verdict.blockers:
        return ["Verdict: not ready to release. Blocking: " + " ".join(b.reason for b in verdict.blockers)]
    return [f"Verdict: not ready to release. Blockers: {'; '.join(f.title for f in blocking[:3])}."]


def _reference(facts: Facts) -> list[str]:
    """The reference's own loudness and true peak beside the track's (the bands are compared at matched level)."""
    cmp, lo = facts.report.reference, facts.analysis.loudness
    if cmp is None:
        return []

    def figs(lufs: float | None, tp: float | None) -> str:
        parts = [fmt(lufs, "LUFS") if lufs is not None else "", fmt(tp, "dBTP") if tp is not None else ""]
        return ", ".join(p for p in parts if p) or "not measured"

    theirs = figs(cmp.reference_integrated_lufs, cmp.reference_true_peak_dbtp)
    yours = figs(lo.integrated_lufs, lo.true_peak_dbtp)
    return [f"Reference: {theirs}; yours: {yours} (bands compared at matched loudness)."]


def _works(facts: Facts, all_moves: list[Move]) -> str:
    troubled = {m.finding.area for m in all_moves if not m.recipe.ok} | {g.area for m in all_moves for g in m.folded}
    troubled |= {"tonal", "bass"} if troubled & {"tonal", "bass"} else set()
    fine = [_WORKS[a] for a in AREAS if a in _WORKS and a not in troubled]
    if facts.stage is FeedbackType.MIXDOWN and "loudness" not in troubled:
        fine = ["the headroom is right for mastering" if w == _WORKS["loudness"] else w for w in fine]
    notes = [m.recipe.voice[facts.profile] for m in all_moves if m.recipe.ok]
    text = "; ".join(fine)
    return " ".join(p for p in (f"What already works: {text}." if text else "", *notes) if p)


def _fixes(facts: Facts, all_moves: list[Move]) -> tuple[list[Move], list[Move]]:
    """(to fix first, optional polish): a master review puts its blockers first."""
    if facts.stage is not FeedbackType.MASTER_REVIEW:
        return to_fix_first(all_moves), []
    blocking = {f.id for f in blockers(facts.report)}
    first = to_fix_first([m for m in all_moves if m.finding.id in blocking])
    polish = to_fix_first([m for m in all_moves if m.finding.id not in blocking], limit=2)
    return first, polish


def write_feedback(facts: Facts) -> str:
    """The whole feedback answer."""
    report, profile = facts.report, facts.profile
    lines: list[str] = [report.genre.note] if not report.genre.matched and report.genre.note else []
    all_moves = moves(report, facts.stage)
    peak = facts.analysis.loudness.true_peak_dbtp
    if facts.stage is FeedbackType.MASTER_REVIEW:
        lines.extend(_verdict(facts))
    first, polish = _fixes(facts, all_moves)
    if first:
        lines.append("What to fix first:")
        lines.extend(render(i, m, profile, peak_dbtp=peak) for i, m in enumerate(first, start=1))
    elif not polish:
        word = _STAGE_WORD[facts.stage]
        lines.append(f"Nothing to fix first against the {report.genre.genre.label} targets for a {word}.")
    if polish:
        lines.append("Optional polish:")
        lines.extend(render(i, m, profile, peak_dbtp=peak) for i, m in enumerate(polish, start=len(first) + 1))
    lines.extend(_reference(facts))
    lines.append(_works(facts, all_moves))
    lines.append(convention(report.genre.genre))
    if profile is FeedbackProfile.PRO and len(first) > 1:
        steps = dict.fromkeys(m.recipe.step.name.lower() for m in first)
        if len(steps) > 1:
            lines.append("Order: " + " → ".join(steps) + ".")
    return "\n".join(line for line in lines if line)
