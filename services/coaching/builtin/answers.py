"""The builtin engine's follow-up answers and thread summaries, from lookups over the stored analysis.

The question is understood first (``services.coaching.lookups.understand``: a moment, a band, a named measurement, the
reference, a change); each part is answered by running the same lookups a model gets as tools and quoting their
figures, and every lookup is recorded as a tool call (the grounding check traces figures to its result). A question
nothing matches gets an honest "no measurement for that"; an answer already given word for word is not repeated.
"""

from __future__ import annotations

import re

from services.coaching.builtin.changes import (
    NO_VERSIONS as NO_VERSIONS,
)  # re-exported: the answer to a change question with no versions
from services.coaching.builtin.changes import change_lines
from services.coaching.builtin.readouts import band_lines, reference_lines, span_lines
from services.coaching.builtin.statements import STATEMENTS
from services.coaching.builtin.voices import pair
from services.coaching.lookups import Question, understand
from services.coaching.prompts import Conversation, Facts
from services.coaching.tools import run_tool
from services.diagnosis import Finding
from services.domain import ToolCall

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
NO_DATA = (
    "I don't have a measurement for that. I can answer about loudness, dynamics, tonal balance, low end, stereo, "
    "clipping, file checks, tempo and key, a band (the sub, the low mids, a frequency), the reference, or a moment "
    "in the track (for example 1:32, the drop or the second chorus)."
)


class _Answer:
    """The lines of an answer and the lookups they quote."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.lines: list[str] = []
        self.calls: list[ToolCall] = []

    def look(self, tool: str, **arguments: object) -> dict[str, object]:
        call = run_tool(self.facts, tool, dict(arguments))
        self.calls.append(call)
        return call.result

    def finding(self, f: Finding, earlier: str) -> None:
        """A finding's issue → fix pair; when the thread already showed it, a pointer with just the fix."""
        text = pair(sum(1 for line in self.lines if line[:1].isdigit()) + 1, f, self.facts.profile, self.facts.stage)
        head, *rest = text.split("\n")
        if head not in earlier:
            self.lines.append(text)
            return
        fix = next((r.strip() for r in rest if r.strip().startswith(("Fix:", "What to do:"))), "")
        self.lines.append(f"- {f.title}, as covered above. {fix}".rstrip())


_AREA_OF_MEASURE = {"platforms": "loudness", "loudness": "loudness", "clipping": "clipping", "mono": "stereo"}


def _band_of(f: Finding, bands: tuple[str, ...]) -> bool:
    """A finding about one of ``bands``: by its id or measured keys, and low-end findings for the sub and bass."""
    keys = [f.id, *(m.key for m in f.measured)]
    low_end = f.area == "bass" and any(b in ("sub", "bass") for b in bands)
    return low_end or any(re.search(rf"[._]{b}(?:_|$)", k) for b in bands for k in keys)


def _measures(ans: _Answer, q: Question, earlier: str) -> None:
    """Named whole-track figures, then (for a question about the whole track) the findings in that area."""
    skip = {"loudness", "mono", "clipping"} if q.moment else {"mono"} if q.bands else set()
    names = [m for m in q.measures if m not in skip]
    for name in names:
        ans.lines.extend(STATEMENTS[name](ans.look("measurement", name=name)))
    areas = {_AREA_OF_MEASURE[n] for n in names if n in _AREA_OF_MEASURE}
    if areas and not q.bands and not q.reference:
        for f in [f for f in ans.facts.report.findings if f.area in areas][:2]:
            ans.finding(f, earlier)


def _moment(ans: _Answer, q: Question, earlier: str) -> None:
    if q.moment is None:
        if q.missing_section is not None:
            figures = ans.look("section_figures")
            rows = figures.get("sections")
            names = [str(s.get("name")) for s in rows if isinstance(s, dict)] if isinstance(rows, list) else []
            ans.lines.append(f"The analysis found no {q.missing_section}; its sections are: {', '.join(names)}.")
        return
    m = q.moment
    d = ans.look("span_figures", start_s=m.start_s, end_s=m.end_s)
    if m.note:
        ans.lines.append(m.note[0].upper() + m.note[1:] + ".")
    ans.lines.extend(line for line in span_lines(d, label=m.label, bands=q.bands) if line)
    inside = [
        f
        for f in ans.facts.report.findings
        if any(t.start_s < m.end_s and t.end_s > m.start_s for t in f.time_ranges)
        and (not q.bands or _band_of(f, q.bands))
    ]
    for f in inside[:2]:
        ans.finding(f, earlier)


