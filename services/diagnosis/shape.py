"""The local-shape judgement: a bump or step against the track's own smoothed curve, per band.

The genre range (``tonal.range_off_bands``) misses an EQ move on a track that was light or heavy there to begin
with, because real releases of a genre spread widely band by band. The local shape (``balance.shape_residual_db``)
spreads much less, so a 6-8 dB move over an octave stands out against the corpus's p5-p95 of it even where the
band level is still inside the genre's range. This module finds, per band, the 1/3 octave whose shape is furthest
past that range.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.analysis.result import BAND_EDGES_HZ
from services.diagnosis.balance import shape_residual_db
from services.diagnosis.finding import fmt
from services.genres import Range, Targets

SHAPE_MINOR_DB = 1.5  # this far past the corpus's shape range: worth a look
SIDE_LOBE = 4  # thirds each side where a larger opposite excursion makes a reading its flank
SHAPE_MAJOR_DB = 3.0  # this far: a clear bump or dip (an 8 dB move over half an octave or more gets here)


@dataclass(frozen=True)
class ShapeOff:
    band: str
    centre_hz: float  # the 1/3 octave furthest out in the band
    shape_db: float  # against the track's own trend there
    past_db: float  # past the corpus's range: negative below, positive above
    target: Range


def shape_off_bands(curve: dict[float, float], targets: Targets) -> list[ShapeOff]:
    """Per band, the 1/3 octave whose local shape is furthest past the genre's range (``SHAPE_MINOR_DB`` or more).

    A point past the range on one side next to a larger excursion on the other side is the side-lobe of that
    excursion (the running median leans towards a bump, so its flanks read as dips) and is left out.
    """
    ranges = targets.third_octave_shape_db
    shape = {c: v for c, v in shape_residual_db(curve, targets.third_octave_centre_db).items() if c in ranges}
    centres = sorted(shape)
    past = [ranges[c].distance(shape[c]) for c in centres]
    out = []
    for band, (lo, hi) in BAND_EDGES_HZ.items():
        best: ShapeOff | None = None
        for i, c in enumerate(centres):
            if not lo <= c < hi or abs(past[i]) < SHAPE_MINOR_DB or _side_lobe(past, i):
                continue
            if best is None or abs(past[i]) > abs(best.past_db):
                best = ShapeOff(band=band, centre_hz=c, shape_db=shape[c], past_db=past[i], target=ranges[c])
        if best is not None:
            out.append(best)
    return out


def _side_lobe(past: list[float], i: int) -> bool:
    """A larger excursion the other way within ``SIDE_LOBE`` thirds: this reading is its flank."""
    near = past[max(0, i - SIDE_LOBE) : i + SIDE_LOBE + 1]
    return any(p * past[i] < 0 and abs(p) > abs(past[i]) for p in near)


def shape_detail(centre_hz: float, *, shape_db: float, past_db: float, genre: str) -> str:
    """The finding's words: where, which way, how far past what releases show, and what usually leaves that mark."""
    heavy = past_db > 0
    return (
        f"Around {fmt(centre_hz, 'Hz')} the curve {'bulges' if heavy else 'dips'} {fmt(abs(shape_db), 'dB')} "
        f"{'above' if heavy else 'below'} its own trend, {fmt(abs(past_db), 'dB')} more than {genre} releases show "
        f"there, as an EQ {'boost' if heavy else 'cut'} over about an octave would: check that it is meant."
    )
