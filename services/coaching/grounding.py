"""Grounding: is every number with a unit in an answer traceable to the analysis, the findings or the targets?

Numbers are found by unit (LUFS, LU, dB, dBTP, dBFS, Hz, kHz, BPM, %, and m:ss times) and matched against a pool
built from the stored data, within the precision we display:

- levels ±0.15 (one decimal shown, plus rounding of differences); LUFS only matches LUFS figures, the other level
  units (LU, dB, dBTP, dBFS) match each other, since a change of level is the same number in any of them;
- frequencies within 2 % (at least 1 Hz); percentages ±1; BPM ±1; times ±1 s;
- differences a finding shows (value minus target bound, reference deltas) match with either sign, so
  "cut 2.0 dB" traces to "2.0 dB above the range".

Each figure is traced to the measurement it is about: in a clause that names a band ("low mids", "300 Hz"), a dB
figure must come from that band's measurement or a figure that is not about any band, never from another band's.
Each move is checked against its finding (``grounding_moves``): a boost for "too much" is a contradiction, and
any contradiction makes the answer not grounded. ``extra_sources`` (e.g. tool-call results) add figures to trace.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from services.analysis.result import BAND_EDGES_HZ, Analysis
from services.coaching.grounding_moves import CENTRES_HZ, band_of_source, bands_in, clauses, contradictions
from services.coaching.grounding_pool import Known, Pool, unit_kind
from services.diagnosis import FindingReport, stage_targets
from services.genres import Range, stage_rules

_UNIT = r"(LUFS|LU|dBTP|dBFS|dB|kHz|Hz|BPM|%)"
_NUM = r"[-+−]?\d+(?:\.\d+)?"
_RANGE = re.compile(rf"(?<![\w.:])({_NUM})\s?(?:-|–|to)\s?({_NUM})\s?{_UNIT}(?![\w])")
_SINGLE = re.compile(rf"(?<![\w.:])({_NUM})\s?{_UNIT}(?![\w/])")
_TIME = re.compile(r"(?<![\w.:])(\d{1,2}):([0-5]\d)(?![\d:])")
_SUFFIX = {
    "lufs": "LUFS",
    "lu": "dB",
    "db": "dB",
    "dbtp": "dB",
    "dbfs": "dB",
    "hz": "Hz",
    "pct": "%",
    "bpm": "BPM",
    "s": "s",
}  # a key's unit is the word after its last "_" ("integrated_lufs")
_SIGNLESS = ("delta", "minus", "gain")  # lookup keys whose figures answers state as "X dB more/less/down"


@dataclass(frozen=True)
class GroundedNumber:
    text: str
    value: float
    unit: str
    source: str | None  # the measurement it traces to (its key names the band, span or metric it is about)


@dataclass(frozen=True)
class Grounding:
    traced: list[GroundedNumber]
    untraced: list[GroundedNumber]
    contradictions: list[str] = field(default_factory=list)  # moves that go against their finding

    @property
    def fully_grounded(self) -> bool:
        return not self.untraced and not self.contradictions

    def to_dict(self) -> dict[str, object]:
        def rows(items: list[GroundedNumber]) -> list[dict[str, object]]:
            return [{"text": n.text, "value": n.value, "unit": n.unit, "source": n.source} for n in items]

        return {
            "traced": rows(self.traced),
            "untraced": rows(self.untraced),
            "contradictions": list(self.contradictions),
            "fully_grounded": self.fully_grounded,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Grounding:
        return cls(
            traced=[GroundedNumber(**n) for n in raw.get("traced", [])],
            untraced=[GroundedNumber(**n) for n in raw.get("untraced", [])],
            contradictions=[str(c) for c in raw.get("contradictions", [])],
        )


def _value(text: str, unit: str) -> float:
    value = float(text.replace("−", "-"))
    return value * 1000 if unit == "kHz" else value


def numbers_in(text: str) -> list[GroundedNumber]:
    """Every number with a unit, in order of appearance (ranges give both ends)."""
    found: list[tuple[int, GroundedNumber]] = []
    covered: list[tuple[int, int]] = []
    for m in _RANGE.finditer(text):
        unit = m.group(3)
        found.append((m.start(1), GroundedNumber(f"{m.group(1)} {unit}", _value(m.group(1), unit), unit, None)))
        found.append((m.start(2), GroundedNumber(f"{m.group(2)} {unit}", _value(m.group(2), unit), unit, None)))
        covered.append((m.start(), m.end()))
    for m in _SINGLE.finditer(text):
        if not any(a <= m.start() < b for a, b in covered):
            found.append((m.start(), GroundedNumber(m.group(0), _value(m.group(1), m.group(2)), m.group(2), None)))
    for m in _TIME.finditer(text):
        found.append((m.start(), GroundedNumber(m.group(0), float(int(m.group(1)) * 60 + int(m.group(2))), "s", None)))
    return [n for _, n in sorted(found, key=lambda p: p[0])]


def _key_kind(key: str) -> str | None:
    _, underscore, unit = key.rpartition("_")
    return _SUFFIX.get(unit) if underscore else None


def _walk(node: object, path: str, kind: str | None, out: list[Known]) -> None:
    if isinstance(node, dict):
        if "band" in node and "value" in node and isinstance(node["value"], (int, float)) and kind:
            out.append(Known(float(node["value"]), kind, f"{path}.{node['band']}"))
            return
        for key, child in node.items():
            name = str(key)
            _walk(child, f"{path}.{name}" if path else name, _key_kind(name) or kind, out)
    elif isinstance(node, list):
        for child in node:
            _walk(child, path, kind, out)
    elif isinstance(node, (int, float)) and not isinstance(node, bool) and kind:
        out.append(Known(float(node), kind, path))


def _range_known(rng: Range, source: str, out: list[Known]) -> None:
    for bound in (rng.low, rng.high):
        if bound is not None:
            out.append(Known(float(bound), unit_kind(rng.unit), source))


def _report_known(report: FindingReport, out: list[Known]) -> None:
    for f in report.findings:
        src = f"finding:{f.id}"
        # the finding's own sentences (shown to the model) state some figures as magnitudes, e.g. "5.0 dB louder"
        out.extend(Known(n.value, unit_kind(n.unit), src) for n in numbers_in(f"{f.title}. {f.detail}"))
        for m in f.measured:
            if m.value is None:
                continue
            out.append(Known(m.value, unit_kind(m.unit), src, difference=f.id.startswith("reference.")))
            for bound in () if f.target is None else (f.target.low, f.target.high):
                if bound is not None:
                    out.append(
                        Known(
                            abs(m.value - bound), "dB" if unit_kind(m.unit) == "LUFS" else unit_kind(m.unit), src, True
                        )
                    )
        if f.target is not None:
            _range_known(f.target, src, out)
        for t in f.time_ranges:
            out.extend((Known(t.start_s, "s", src), Known(t.end_s, "s", src)))
    if report.reference is not None:
        ref = report.reference
        for name, value in vars(ref).items():
            values = value.values() if isinstance(value, dict) else [value]
            kind = "%" if "pct" in name else "LUFS" if name.endswith("_lufs") else "dB"
            own = name.startswith("reference_")  # the reference's own figures, not differences
            out.extend(
                Known(float(v), kind, f"reference.{name}", not own) for v in values if isinstance(v, int | float)
            )


def _targets_known(report: FindingReport, out: list[Known]) -> None:
    targets = stage_targets(report.genre, report.stage)
    for name, value in vars(targets).items():
        if name in ("third_octave_shape_db", "conditional"):  # a shape or predicted finding carries its own range
            continue
        items = value.items() if isinstance(value, dict) else [("", value)]
        for key, item in items:
            source = f"targets.{name}.{key}" if key else f"targets.{name}"  # per band: the band is the subject
            if isinstance(item, Range):
                _range_known(item, source, out)
            else:  # a genre's centre curve (dB)
                out.append(Known(float(item), "dB", source))
    rules = stage_rules(report.stage)
    if rules.sample_peak_dbfs is not None:
        _range_known(rules.sample_peak_dbfs, "targets.sample_peak_dbfs", out)
    for tp in (rules.true_peak_max_dbtp, 0.0):
        if tp is not None:
            out.append(Known(tp, "dB", "targets.true_peak_max_dbtp"))
    for band, (low, high) in BAND_EDGES_HZ.items():
        out.extend((Known(low, "Hz", f"bands.{band}"), Known(high, "Hz", f"bands.{band}")))
        out.append(Known(CENTRES_HZ[band], "Hz", f"bands.{band}.centre"))
    out.append(Known(120.0, "Hz", "bass.low_end_cutoff_hz"))


def known_numbers(analysis: Analysis, report: FindingReport, *, reference: Analysis | None = None) -> list[Known]:
    out: list[Known] = []
    _walk(analysis.to_json_dict(), "", None, out)
    if reference is not None:
        ref: list[Known] = []
        _walk(reference.to_json_dict(), "", None, ref)
        out.extend(Known(k.value, k.kind, f"reference:{k.source}") for k in ref)
    _report_known(report, out)
    _targets_known(report, out)
    return out


def lookup_known(results: Sequence[tuple[str, object]]) -> list[Known]:
    """Figures from lookup results (tool calls), keyed by their unit suffixes; differences match either sign."""
    out: list[Known] = []
    for name, result in results:
        found: list[Known] = []
        _walk(result, "", None, found)
        out.extend(
            Known(k.value, k.kind, f"tool:{name}:{k.source}", any(w in k.source for w in _SIGNLESS)) for k in found
        )
    return out


def _trace(n: GroundedNumber, pool: Pool, about: set[str]) -> Known | None:
    """The known figure ``n`` is about: in a clause about some bands, a dB figure of another band does not count."""
    hits = pool.hits(n.value, n.unit)
    if not about or unit_kind(n.unit) != "dB":
        return hits[0] if hits else None
    same = [k for k in hits if band_of_source(k.source) in about]
    other_area = ("finding:clipping.", "finding:loudness.", "finding:dynamics.", "finding:stereo.", "finding:qc.")
    neutral = [k for k in hits if band_of_source(k.source) is None and not k.source.startswith(other_area)]
    chosen = same or neutral
    return chosen[0] if chosen else None


def ground(
    text: str,
    *,
    analysis: Analysis,
    report: FindingReport,
    reference: Analysis | None = None,
    question: str | None = None,
    tool_results: Sequence[tuple[str, object]] = (),
) -> Grounding:
    """Trace every number with a unit in ``text`` and check every move's direction; the record lists the result.

    Numbers the user wrote in ``question`` (e.g. "what happens at 1:10?") count as traced, to the question, and
    figures in ``tool_results`` (``(tool name, result)`` of the lookups made while answering) to that tool.
    """
    known = known_numbers(analysis, report, reference=reference) + lookup_known(tool_results)
    known.extend(Known(n.value, unit_kind(n.unit), "question") for n in numbers_in(question or ""))
    pool = Pool(known)
    traced: list[GroundedNumber] = []
    untraced: list[GroundedNumber] = []
    for clause in clauses(text):
        about = bands_in(clause)
        for n in numbers_in(clause):
            hit = _trace(n, pool, about)
            if hit is None:
                untraced.append(n)
            else:
                traced.append(GroundedNumber(n.text, n.value, n.unit, hit.source))
    return Grounding(traced=traced, untraced=untraced, contradictions=contradictions(text, report))