def _bands(ans: _Answer, q: Question, earlier: str) -> None:
    if not q.bands or q.moment is not None or q.reference:
        return
    for band in q.bands:
        ans.lines.extend(band_lines(ans.look("band_over_time", band=band)))
    related = [f for f in ans.facts.report.findings if _band_of(f, q.bands)]
    for f in related[:2]:
        ans.finding(f, earlier)
    if not related:
        genre = ans.facts.report.genre.genre.label
        tail = " so the measurements give no amount to cut or boost" if q.amount else ""
        ans.lines.append(f"That is inside the {genre} targets for this stage,{tail or ' nothing to fix there'}.")


def _reference(ans: _Answer, q: Question, earlier: str) -> None:
    """The matched comparison, then the reference findings (for the bands asked about, if any)."""
    if not q.reference:
        return
    ans.lines.extend(reference_lines(ans.look("reference_comparison"), bands=q.bands))
    found = [f for f in ans.facts.report.findings if f.id.startswith("reference.")]
    for f in [f for f in found if not q.bands or _band_of(f, q.bands)][:3]:
        ans.finding(f, earlier)


def _fallback(ans: _Answer, q: Question, earlier: str) -> None:
    """Priority and topic questions: the findings for that area, worst first."""
    findings = ans.facts.report.findings
    if q.priority:
        for f in findings[:1]:
            ans.finding(f, earlier)
        if not findings:
            ans.lines.append("Nothing stands out; it meets the targets.")
        return
    lowered = q.text.lower()
    for name, words, areas in _TOPICS:
        if any(w in lowered for w in words):
            found = [f for f in findings if f.area in areas]
            for f in found[:3]:
                ans.finding(f, earlier)
            if not found:
                ans.lines.append(f"On {name}, nothing is outside the {ans.facts.report.genre.genre.label} targets.")
            return


def answer_with_lookups(facts: Facts, convo: Conversation) -> tuple[str, list[ToolCall]]:
    """A follow-up answer and the lookups it quotes."""
    earlier_answers = [t.content for t in convo.turns if t.role == "assistant"]
    earlier = "\n".join([convo.feedback, *earlier_answers])
    q = understand(convo.question, analysis=facts.analysis, time_range=convo.time_range)
    ans = _Answer(facts)
    if q.change and ans.facts.versions is not None:
        ans.lines.extend(change_lines(ans.look("version_changes")))
    elif q.change:
        ans.lines.append(NO_VERSIONS)
    _measures(ans, q, earlier)
    _reference(ans, q, earlier)
    _moment(ans, q, earlier)
    _bands(ans, q, earlier)
    if not ans.lines:
        _fallback(ans, q, earlier)
    text = "\n".join(ans.lines) or NO_DATA
    if any(text.strip() == e.strip() for e in earlier_answers):
        text = "Nothing has been re-measured since, so the figures are the same as in my earlier answer:\n" + text
    return text, ans.calls


def write_answer(facts: Facts, convo: Conversation) -> str:
    """A follow-up answer from the stored analysis and findings."""
    return answer_with_lookups(facts, convo)[0]


def _clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with "…" when cut (never mid-word)."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else head
    return cut.rstrip(" ,;:.-") + "…"


def write_summary(convo: Conversation) -> str:
    """A short, deterministic summary of the thread so far (previous summary + newer turns)."""
    questions = [_clip(t.content.strip().split("\n")[0], 80) for t in convo.turns if t.role == "user"]
    topics = sorted({name for name, words, _ in _TOPICS for q in questions if any(w in q.lower() for w in words)})
    parts = []
    if convo.summary:
        parts.append(_clip(convo.summary.split("\n")[0], 300))
    if questions:
        parts.append("Then asked: " + "; ".join(questions[-4:]) + ".")
    if topics:
        parts.append("Topics: " + ", ".join(topics) + ".")
    return "\n".join(parts) or "No follow-up questions yet."
