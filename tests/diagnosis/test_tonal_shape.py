"""The local-shape signal: an EQ move against the track's own trend is found where the genre range cannot see it.

Curves are built from a genre's own median 1/3-octave curve (``make calibrate``), then bent the way real masters
differ (a smooth tilt, a darker top) and given an octave-wide EQ move; the findings are the real ones.
"""

from __future__ import annotations

import math

import pytest

from services.diagnosis import Severity, diagnose
from services.diagnosis.balance import shape_residual_db
from services.diagnosis.finding import Finding
from services.diagnosis.tonal import curve_off_bands, range_off_bands
from services.domain import FeedbackType
from services.genres import match_genre
from tests.fakes.analysis_data import make_analysis


def _centre(genre: str) -> dict[float, float]:
    return dict(match_genre(genre).genre.targets.third_octave_centre_db)


def _tilted(curve: dict[float, float], db_per_octave: float, *, above_hz: float = 20.0) -> dict[float, float]:
    """A smooth tilt above ``above_hz``, the way a darker or brighter master differs from the median."""
    return {c: v + db_per_octave * max(0.0, math.log2(c / above_hz)) for c, v in curve.items()}


def _bell(curve: dict[float, float], low_hz: float, high_hz: float, gain_db: float) -> dict[float, float]:
    """``gain_db`` from ``low_hz`` to ``high_hz`` on the 1/3-octave curve, half the gain one third outside."""
    out = {}
    for c, v in curve.items():
        inside = low_hz <= c <= high_hz
        next_to = low_hz / 1.26 <= c <= high_hz * 1.26
        out[c] = v + (gain_db if inside else gain_db / 2 if next_to else 0.0)
    return out


def _tonal(curve: dict[float, float], genre: str) -> list[Finding]:
    thirds = [{"center_hz": c, "level_db": round(v, 2)} for c, v in curve.items()]
    analysis = make_analysis({"spectrum.third_octave": thirds, "spectrum.resonances": []})
    report = diagnose(analysis, genre=match_genre(genre), stage=FeedbackType.MIXDOWN)
    return [f for f in report.findings if f.id.startswith("tonal.") and "resonance" not in f.id]


def test_the_shape_follows_a_smooth_tilt_and_stands_out_at_a_bump() -> None:
    """Away from the ends (where the running window is one-sided and the corpus ranges are wider) a tilt is flat."""
    tilted = _tilted(_centre("pop"), -2.0)
    assert max(abs(v) for c, v in shape_residual_db(tilted, _centre("pop")).items() if 100.0 <= c <= 5000.0) < 0.5
    shape = shape_residual_db(_bell(tilted, 2000.0, 4000.0, 8.0), _centre("pop"))
    peak = max(shape, key=lambda c: shape[c])
    assert 2000.0 <= peak <= 4000.0 and shape[peak] > 5.0


@pytest.mark.parametrize("genre", ["pop", "rock", "cinematic"])
@pytest.mark.parametrize("db_per_octave", [-1.5, 1.5])
def test_a_tilted_release_gets_no_local_shape_finding(genre: str, db_per_octave: float) -> None:
    """A smooth tilt is how masters differ from each other: the shape signal must stay quiet on it."""
    off = curve_off_bands(_tilted(_centre(genre), db_per_octave, above_hz=250.0), match_genre(genre).genre.targets)
    assert [o.band for o in off if o.shape_hz is not None] == []


@pytest.mark.parametrize(
    ("genre", "low_hz", "high_hz", "gain_db", "bands"),
    [
        ("pop", 2000.0, 4000.0, 8.0, {"high_mid", "presence"}),
        ("rock", 200.0, 320.0, 8.0, {"bass", "low_mid"}),
        ("cinematic", 200.0, 320.0, 8.0, {"bass", "low_mid"}),
        ("pop", 2000.0, 4000.0, -8.0, {"high_mid", "presence"}),
        ("electronic", 630.0, 1250.0, -8.0, {"mid"}),
    ],
)
def test_an_octave_move_on_a_track_light_there_is_found_by_its_shape(
    genre: str, low_hz: float, high_hz: float, gain_db: float, bands: set[str]
) -> None:
    """The track leans the other way first (inside the genre's range), so the band level alone misses the move."""
    targets = match_genre(genre).genre.targets
    centre_hz = math.sqrt(low_hz * high_hz)
    leaning = {c: v - math.copysign(4.0, gain_db) * math.exp(-(math.log2(c / centre_hz) ** 2) / 4.0)
               for c, v in _centre(genre).items()}  # fmt: skip
    moved = _bell(leaning, low_hz, high_hz, gain_db)
    side = "heavy" if gain_db > 0 else "light"
    assert not [o for o in range_off_bands(moved, targets) if o.band in bands and (o.past_db > 0) == (gain_db > 0)]
    findings = _tonal(moved, genre)
    named = [f for f in findings if f.id in {f"tonal.{b}_{side}" for b in bands}]
    assert named, [f.id for f in findings]
    assert named[0].severity in (Severity.MINOR, Severity.MAJOR) and "its own trend" in named[0].detail
    wrong = "light" if gain_db > 0 else "heavy"
    assert not [f.id for f in findings if f.id in {f"tonal.{b}_{wrong}" for b in bands}]


def test_shape_ranges_are_calibrated_per_third_and_narrower_than_the_band_spread() -> None:
    """The point of the signal: real masters' local shape spreads much less than their band balance."""
    for genre in ("pop", "cinematic", "ambient", "rock"):
        t = match_genre(genre).genre.targets
        shape = [(r.low, r.high) for r in t.third_octave_shape_db.values()]
        bands = [(r.low, r.high) for r in t.band_curve_db.values()]
        assert len(shape) >= 25
        shape_widths = sorted(hi - lo for lo, hi in shape if lo is not None and hi is not None and lo < 0.0 < hi)
        band_widths = sorted(hi - lo for lo, hi in bands if lo is not None and hi is not None)
        assert len(shape_widths) == len(shape)
        assert shape_widths[len(shape_widths) // 2] < 0.7 * band_widths[len(band_widths) // 2], genre
