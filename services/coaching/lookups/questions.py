"""Question understanding: which moment, band, measurement, reference or change a follow-up is about. Pure.

Deterministic word rules, not a model: "at 2:42" / "around 1:05" / "1:00-1:30" / a range sent by the client become a
time span; "the drop" / "the second chorus" become a section's span; "the sub" / "low mids" / "around 300 Hz"
become bands; "tempo", "is it mono", "will it clip on Spotify" name whole-track measurements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.analysis.result import BAND_EDGES_HZ, Analysis, Section
from services.coaching.lookups.spans import section_names

BANDS_BY_WORD: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"low[- ]?end|lows\b|bottom end", ("sub", "bass")),
    (r"\bsubs?\b|sub[- ]?bass|808", ("sub",)),
    (r"low[- ]?mids?|\bmud|boxy|boomy", ("low_mid",)),
    (r"high[- ]?mids?|upper[- ]?mids?|harsh", ("high_mid",)),
    (r"presence|sibilan|\bess\b", ("presence",)),
    (r"\bair\b|top[- ]?end|\bhighs\b|treble|sparkle", ("air",)),
    (r"\bmids?\b|midrange", ("mid",)),
    (r"\bbass\b|\bkick", ("bass",)),
)
_MEASURES: tuple[tuple[str, str], ...] = (
    ("tempo", r"tempo|\bbpm\b|how fast"),
    ("key", r"\bkey\b|\bscale\b"),
    ("platforms", r"spotify|apple music|youtube|tidal|amazon|deezer|streaming|platform|normali[sz]"),
    ("clipping", r"\bclip|distort|\bovers?\b|true[- ]?peak|\bpeaks?\b"),
    ("mono", r"\bmono\b|phase|correlat|\bwidth\b|\bwide\b|\bnarrow\b|stereo"),
    ("loudness", r"how loud|\blufs\b|loudness|loud enough|too quiet|\bquiet(?:er)?\b|\bloud(?:er|est)?\b"),
    ("file", r"sample rate|bit depth|\bformat\b|\bmp3\b|lossy|upsampl"),
)
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": -1}
_SECTION_WORDS = r"intro|verse|pre-chorus|chorus|hook|drop|breakdown|bridge|build|outro|loud passage|quiet passage"
_PART = re.compile(r"\bpart ([a-h])\b")
_SECTION = re.compile(rf"(?:\b(first|1st|second|2nd|third|3rd|fourth|4th|last)\s+)?\b({_SECTION_WORDS})\b(?:\s*(\d))?")
_CLOCK = r"(\d{1,2}):([0-5]\d)(?:\.\d+)?"
_SECONDS = r"(\d{1,4}(?:\.\d+)?)\s*(?:s|sec|secs|seconds)\b"
_RANGE = re.compile(rf"{_CLOCK}\s*(?:-|–|to|and|until)\s*{_CLOCK}")
_POINT = re.compile(rf"(around|about|near|roughly|~)?\s*(?:at\s+)?(?:{_CLOCK}|{_SECONDS})")
_HZ = re.compile(r"(\d+(?:\.\d+)?)\s*(k)?hz\b")
_LOUD_LABELS = ("drop", "chorus", "hook")
_CHANGE = r"did i fix|fixed|improv|better now|new version|previous version|than before|last (?:mix|bounce|version)"


@dataclass(frozen=True)
class Moment:
    start_s: float
    end_s: float
    label: str  # "2:42", "the selected range", "chorus 2"
    note: str | None = None  # e.g. "no section is labelled drop; the loudest section is used"


@dataclass(frozen=True)
class Question:
    text: str
    moment: Moment | None = None
    bands: tuple[str, ...] = ()
    measures: tuple[str, ...] = ()
    reference: bool = False
    change: bool = False
    amount: bool = False
    priority: bool = False
    missing_section: str | None = None  # a section named in the question that the analysis does not have


def _clock(minutes: str, seconds: str) -> float:
    return int(minutes) * 60 + int(seconds)


def _time_moment(q: str, duration_s: float) -> Moment | None:
    if (m := _RANGE.search(q)) is not None:
        start, end = _clock(m.group(1), m.group(2)), _clock(m.group(3), m.group(4))
        if end > start:
            return Moment(start, min(end, duration_s), f"{m.group(1)}:{m.group(2)}-{m.group(3)}:{m.group(4)}")
    if (m := _POINT.search(q)) is None:
        return None
    t = _clock(m.group(2), m.group(3)) if m.group(2) is not None else float(m.group(4))
    half = 4.0 if m.group(1) else 2.0  # "around" is looser than "at"; 2 s covers one 3 s loudness window
    label = f"{m.group(2)}:{m.group(3)}" if m.group(2) is not None else f"{m.group(4)} s"
    return Moment(max(0.0, t - half), min(duration_s, t + half), label)


def _pick(sections: list[Section], label: str, ordinal: int | None) -> int | None:
    idx = [i for i, s in enumerate(sections) if s.label.lower() == label]
    if not idx:
        return None
    if ordinal is None:
        return idx[0]
    if ordinal == -1:
        return idx[-1]
    return idx[ordinal - 1] if ordinal <= len(idx) else None


def _section_moment(q: str, sections: list[Section]) -> tuple[Moment | None, str | None]:
    part = _PART.search(q)
    m = _SECTION.search(q)
    if part is None and m is None:
        return None, None
    names = section_names(sections)
    label = f"part {part.group(1)}" if part is not None else m.group(2) if m is not None else ""
    ordinal = None
    if m is not None and part is None:
        ordinal = _ORDINALS.get(m.group(1) or "") or (int(m.group(3)) if m.group(3) else None)
    i = _pick(sections, label, ordinal)
    if i is not None:
        return Moment(sections[i].start_s, sections[i].end_s, names[i]), None
    loud = [s for s in sections if s.loudness_lufs is not None]
    if label in _LOUD_LABELS and ordinal is None and loud:
        top = max(loud, key=lambda s: s.loudness_lufs or -99.0)
        note = f"no section is labelled {label}; the loudest section ({names[sections.index(top)]}) is used"
        return Moment(top.start_s, top.end_s, names[sections.index(top)], note), None
    return None, label if ordinal is None else f"{label} {ordinal if ordinal > 0 else '(last)'}"


def _bands(q: str) -> tuple[str, ...]:
    if (m := _HZ.search(q)) is not None:
        hz = float(m.group(1)) * (1000 if m.group(2) else 1)
        inside = [b for b, (lo, hi) in BAND_EDGES_HZ.items() if lo <= hz < hi]
        return tuple(inside[:1])
    for pattern, bands in BANDS_BY_WORD:
        if re.search(pattern, q):
            return bands
    return ()


def understand(text: str, *, analysis: Analysis, time_range: tuple[float, float] | None = None) -> Question:
    """What a question asks about; a client's ``time_range`` wins over times written in the question."""
    q = text.lower()
    duration = analysis.file.duration_s
    missing = None
    if time_range is not None:
        moment: Moment | None = Moment(time_range[0], time_range[1], "the selected range")
    else:
        moment = _time_moment(q, duration)
        if moment is None:
            moment, missing = _section_moment(q, analysis.sections)
    measures = tuple(name for name, pattern in _MEASURES if re.search(pattern, q))
    if "platforms" in measures:  # "will it clip on Spotify" is about the platform's playback, not the file's clips
        measures = tuple(m for m in measures if m not in ("clipping", "loudness"))
    return Question(
        text=text,
        moment=moment,
        bands=_bands(q),
        measures=measures,
        reference=bool(re.search(r"reference|\bref\b|compare|comparison|\bvs\.?\b|versus", q)),
        change=bool(
            re.search(
                _CHANGE,
                q,
            )
        ),
        amount=bool(re.search(r"how (?:many|much|far)|by how", q)),
        priority=bool(
            re.search(r"\bfirst\b(?! (?:verse|chorus|drop|intro|hook|bridge))|priorit|most important|\bstart\b", q)
        ),
        missing_section=missing,
    )
