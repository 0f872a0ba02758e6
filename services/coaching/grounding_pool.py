"""The known figures an answer's numbers are traced to, and when a number matches one.

A number matches a known figure of its kind within the precision we display: levels ±0.15, frequencies within 2 %
(at least 1 Hz), percentages, BPM and times ±1; a difference (``Known.difference``) matches with either sign.

``Pool`` holds the figures in the order they were gathered (the first match is the one a number traces to),
indexed by kind and value, so that a number is compared with its neighbours only: comparing each number of a long
answer with every known figure (a thousand against some 400) was most of the cost of grounding it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

TOLERANCE = {"LUFS": 0.15, "dB": 0.15, "%": 1.0, "BPM": 1.0, "s": 1.0}


@dataclass(frozen=True)
class Known:
    """A figure from the stored data that numbers in an answer may state."""

    value: float
    kind: str  # LUFS | dB | Hz | % | BPM | s
    source: str
    difference: bool = False


def unit_kind(unit: str) -> str:
    """The kind a unit measures: the level units are one kind, kHz is Hz."""
    return {"LU": "dB", "dBTP": "dB", "dBFS": "dB", "kHz": "Hz"}.get(unit, unit)


def matches(value: float, unit: str, k: Known) -> bool:
    """Does a number ``value`` ``unit`` (as written: "kHz" values already in Hz) match ``k``?"""
    kind = unit_kind(unit)
    if kind != k.kind:
        return False
    tol = max(1.0, abs(k.value) * 0.02) if kind == "Hz" else TOLERANCE[kind]
    if abs(value - k.value) <= tol:
        return True
    return k.difference and abs(abs(value) - abs(k.value)) <= tol


def _reach(value: float, kind: str) -> float:
    """How far from ``value`` (or from its magnitude) a matching known figure can lie: its tolerance, with a margin."""
    # a frequency's tolerance is 2 % of the known figure, which is at most 2.04 % of the number's
    return max(1.0, abs(value) * 0.021) + 0.01 if kind == "Hz" else TOLERANCE[kind] * 1.01


class Pool:
    """The known figures in their order, indexed by kind and value; differences (which match either sign) a second
    time by magnitude."""

    def __init__(self, known: list[Known]) -> None:
        self.known = known

    @cached_property
    def _by_value(self) -> _Index:  # built at the first number: most streamed answers state a few, or none
        return _index((k.kind, k.value, i) for i, k in enumerate(self.known))

    @cached_property
    def _by_magnitude(self) -> _Index:
        return _index((k.kind, abs(k.value), i) for i, k in enumerate(self.known) if k.difference)

    def hits(self, value: float, unit: str) -> list[Known]:
        """Every known figure the number ``value`` ``unit`` matches, in pool order (the first is the one it traces
        to)."""
        kind = unit_kind(unit)
        reach = _reach(value, kind)
        near = _near(self._by_value.get(kind), value, reach)
        near += _near(self._by_magnitude.get(kind), abs(value), reach)
        return [self.known[i] for i in sorted(set(near)) if matches(value, unit, self.known[i])]


_Index = dict[str, tuple[list[float], list[int]]]  # kind → (values ascending, their positions in the pool)


def _index(rows: Iterable[tuple[str, float, int]]) -> _Index:
    by_kind: dict[str, list[tuple[float, int]]] = {}
    for kind, value, position in rows:
        by_kind.setdefault(kind, []).append((value, position))
    out: _Index = {}
    for kind, pairs in by_kind.items():
        pairs.sort()
        out[kind] = ([v for v, _ in pairs], [i for _, i in pairs])
    return out


def _near(index: tuple[list[float], list[int]] | None, value: float, reach: float) -> list[int]:
    if index is None:
        return []
    values, positions = index
    return positions[bisect_left(values, value - reach) : bisect_right(values, value + reach)]
