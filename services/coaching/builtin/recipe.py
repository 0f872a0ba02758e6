"""What one move is made of, and the small helpers every recipe uses to quote a finding's own numbers.

A recipe turns one finding at one stage into a ``Recipe``: where it sits in the engineer's order of operations
(``Step``), what it touches (``subject``) and which way (``direction``), the move in three voices, and how to check
that it worked. ``subject`` + ``direction`` let the planner drop duplicates and prove that no two moves contradict.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from services.analysis.result import BAND_EDGES_HZ
from services.diagnosis import Finding, fmt, fmt_spans
from services.domain import FeedbackProfile, FeedbackType
from services.genres import stage_rules

Voice = dict[FeedbackProfile, str]


class Step(IntEnum):
    """The order an engineer works in: fix the source before the gain, the gain before EQ, and so on."""

    SOURCE = 0
    GAIN = 1
    EQ = 2
    DYNAMICS = 3
    STEREO = 4
    LOUDNESS = 5


@dataclass(frozen=True)
class Recipe:
    step: Step
    subject: str  # what the move touches: "mix_gain", "limiter", "ceiling", "band:sub", "polarity", ...
    direction: str  # "down" | "up" | "cut" | "boost" | "fix" | "keep"
    voice: Voice
    verify: str
    ok: bool = False  # a note that this is fine at this stage: nothing to do


def same(text: str) -> Voice:
    return dict.fromkeys(FeedbackProfile, text)


def first(f: Finding) -> float:
    return f.measured[0].value if f.measured and f.measured[0].value is not None else 0.0


def excess_db(f: Finding) -> float | None:
    """How far the first measured value is outside the target (a magnitude), or None when it is inside."""
    if f.target is None or not f.measured or f.measured[0].value is None:
        return None
    value = f.measured[0].value
    if f.target.high is not None and value > f.target.high:
        return value - f.target.high
    if f.target.low is not None and value < f.target.low:
        return f.target.low - value
    return None


def amount(f: Finding, *, by: str = "by about ") -> str:
    """ " by about 2.0 dB" when the finding has an excess, else "" (a sentence never ends on an empty value)."""
    past = excess_db(f)
    if past is None or round(past, 1) == 0:
        return ""
    unit = f.measured[0].unit
    return f" {by}{fmt(past, 'dB' if unit in ('LUFS', 'dBTP', 'dBFS', 'LU') else unit)}"


def where(f: Finding) -> str:
    if not f.time_ranges:
        return ""
    return f" (around {fmt_spans(f.time_ranges, more=f.more_spans)})"


def band_span(band: str) -> str:
    low, high = BAND_EDGES_HZ[band]
    return f"{fmt(low, 'Hz')}-{fmt(high, 'Hz')}"


def ceiling(stage: FeedbackType) -> str:
    """The stage's true-peak ceiling as shown (-1.0 dBTP for masters)."""
    tp = stage_rules(stage).true_peak_max_dbtp
    return fmt(-1.0 if tp is None else tp, "dBTP")


def range_text(f: Finding) -> str:
    if f.target is None:
        return ""
    lo, hi, unit = f.target.low, f.target.high, f.target.unit
    if lo is not None and hi is not None:
        return f"{fmt(lo, unit)} to {fmt(hi, unit)}"
    if hi is not None:
        return f"at most {fmt(hi, unit)}"
    return "" if lo is None else f"at least {fmt(lo, unit)}"


def is_mix(stage: FeedbackType) -> bool:
    return stage is FeedbackType.MIXDOWN
