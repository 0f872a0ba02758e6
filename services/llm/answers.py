"""The builtin engine's follow-up answers and thread summaries, routed by topic from the stored analysis.

Deterministic keyword routing: a time ("1:32", "at 92 s") or a section name looks up that section; topics map to
finding areas; "how do I fix X" returns the matching finding with its fix; anything else gets an honest "no
measurement for that".
"""

from __future__ import annotations

import re

from services.analysis.result import Section
from services.diagnosis import Finding, fmt, fmt_span, fmt_time
from services.llm.voices import pair
from services.prompts import Conversation, Facts

_TOPICS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("low end", ("low end", "low-end", "bass", "kick", "sub", "808", "boom", "mud"), ("bass",)),
    (
        "loudness",
        ("loud", "lufs", "streaming", "spotify", "apple", "youtube", "quiet", "volume", "level"),
        ("loudness",),
    ),
    ("clipping", ("clip", "distort", "peak", "overs", "ceiling", "true peak"), ("clipping",)),
    ("stereo", ("stereo", "width", "wide", "narrow", "mono", "phase", "pan"), ("stereo",)),
    (
        "dynamics",
        ("dynamic", "compress", "punch", "limit", "squash", "crest", "plr", "lra"),
        ("dynamics", "transients"),
    ),
    (
        "tonal balance",
        ("eq", "tonal", "bright", "harsh", "dull", "mids", "highs", "air", "resonan", "boxy"),
        ("tonal",),
    ),
    ("file checks", ("dc", "offset", "mp3", "lossy", "sample rate", "dual mono", "qc"), ("qc",)),
)
_SECTION_WORDS = ("intro", "verse", "chorus", "drop", "breakdown", "bridge", "build", "outro", "hook", "pre-chorus")
_TIME = re.compile(r"\b(\d{1,2}):([0-5]\d)\b|\b(\d{1,4}(?:\.\d+)?)\s*(?:s|sec|secs|seconds)\b")
NO_DATA = (
    "I don't have a measurement for that. I can answer about loudness, dynamics, tonal balance, low end, stereo, "
    "clipping, file checks, or a moment in the track (for example 1:32 or the chorus)."
)


def _time_in(question: str) -> float | None:
    match = _TIME.search(question)
    if match is None:
        return None
    if match.group(1) is not None:
        return int(match.group(1)) * 60 + int(match.group(2))
    return float(match.group(3))


def _section_at(sections: list[Section], t: float) -> Section | None:
    return next(
        (s for s in sections if s.start_s <= t < s.end_s),
        sections[-1] if sections and t >= sections[-1].start_s else None,
    )


def _describe_section(facts: Facts, section: Section, t: float | None) -> list[str]:
    a = facts.analysis
    lines = [f"{fmt_time(t)} is in the {section.label}" if t is not None else f"The {section.label}"]
    lines[0] += f" ({fmt_span(section.start_s, section.end_s)})"
    if section.loudness_lufs is not None:
        lines[0] += f", at {fmt(section.loudness_lufs, 'LUFS')}"
        if a.loudness.integrated_lufs is not None:
            lines[0] += f" against {fmt(a.loudness.integrated_lufs, 'LUFS')} for the whole track"
    if section.side_to_mid_db is not None:
        lines[0] += f", side {fmt(section.side_to_mid_db, 'dB')} relative to mid"
    elif section.width_pct is not None:
        lines[0] += f", width {fmt(section.width_pct, '%')}"
    lines[0] += "."
    inside = [
        f
        for f in facts.report.findings
        if any(r.start_s < section.end_s and r.end_s > section.start_s for r in f.time_ranges)
    ]
    if t is not None:
        inside = [f for f in inside if any(r.start_s - 1 <= t <= r.end_s + 1 for r in f.time_ranges)] or inside
    lines.extend(pair(i, f, facts.profile) for i, f in enumerate(inside[:3], start=1))
    if not inside:
        lines.append("No finding points at that part of the track.")
    return lines


def _by_section(facts: Facts, question: str) -> list[str] | None:
    sections = facts.analysis.sections
    t = _time_in(question)
    if t is not None:
        section = _section_at(sections, t)
        if section is None:
            return [f"The analysis has no section covering {fmt_time(t)}."]
        return _describe_section(facts, section, t)
    lowered = question.lower()
    named = next((s for s in sections for w in _SECTION_WORDS if w in lowered and s.label.lower() == w), None)
    return None if named is None else _describe_section(facts, named, None)


def _by_topic(facts: Facts, question: str) -> list[str] | None:
    lowered = question.lower()
    for name, words, areas in _TOPICS:
        if any(w in lowered for w in words):
            found = [f for f in facts.report.findings if f.area in areas]
            if not found:
                return [f"On {name}, nothing is outside the {facts.report.genre.genre.label} targets."]
            return [pair(i, f, facts.profile) for i, f in enumerate(found[:3], start=1)]
    return None


def _by_reference(facts: Facts, question: str) -> list[str] | None:
    if "reference" not in question.lower() and "compare" not in question.lower():
        return None
    if facts.report.reference is None:
        return ["No reference track was given for this session, so I can't compare."]
    refs = [f for f in facts.report.findings if f.id.startswith("reference.")]
    if not refs:
        return ["At matched loudness the track and the reference are close on every band, width and dynamics."]
    return [pair(i, f, facts.profile) for i, f in enumerate(refs[:4], start=1)]


def _priority(facts: Facts, question: str) -> list[str] | None:
    if not re.search(r"\b(first|priorit|most important|start)\b", question.lower()):
        return None
    top: list[Finding] = facts.report.findings[:1]
    return [pair(1, f, facts.profile) for f in top] or ["Nothing stands out; it meets the targets."]


def write_answer(facts: Facts, convo: Conversation) -> str:
    """A follow-up answer from the stored analysis and findings."""
    q = convo.question
    for route in (_by_reference, _by_section, _priority, _by_topic):
        lines = route(facts, q)
        if lines:
            return "\n".join(lines)
    return NO_DATA


def write_summary(convo: Conversation) -> str:
    """A short, deterministic summary of the thread so far (previous summary + newer turns)."""
    questions = [t.content.strip().split("\n")[0][:80] for t in convo.turns if t.role == "user"]
    topics = sorted({name for name, words, _ in _TOPICS for q in questions if any(w in q.lower() for w in words)})
    parts = []
    if convo.summary:
        parts.append(convo.summary.split("\n")[0][:300])
    if questions:
        parts.append("Then asked: " + "; ".join(questions[-4:]) + ".")
    if topics:
        parts.append("Topics: " + ", ".join(topics) + ".")
    return "\n".join(parts) or "No follow-up questions yet."
