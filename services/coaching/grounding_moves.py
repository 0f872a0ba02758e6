"""Does each move point the way its finding says? A cut for too much, a boost for too little, level down for too loud.

An answer is read clause by clause (split on sentence ends, semicolons and lines). A clause that states a move
(a direction word, or a signed dB figure) about a band, or about the overall level, is checked against the finding
on that band or level; a move the wrong way is a contradiction. So is advice to make a low end mono when its
channels are opposed (the finding ``stereo.low_polarity``): summing opposed channels deletes the bass.
"""

from __future__ import annotations

import re

from services.analysis.result import BAND_EDGES_HZ
from services.diagnosis import FindingReport

_CLAUSE = re.compile(r"(?<=[.;!?])\s+|\n")
_CUT = re.compile(
    r"\b(cut(?![- ]?off)|cuts|lower|reduce|tame|notch|dip|thin out|attenuate|back off|ease)\b"
    r"|\b(turn|pull|bring|take)s? (\S+ ){0,3}?down\b|\bpush \S+( \S+)? less\b|\b(input|output|gain|level) down\b"
    r"|\b(bell|shelf|eq)\s?-\d",
    re.I,
)
_BOOST = re.compile(
    r"\b(boost|boosts|raise|lift|brighten)\b|\b(turn|bring|push)s? (\S+ ){0,3}?up\b"
    r"|\bpush \S+( \S+)? (more|harder)\b|\b(input|output|gain|level) up\b|\b(bell|shelf|eq)\s?\+\d",
    re.I,
)
_LEVEL = re.compile(r"\b(limiter|loudness|master|output|fader|gain|level|LUFS)\b", re.I)
_MONO = re.compile(r"mono[- ]?maker|make (the |your )?(low end|bass|lowest bass|sub|it) mono|mono bass", re.I)
# side, width, polarity and narrow resonance moves are not band- or level-balance moves
# (the lookahead names every word's first letter: a position where none starts is passed over at once)
_SPACE = re.compile(
    r"(?=[swmchpnr])(?:\bside\b|width|\bwide|\bmono|stereo|high-pass|correlation|polarity|\bpan|notch|narrow|ring)",
    re.I,
)
_REPORTING = re.compile(r"(\d+\.\s*)?(Evidence|Measured|Check|Verdict|Why)\b", re.I)  # lines that report, not move
_NEGATION = re.compile(r"\b(no|never|not|don't|do not|without)\b", re.I)
_LABELS = tuple(
    (band, word, re.compile(rf"\b{pattern}\b"))
    for band, word, pattern in (
        ("low_mid", "mid", r"low[- ]mids?"),
        ("high_mid", "mid", r"(upper|high)[- ]mids?"),
        ("sub", "sub", r"sub(?:-bass)?"),
        ("presence", "presence", r"presence"),
        ("air", "air", r"air"),
        ("mid", "mid", r"mids?"),
    )
)  # (band, a word every name of it contains, its names): a clause without the word is not searched
CENTRES_HZ = {
    "sub": 40.0,
    "bass": 120.0,
    "low_mid": 300.0,
    "mid": 1000.0,
    "high_mid": 3000.0,
    "presence": 5000.0,
    "air": 10000.0,
}  # where an engineer puts a broad move for each band; fmt: skip
_SOURCE_BAND = re.compile(
    r"(?:band|^finding:(?:tonal|bass|reference)\.|^bands\.).*?(?<![a-z])(low_mid|high_mid|sub|bass|mid|presence|air)(?![a-z])"
)
# A figure starts where its digits do and is read whole (no match can end inside a number): retrying every digit
# of every shorter reading of "1000.020000" was quadratic in its length.
_FIGURE = r"((?>\d+(?:\.\d+)?))"
_HZ = re.compile(
    rf"(?=\d)(?<!\d)(?:{_FIGURE}\s?(kHz|Hz)?(?:\s?(?:-|–|to)\s?{_FIGURE}\s?(kHz|Hz))|{_FIGURE}\s?(kHz|Hz))"
)


def _hz(value: str, unit: str) -> float:
    return float(value) * (1000.0 if unit == "kHz" else 1.0)


