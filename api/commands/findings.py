"""``mixcoach findings FILE --genre G --type T [--reference R] [--json]``: the findings report, no model involved.

The same ``diagnose`` the server and the feedback command use, printed as a list a producer can read (worst
first, with the measured figure and the genre's range) or as JSON (``Finding.to_dict`` per finding).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from services.diagnosis import Finding, FindingReport


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("findings", help="what a mastering engineer would flag, judged against the genre")
    parser.add_argument("file", help="the mix or master to judge")
    parser.add_argument("--genre", default="", help='free text, e.g. "orchestral soundtrack", "DnB", "lo-fi"')
    parser.add_argument("--type", default="mixdown", help="mixdown | mastering | master review")
    parser.add_argument("--reference", default=None, help="a reference track to compare with (loudness-matched)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 with the report, 2 when the input cannot be used (the reason goes to stderr)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads: the analysis has its own threads
    from services.analysis import analyze
    from services.diagnosis import diagnose
    from services.errors import DomainError
    from services.genres import match_genre, parse_feedback_type

    try:
        stage = parse_feedback_type(args.type)
        analysis = analyze(args.file)
        reference = analyze(args.reference) if args.reference else None
    except DomainError as exc:
        print(f"mixcoach findings: {exc.message}", file=sys.stderr)
        return 2
    report = diagnose(analysis, genre=match_genre(args.genre), stage=stage, reference=reference)
    print(json.dumps(as_json(report), indent=2) if args.json else render(report))
    return 0


def as_json(report: FindingReport) -> dict[str, object]:
    return {
        "genre": report.genre.name,
        "genre_label": report.genre.genre.label,
        "stage": report.stage.value,
        "notes": report.notes,
        "verdict": None if report.verdict is None else dataclasses.asdict(report.verdict),
        "reference": None if report.reference is None else dataclasses.asdict(report.reference),
        "findings": [f.to_dict() for f in report.findings],
        "sections": [s.model_dump(mode="json") for s in report.sections],
    }


def _line(f: Finding) -> list[str]:
    from services.diagnosis import fmt
    from services.diagnosis.finding import fmt_spans

    lines = [f"[{f.severity.value}] {f.title}", f"    {f.detail}"]
    shown = [f"{m.label} {fmt(m.value, m.unit)}" for m in f.measured if m.value is not None]
    if shown and f.target is not None and (f.target.low is not None or f.target.high is not None):
        low = "…" if f.target.low is None else fmt(f.target.low, f.target.unit)
        high = "…" if f.target.high is None else fmt(f.target.high, f.target.unit)
        shown[0] += f" (range {low} to {high})"  # the range is that of the first figure
    if shown:
        lines.append("    " + "; ".join(shown))
    if f.time_ranges:
        lines.append("    at " + fmt_spans(f.time_ranges, more=f.more_spans, limit=5))
    return lines


def _verdict(report: FindingReport) -> list[str]:
    """Master review only: the verdict first, each blocker with the finding that reports it."""
    if report.verdict is None:
        return []
    if report.verdict.ready:
        return ["Ready for delivery.", ""]
    titles = {f.id: f.title for f in report.findings}
    count = len(report.verdict.blockers)
    lines = [f"Not ready for delivery: {count} blocker{'s' if count > 1 else ''}:"]
    lines += [f"  - {b.reason} ({titles.get(b.finding_id, b.finding_id)})" for b in report.verdict.blockers]
    return [*lines, ""]


def render(report: FindingReport) -> str:
    """Worst first, each finding with its detail, figures, range and times."""
    head = f"{report.genre.genre.label} · {report.stage.value.lower().replace('_', ' ')}"
    lines = [head, *report.notes, "", *_verdict(report)]
    if not report.findings:
        lines.append("No findings: nothing stands out against the genre's targets.")
    for finding in report.findings:
        lines.extend(_line(finding))
    if len(report.sections) > 1:
        lines += ["", "Sections (loudness, side relative to mid):"]
        lines.extend(_section(s) for s in report.sections)
    return "\n".join(lines)


def _section(s: Any) -> str:
    from services.diagnosis import fmt, fmt_span

    figures = [fmt(v, u) for v, u in ((s.loudness_lufs, "LUFS"), (s.side_to_mid_db, "dB")) if v is not None]
    return f"    {s.label} {fmt_span(s.start_s, s.end_s)}: {', '.join(figures)}"
