"""The builtin engine's feedback text: 3-5 issue → fix pairs from the findings, in the profile's voice."""

from __future__ import annotations

from services.diagnosis import Finding, Severity, fmt
from services.domain import FeedbackProfile, FeedbackType
from services.llm.moves import fix_for
from services.prompts import Facts
from services.prompts.data import target_text

_WHY = {
    "clipping": "clipping is audible distortion and cannot be undone later",
    "loudness": "loudness decides how the track sits next to others in the genre and on streaming services",
    "dynamics": "dynamics carry the punch and the lift between sections",
    "tonal": "tonal balance decides whether it sounds full, clear and not harsh on every system",
    "bass": "the low end drives the genre and eats headroom when it is uneven or wide",
    "stereo": "the stereo image has to survive mono speakers, phones and clubs",
    "transients": "transient density shapes groove and perceived energy",
    "qc": "delivery problems get the file rejected or degrade it on every platform",
}
_STAGE_WORD = {
    FeedbackType.MIXDOWN: "mixdown",
    FeedbackType.MASTERING: "master",
    FeedbackType.MASTER_REVIEW: "master",
}


def pick(findings: list[Finding]) -> list[Finding]:
    """3-5 findings: problems first; informational ones only to reach three."""
    problems = [f for f in findings if f.severity is not Severity.INFO]
    infos = [f for f in findings if f.severity is Severity.INFO]
    chosen = problems[:5]
    return chosen + infos[: max(0, 3 - len(chosen))]


def _measured(f: Finding) -> str:
    return ", ".join(f"{m.label} {fmt(m.value, m.unit)}" for m in f.measured if m.value is not None)


def pair(index: int, f: Finding, profile: FeedbackProfile) -> str:
    """One numbered issue → fix pair."""
    fix = fix_for(f, profile)
    if profile is FeedbackProfile.SIMPLE:
        return f"{index}. {f.title}.\n   What to do: {fix}"
    if profile is FeedbackProfile.DETAILED:
        return f"{index}. {f.title}. {f.detail}\n   Why it matters: {_WHY.get(f.area, '')}.\n   Fix: {fix}"
    target = f" vs {target_text(f.target)}" if f.target is not None else ""
    head = f"{index}. {f.title}: {_measured(f)}{target}" if f.measured else f"{index}. {f.title}"
    return f"{head}.\n   Fix: {fix}"


def _closing(facts: Facts, chosen: list[Finding]) -> str:
    serious = [f for f in chosen if f.severity in (Severity.CRITICAL, Severity.MAJOR)]
    verdict = facts.report.verdict
    if verdict is not None:  # the delivery check decides; taste findings are advice
        if verdict.ready:
            return "Verdict: ready to release; the rest is advice." if serious else "Verdict: ready to release."
        return "Verdict: not ready to release. Blocking: " + " ".join(b.reason for b in verdict.blockers)
    if facts.stage is FeedbackType.MASTER_REVIEW:
        return "Verdict: not ready to release; fix 1 first." if serious else "Verdict: ready to release."
    if facts.stage is FeedbackType.MIXDOWN:
        return "Fix 1 before sending it to mastering." if serious else "Ready to send to mastering."
    return "Start with 1." if serious else "Close to done; the rest is taste."


def write_feedback(facts: Facts) -> str:
    """The whole feedback answer."""
    report = facts.report
    lines: list[str] = []
    if not report.genre.matched and report.genre.note:
        lines.append(report.genre.note)
    chosen = pick(report.findings)
    if not chosen:
        word = _STAGE_WORD[facts.stage]
        lines.append(f"No problems against the {report.genre.genre.label} targets for a {word}.")
    lines.extend(pair(i, f, facts.profile) for i, f in enumerate(chosen, start=1))
    lines.append(_closing(facts, chosen))
    return "\n".join(lines)