def bands_in(clause: str) -> set[str]:
    """The bands a clause is about: by name ("low mids") or by frequency ("300 Hz", "2.0 kHz-4.0 kHz").

    None for a clause about side, width, polarity or a narrow resonance ("side relative to mid" is no band)."""
    found: set[str] = set()
    if _SPACE.search(clause):
        return found
    rest = clause.lower()
    for band, word, names in _LABELS:
        if word in rest and names.search(rest):
            found.add(band)
            rest = names.sub(" ", rest)
    for m in _HZ.finditer(clause):
        if m.group(5) is not None:
            freq = _hz(m.group(5), m.group(6))
        else:  # a range, "60-250 Hz" or "2.0 kHz-4.0 kHz": its geometric middle
            freq = (_hz(m.group(1), m.group(2) or m.group(4)) * _hz(m.group(3), m.group(4))) ** 0.5
        found.update(b for b, (lo, hi) in BAND_EDGES_HZ.items() if lo <= freq < hi)
    return found


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE.split(text) if c and c.strip()]


def band_of_source(source: str) -> str | None:
    """The band a traced figure's source is about ("spectrum.band_levels_db.sub" → "sub"), None if no band."""
    m = _SOURCE_BAND.search(source)
    return None if m is None else m.group(1)


def _direction(clause: str) -> str | None:
    cut, boost = bool(_CUT.search(clause)), bool(_BOOST.search(clause))
    return None if cut == boost else ("down" if cut else "up")


def _band_expectations(report: FindingReport) -> dict[str, set[str]]:
    """band → the directions its findings ask for ("down" for too much, "up" for too little).

    A genre finding and a reference finding may disagree on a band; a move that follows either one is not a
    contradiction here (the planner lets the reference win in the feedback itself).
    """
    out: dict[str, set[str]] = {}
    for f in report.findings:
        if f.id.startswith("tonal.") and f.id.endswith(("_heavy", "_light")):
            band, way = f.id.split(".", 1)[1].rsplit("_", 1)[0], "down" if f.id.endswith("_heavy") else "up"
        elif f.id.startswith("reference.") and f.id.split(".", 1)[1] in BAND_EDGES_HZ and f.measured:
            band, way = f.id.split(".", 1)[1], "down" if (f.measured[0].value or 0.0) > 0 else "up"
        else:
            continue
        out.setdefault(band, set()).add(way)
    return out


_LEVEL_DOWN = ("loudness.too_loud", "loudness.mix_peaks_hot", "clipping.", "dynamics.over_compressed",
               "dynamics.mix_bus_limiting", "dynamics.lra_narrow")  # fmt: skip


def _level_expectation(report: FindingReport) -> set[str]:
    """The directions the findings ask of the overall level: down when too loud, hot or squashed, up when a master
    is too quiet (a quiet mixdown is fine, so it asks nothing)."""
    out = set()
    for f in report.findings:
        if f.id.startswith(_LEVEL_DOWN):
            out.add("down")
        elif f.id == "loudness.too_quiet" and report.stage.value != "MIXDOWN":
            out.add("up")
    return out


def _without(clause: str, titles: list[str]) -> str:
    low = clause.lower()
    for title in titles:
        low = low.replace(title, " ")
    return low


def contradictions(text: str, report: FindingReport) -> list[str]:
    """Every clause whose move goes against its finding, with the reason."""
    bands, level = _band_expectations(report), _level_expectation(report)
    polarity = any(f.id == "stereo.low_polarity" for f in report.findings)
    out: list[str] = []
    titles = sorted({f.title.lower() for f in report.findings if f.title}, key=len, reverse=True)
    for clause in clauses(text):
        if polarity and _MONO.search(clause) and not _NEGATION.search(clause):
            out.append(f"'{clause}': makes an opposed (negative-correlation) low end mono")
        way = _direction(_without(clause, titles))  # a finding's own title states the problem, not a move
        if (
            way is None or _REPORTING.match(clause) or _SPACE.search(clause)
        ):  # side, width and polarity moves are not level moves
            continue
        about = bands_in(clause)
        for band in sorted(about):
            if band in bands and way not in bands[band]:
                out.append(f"'{clause}': moves the {band} {way}, its finding asks for {'/'.join(sorted(bands[band]))}")
        if not about and level and _LEVEL.search(clause) and way not in level:
            out.append(f"'{clause}': moves the level {way}, its findings ask for {'/'.join(sorted(level))}")
    return out
