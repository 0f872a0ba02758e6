"""Loudness-matched comparison with a reference track.

The reference is first turned up or down by ``track_lufs - reference_lufs`` so that level differences do not
masquerade as tonal or dynamic ones; every delta is then track minus (matched) reference. Width is compared in
the bounded unit the stereo findings use, the side level relative to the mid in dB (``stereo.side_mid_db``): a
difference of percentages of side over mid power runs into the hundreds for wide material and means nothing.
"""

from __future__ import annotations

from services.analysis.result import Analysis
from services.diagnosis.context import BAND_LABELS, band_value, measure
from services.diagnosis.finding import Finding, ReferenceComparison, Severity, fmt
from services.diagnosis.stereo import side_mid_db

_BAND_MINOR_DB, _BAND_MAJOR_DB = 1.5, 3.0
_WIDTH_DB = 3.0  # side-to-mid differences from here are heard as a wider or narrower image


def _side_to_mid(db: float | None, pct: float | None) -> float | None:
    """The side-to-mid level in dB (analyses stored before it was measured fall back to their percentage)."""
    return db if db is not None else side_mid_db(pct)


def _delta(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else round(a - b, 2)


def compare(track: Analysis, reference: Analysis) -> ReferenceComparison | None:
    """Track minus loudness-matched reference; ``None`` when either loudness is unmeasurable."""
    t_lufs, r_lufs = track.loudness.integrated_lufs, reference.loudness.integrated_lufs
    if t_lufs is None or r_lufs is None:
        return None
    gain = t_lufs - r_lufs
    bands: dict[str, float] = {}
    for band in BAND_LABELS:
        t_band = band_value(track.spectrum.band_levels_db, band)
        r_band = band_value(reference.spectrum.band_levels_db, band)
        if t_band is not None and r_band is not None:
            # absolute band level = integrated loudness + relative band level; the reference is shifted by gain
            bands[band] = round((t_lufs + t_band) - (r_lufs + gain + r_band), 2)
    r_tp = reference.loudness.true_peak_dbtp
    return ReferenceComparison(
        matched_gain_db=round(gain, 2),
        loudness_delta_lu=round(gain, 2),
        band_deltas_db=bands,
        side_to_mid_delta_db=_delta(
            _side_to_mid(track.stereo.side_to_mid_db, track.stereo.width_pct),
            _side_to_mid(reference.stereo.side_to_mid_db, reference.stereo.width_pct),
        ),
        plr_delta_db=_delta(track.dynamics.plr_db, reference.dynamics.plr_db),
        lra_delta_lu=_delta(track.loudness.loudness_range_lu, reference.loudness.loudness_range_lu),
        low_end_side_to_mid_delta_db=_delta(
            _side_to_mid(track.bass.low_end_side_to_mid_db, track.bass.low_end_width_pct),
            _side_to_mid(reference.bass.low_end_side_to_mid_db, reference.bass.low_end_width_pct),
        ),
        low_end_correlation_delta=_delta(track.bass.low_end_correlation, reference.bass.low_end_correlation),
        true_peak_delta_db=_delta(track.loudness.true_peak_dbtp, None if r_tp is None else r_tp + gain),
        reference_integrated_lufs=r_lufs,
        reference_true_peak_dbtp=r_tp,
    )


def reference_findings(cmp: ReferenceComparison) -> list[Finding]:
    """Findings for the differences a listener would hear at matched loudness."""
    found: list[Finding] = []
    for band, delta in cmp.band_deltas_db.items():
        if abs(delta) < _BAND_MINOR_DB:
            continue
        more = delta > 0
        found.append(
            _ref(
                slug=f"reference.{band}",
                area="bass" if band in ("sub", "bass") else "tonal",
                severity=Severity.MAJOR if abs(delta) >= _BAND_MAJOR_DB else Severity.MINOR,
                title=f"{'More' if more else 'Less'} {BAND_LABELS[band]} than the reference",
                detail=f"At matched loudness the {BAND_LABELS[band]} {_verb(band)} {fmt(abs(delta), 'dB')} "
                f"{'louder' if more else 'quieter'} than in the reference.",
                key=f"reference.band_deltas_db.{band}",
                label=f"{BAND_LABELS[band].split(' (', 1)[0]} vs reference",  # a name, never the raw key
                value=delta,
                unit="dB",
            )
        )
    scalar = (
        (
            "side_to_mid_delta_db",
            cmp.side_to_mid_delta_db,
            _WIDTH_DB,
            "stereo",
            "Width differs from the reference",
            "dB",
        ),
        ("plr_delta_db", cmp.plr_delta_db, 2.0, "dynamics", "Dynamics differ from the reference", "dB"),
        ("lra_delta_lu", cmp.lra_delta_lu, 2.0, "dynamics", "Loudness range differs from the reference", "LU"),
        (
            "low_end_side_to_mid_delta_db",
            cmp.low_end_side_to_mid_delta_db,
            _WIDTH_DB,
            "bass",
            "Low-end width differs from the reference",
            "dB",
        ),
    )
    for key, value, limit, area, title, unit in scalar:
        if value is None or abs(value) < limit:
            continue
        found.append(
            _ref(
                slug=f"reference.{key}",
                area=area,
                severity=Severity.MINOR,
                title=title,
                detail=f"Track minus reference: {'+' if value > 0 else ''}{fmt(value, unit)}"
                + (" in side level relative to mid." if key.endswith("side_to_mid_delta_db") else "."),
                key=f"reference.{key}",
                label=title,
                value=value,
                unit=unit,
            )
        )
    return found


def _ref(
    *, slug: str, area: str, severity: Severity, title: str, detail: str, key: str, label: str, value: float, unit: str
) -> Finding:
    return Finding(
        id=slug,
        area=area,
        severity=severity,
        title=title,
        detail=detail,
        measured=(measure(key, label, value, unit),),
        evidence=(key, "reference.matched_gain_db"),
    )


def _verb(band: str) -> str:
    """ "The mids are", but "the sub is": the band names are a mix of plural and singular nouns."""
    return "are" if BAND_LABELS[band].split(" (", 1)[0].endswith("mids") else "is"
