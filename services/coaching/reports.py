"""Export a session as a report: the track's headline figures, the findings and verdict, and the conversation, as
one JSON document and as Markdown rendered from it (so both always say the same thing).

The findings are judged at the stage and genre of the session's latest feedback (the session's genre at the
mixdown stage when there is none yet), exactly as the page showed them.
"""

from __future__ import annotations

from typing import Any

from services import domain
from services.analysis.result import Analysis
from services.diagnosis import FindingReport, diagnose
from services.diagnosis.finding import fmt_span
from services.diagnosis.versions import figure_changes
from services.genres import match_genre
from services.store import messages as message_store
from services.store import sessions as session_store
from services.store import tracks as track_store

PAGE = 100  # the store's largest page
_SPEAKERS = {domain.MessageRole.USER: "You", domain.MessageRole.ASSISTANT: "Coach", domain.MessageRole.SUMMARY: "Notes"}


async def _all_messages(session_id: int) -> list[domain.Message]:
    found: list[domain.Message] = []
    after: str | None = None
    while True:
        page = await message_store.list_messages(session_id=session_id, first=PAGE, after=after)
        found.extend(page.items)
        if not page.has_next_page or not page.cursors:
            return found
        after = page.cursors[-1]


def _judged(track: domain.Track, session: domain.Session, messages: list[domain.Message]) -> FindingReport | None:
    if track.analysis is None:
        return None
    feedback = [m for m in messages if m.kind is domain.MessageKind.FEEDBACK and m.role is domain.MessageRole.ASSISTANT]
    latest = feedback[-1] if feedback else None
    stage = latest.feedback_type if latest and latest.feedback_type else domain.FeedbackType.MIXDOWN
    genre = (latest.genre if latest else None) or session.genre
    return diagnose(Analysis.model_validate(track.analysis), genre=match_genre(genre), stage=stage)


def _figures(track: domain.Track) -> list[dict[str, Any]]:
    if track.analysis is None:
        return []
    analysis = Analysis.model_validate(track.analysis)
    return [{"key": f.key, "label": f.label, "value": f.after, "unit": f.unit}
            for f in figure_changes(analysis, analysis)]  # fmt: skip


def _message(m: domain.Message) -> dict[str, Any]:
    return {
        "role": m.role.value,
        "kind": m.kind.value,
        "status": m.status.value,
        "content": m.content,
        "time_range": None if m.time_range is None else {"start_s": m.time_range.start_s, "end_s": m.time_range.end_s},
        "created_at": m.created_at.isoformat(),
    }


async def session_report(*, owner_id: int, session_id: int) -> dict[str, Any]:
    """The report as JSON-ready data: session, track, figures, findings, verdict and conversation."""
    session = await session_store.get_session(owner_id=owner_id, session_id=session_id)
    track = await track_store.get_track(owner_id=owner_id, track_id=session.track_id)
    messages = await _all_messages(session_id)
    judged = _judged(track, session, messages)
    return {
        "session": {"title": session.title, "genre": session.genre},
        "track": {
            "name": track.name,
            "version": track.version,
            "duration_s": track.duration_s,
            "format": track.format,
            "sample_rate_hz": track.sample_rate_hz,
        },  # fmt: skip
        "stage": judged.stage.value if judged else None,
        "figures": _figures(track),
        "findings": [f.to_dict() for f in judged.findings] if judged else [],
        "verdict": None
        if judged is None or judged.verdict is None
        else {"ready": judged.verdict.ready, "blockers": [vars(b) for b in judged.verdict.blockers]},
        "conversation": [_message(m) for m in messages if m.status is not domain.MessageStatus.FAILED],
    }


def _value(value: object, unit: str) -> str:
    if not isinstance(value, int | float):
        return "n/a"
    text = f"{value:.1f}".removesuffix(".0") if unit != "" else f"{value:.2f}"
    return f"{text} {unit}".strip() if unit != "count" else text


def report_markdown(report: dict[str, Any]) -> str:
    """The same report as Markdown, for reading, pasting into notes, or printing."""
    track = report["track"]
    stage = (report["stage"] or "none").replace("_", " ").lower()
    session = report["session"]
    lines = [f"# {track['name']} (v{track['version']})", "",
             f"Session: {session['title']} · genre {session['genre']} · stage {stage}", ""]  # fmt: skip
    lines += ["## Figures", "", "| Measure | Value |", "|---|---|"]
    lines += [f"| {f['label']} | {_value(f['value'], f['unit'])} |" for f in report["figures"]]
    lines += ["", "## Findings", ""]
    for f in report["findings"]:
        spans = ", ".join(fmt_span(t["start_s"], t["end_s"]) for t in f.get("time_ranges") or [])
        where = f" ({spans})" if spans else ""
        lines.append(f"- **{f['severity'].lower()}** · {f['title']}{where}: {f['detail']}")
    if not report["findings"]:
        lines.append("No findings.")
    verdict = report["verdict"]
    if verdict is not None:
        lines += ["", "## Verdict", "", "Ready for delivery." if verdict["ready"] else "Not ready for delivery:"]
        lines += [f"- {b['reason']}" for b in verdict["blockers"]]
    lines += ["", "## Conversation", ""]
    for m in report["conversation"]:
        speaker = _SPEAKERS.get(domain.MessageRole(m["role"]), m["role"])
        moment = m["time_range"]
        at = f" (about {fmt_span(moment['start_s'], moment['end_s'])})" if moment else ""
        lines += [f"**{speaker}{at}:**", "", m["content"].strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


class Reports:
    """The export use-case, as the schema reaches it (``Session.reportJson``, ``Session.reportMarkdown``)."""

    async def json(self, *, owner_id: int, session_id: int) -> dict[str, Any]:
        return await session_report(owner_id=owner_id, session_id=session_id)

    async def markdown(self, *, owner_id: int, session_id: int) -> str:
        return report_markdown(await session_report(owner_id=owner_id, session_id=session_id))
