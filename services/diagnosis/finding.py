"""The finding record, its parts, and the display rounding every layer shares (so the numbers always agree)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from services.analysis.result import Section
from services.domain import FeedbackType
from services.genres import GenreMatch, Range


class Severity(StrEnum):
    INFO = "INFO"
    MINOR = "MINOR"
    MAJOR = "MAJOR"
    CRITICAL = "CRITICAL"


SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.MAJOR: 1, Severity.MINOR: 2, Severity.INFO: 3}
MAX_SPANS = 20  # spans stored on a finding; the rest are counted in ``more_spans``
AREAS = ("clipping", "loudness", "dynamics", "tonal", "bass", "stereo", "transients", "qc")

_DECIMALS = {
    "LUFS": 1,
    "LU": 1,
    "dB": 1,
    "dBTP": 1,
    "dBFS": 1,
    "Hz": 0,
    "%": 0,
    "/s": 1,
    "": 2,
    "BPM": 0,
    "s": 1,
    "count": 0,
}


def rounded(value: float, unit: str) -> float:
    """``value`` at the precision it is shown with (so prompts, answers and grounding agree)."""
    return round(value, _DECIMALS.get(unit, 1))


def fmt(value: float, unit: str) -> str:
    """A value as shown to users and models: "-9.4 LUFS", "180 Hz", "2.5 kHz", "0.42"."""
    if unit == "Hz" and abs(value) >= 1000:
        return f"{value / 1000:.1f} kHz"
    digits = _DECIMALS.get(unit, 1)
    text = f"{value:.{digits}f}"
    if text in ("-0", "-0.0", "-0.00"):
        text = text[1:]
    if not unit or unit == "count":
        return text
    if unit == "/s":
        return f"{text}/s"
    return f"{text}{unit}" if unit in ("%",) else f"{text} {unit}"


def fmt_time(seconds: float) -> str:
    """m:ss, the way DAWs and players show positions."""
    whole = max(0, int(round(seconds)))
    return f"{whole // 60}:{whole % 60:02d}"


def fmt_span(start_s: float, end_s: float) -> str:
    """A span as m:ss-m:ss, or one position when both ends show the same second (never "0:23-0:23")."""
    a, b = fmt_time(start_s), fmt_time(end_s)
    return a if a == b else f"{a}-{b}"


def fmt_spans(spans: tuple[TimeSpan, ...], *, more: int = 0, limit: int = 3) -> str:
    """The first ``limit`` spans, then "and N more" for the rest (``more`` counts spans not even stored)."""
    text = ", ".join(fmt_span(t.start_s, t.end_s) for t in spans[:limit])
    rest = max(0, len(spans) - limit) + more
    return f"{text} and {rest} more" if rest else text


@dataclass(frozen=True)
class Measure:
    key: str  # analysis key, e.g. "loudness.integrated_lufs"
    label: str
    value: float | None
    unit: str


@dataclass(frozen=True)
class TimeSpan:
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Finding:
    id: str  # stable slug, e.g. "loudness.too_quiet"
    area: str
    severity: Severity
    title: str
    detail: str
    measured: tuple[Measure, ...]
    target: Range | None = None
    time_ranges: tuple[TimeSpan, ...] = ()  # merged spans over the whole track, the first MAX_SPANS of them
    evidence: tuple[str, ...] = ()
    event_count: int | None = None  # events behind the spans (clip runs, overs, sections), when countable
    more_spans: int = 0  # spans beyond ``time_ranges`` (kept out of the record, counted here)

    def to_dict(self) -> dict[str, object]:
        """JSON for storage on a message (``Message.findings``)."""
        return {
            "id": self.id,
            "area": self.area,
            "severity": self.severity.value,
            "title": self.title,
            "detail": self.detail,
            "measured": [{"key": m.key, "label": m.label, "value": m.value, "unit": m.unit} for m in self.measured],
            "target": None
            if self.target is None
            else {"low": self.target.low, "high": self.target.high, "unit": self.target.unit},
            "time_ranges": [{"start_s": t.start_s, "end_s": t.end_s} for t in self.time_ranges],
            "evidence": list(self.evidence),
            "event_count": self.event_count,
            "more_spans": self.more_spans,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Finding:
        """Inverse of ``to_dict`` (reads what we stored ourselves)."""
        target = raw.get("target")
        return cls(
            id=str(raw["id"]),
            area=str(raw["area"]),
            severity=Severity(str(raw["severity"])),
            title=str(raw["title"]),
            detail=str(raw["detail"]),
            measured=tuple(Measure(**m) for m in raw["measured"]),
            target=Range(**target) if isinstance(target, dict) else None,
            time_ranges=tuple(TimeSpan(**t) for t in raw["time_ranges"]),
            evidence=tuple(str(e) for e in raw["evidence"]),
            event_count=None if raw.get("event_count") is None else int(raw["event_count"]),
            more_spans=int(raw.get("more_spans") or 0),
        )


@dataclass(frozen=True)
class ReferenceComparison:
    """Track minus reference after matching the reference's loudness to the track's (``matched_gain_db``)."""

    matched_gain_db: float
    loudness_delta_lu: float
    band_deltas_db: dict[str, float]
    side_to_mid_delta_db: float | None
    plr_delta_db: float | None
    lra_delta_lu: float | None
    low_end_side_to_mid_delta_db: float | None
    low_end_correlation_delta: float | None
    true_peak_delta_db: float | None  # after matching
    reference_integrated_lufs: float | None = None  # the reference's own figures, before matching
    reference_true_peak_dbtp: float | None = None


@dataclass(frozen=True)
class Blocker:
    """A delivery defect that stops a master from being ready, linked to the finding that reports it."""

    finding_id: str
    reason: str


@dataclass(frozen=True)
class Verdict:
    """Ready for delivery or not: only delivery defects decide (see ``diagnosis.delivery``)."""

    ready: bool
    blockers: tuple[Blocker, ...] = ()


@dataclass(frozen=True)
class FindingReport:
    genre: GenreMatch
    stage: FeedbackType
    findings: list[Finding]
    reference: ReferenceComparison | None = None
    notes: list[str] = field(default_factory=list)
    verdict: Verdict | None = None  # master review only
    sections: list[Section] = field(default_factory=list)  # the track's sections, labelled for the genre's form
