"""Suggested follow-up questions, built on the server from the findings and the conversation so far.

Each question is one the offline engine can answer from the measurements (a band, a moment, a figure, the
reference), worded from the finding that raised it. A question already asked in the session (compared without
case, spaces or punctuation) is never offered again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from services.diagnosis import BAND_LABELS, Finding, Severity, fmt_time
from services.diagnosis.finding import SEVERITY_RANK

MAX_QUESTIONS = 4


def _short(band: str) -> str:
    return BAND_LABELS[band].split(" (", 1)[0]


def _band(f: Finding) -> str | None:
    tail = f.id.split(".", 1)[1] if "." in f.id else ""
    band = tail if f.id.startswith("reference.") else tail.rsplit("_", 1)[0]
    return band if band in BAND_LABELS else None


def _for_finding(f: Finding) -> str | None:
    band = _band(f)
    if band is not None and f.id.startswith("reference."):
        return f"How does my {_short(band)} compare with the reference?"
    if band is not None and f.id.endswith("_heavy"):
        return f"How many dB should I cut the {_short(band)}, and where?"
    if band is not None and f.id.endswith("_light"):
        return f"How much should I boost the {_short(band)}, and with what EQ?"
    rules: dict[str, Callable[[Finding], str]] = {
        "clipping.": lambda g: "Where does it clip, and how do I stop it?",
        "loudness.too_quiet": lambda g: "How do I bring it up to the genre's loudness?",
        "loudness.too_loud": lambda g: "Will it be turned down on Spotify, and by how much?",
        "loudness.mix_peaks_hot": lambda g: "How much headroom should I leave for mastering?",
        "stereo.low_polarity": lambda g: "Which part of the low end is out of polarity, and when?",
        "stereo.": lambda g: "Will it hold up in mono?",
        "bass.": lambda g: "Is my low end mono enough for clubs?",
        "dynamics.": lambda g: "Is it too compressed for the genre?",
        "tonal.resonance": lambda g: "What is ringing, and how narrow should the cut be?",
        "qc.": lambda g: "Is the file itself fit for release?",
    }
    key = next((k for k in rules if f.id.startswith(k)), None)
    return None if key is None else rules[key](f)


def _norm(question: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", question.lower()).strip()


def suggested_questions(
    findings: Sequence[Finding], asked: Sequence[str] = (), *, limit: int = MAX_QUESTIONS
) -> list[str]:
    """Up to ``limit`` questions: the worst findings first, then a moment, then general ones; none already asked."""
    ranked = sorted(findings, key=lambda f: SEVERITY_RANK[f.severity])
    candidates = [q for f in ranked if f.severity is not Severity.INFO and (q := _for_finding(f))]
    spans = [t for f in ranked for t in f.time_ranges]
    if spans:
        candidates.append(f"What happens at {fmt_time(spans[0].start_s)}?")
    candidates += ["What should I fix first?", "What already works in this mix?", "What are the tempo and key?"]
    seen = {_norm(q) for q in asked}
    out: list[str] = []
    for q in candidates:
        if _norm(q) not in seen:
            seen.add(_norm(q))
            out.append(q)
    return out[:limit]
