"""Whole-track figures by name (tempo, key, mono, platforms ...), the reference comparison and the findings."""

from __future__ import annotations

from services.analysis.result import Analysis
from services.coaching.lookups.spans import Lookup, band_over_time, section_figures, span_figures
from services.diagnosis import FindingReport, rounded
from services.diagnosis.reference import compare

__all__ = [
    "MEASUREMENTS",
    "band_over_time",
    "findings_overview",
    "measurement",
    "reference_comparison",
    "section_figures",
    "span_figures",
]


def _r(value: float | None, unit: str) -> float | None:
    return None if value is None else rounded(value, unit)


def _tempo(a: Analysis) -> Lookup:
    m = a.musical
    return {
        "tempo_bpm": _r(m.tempo_bpm, "BPM"),
        "tempo_confidence": _r(m.tempo_confidence, ""),
        "unavailable": m.unavailable.get("tempo_bpm"),
    }


def _key(a: Analysis) -> Lookup:
    m = a.musical
    return {
        "key": m.key,
        "key_confidence": _r(m.key_confidence, ""),
        "ambiguous": bool(getattr(m, "key_ambiguous", False)),
        "runner_up": getattr(m, "key_runner_up", None),
        "unavailable": m.unavailable.get("key"),
    }


def _mono(a: Analysis) -> Lookup:
    s, b = a.stereo, a.bass
    return {
        "is_mono_file": a.qc.is_mono_file,
        "is_dual_mono": a.qc.is_dual_mono,
        "correlation": _r(s.correlation, ""),
        "width_pct": _r(s.width_pct, "%"),
        "side_to_mid_db": _r(getattr(s, "side_to_mid_db", None), "dB"),
        "mono_loudness_change_db": _r(s.mono_loudness_change_db, "dB"),
        "low_end_correlation": _r(b.low_end_correlation, ""),
        "low_end_width_pct": _r(b.low_end_width_pct, "%"),
        "out_of_phase_spans": len(s.out_of_phase),
    }


def _platforms(a: Analysis) -> Lookup:
    return {
        "true_peak_dbtp": _r(a.loudness.true_peak_dbtp, "dBTP"),
        "integrated_lufs": _r(a.loudness.integrated_lufs, "LUFS"),
        "platforms": [
            {
                "platform": p.platform,
                "reference_lufs": p.reference_lufs,
                "gain_db": _r(p.gain_db, "dB"),
                "resulting_lufs": _r(p.resulting_lufs, "LUFS"),
                "resulting_true_peak_dbtp": _r(p.resulting_true_peak_dbtp, "dBTP"),
                "lossy_clip_risk": p.lossy_clip_risk,
            }
            for p in a.platforms
        ],
    }


def _loudness(a: Analysis) -> Lookup:
    lo, d = a.loudness, a.dynamics
    return {
        "integrated_lufs": _r(lo.integrated_lufs, "LUFS"),
        "short_term_max_lufs": _r(lo.short_term_max_lufs, "LUFS"),
        "loudness_range_lu": _r(lo.loudness_range_lu, "LU"),
        "true_peak_dbtp": _r(lo.true_peak_dbtp, "dBTP"),
        "sample_peak_dbfs": _r(lo.sample_peak_dbfs, "dBFS"),
        "plr_db": _r(d.plr_db, "dB"),
        "crest_factor_db": _r(d.crest_factor_db, "dB"),
        "heavy_limiting": d.heavy_limiting,
    }


def _clipping(a: Analysis) -> Lookup:
    c = a.clipping
    return {
        "true_peak_dbtp": _r(a.loudness.true_peak_dbtp, "dBTP"),
        "clip_runs": c.clip_runs,
        "clipped_samples": c.clipped_samples,
        "true_peak_overs": c.true_peak_overs,
        "first_clip_times_s": [rounded(e.time_s, "s") for e in c.clip_events[:5]],
    }


def _file(a: Analysis) -> Lookup:
    f, q = a.file, a.qc
    return {
        "format": f.format,
        "subtype": f.subtype,
        "sample_rate_hz": f.sample_rate_hz,
        "bit_depth": f.bit_depth,
        "channels": f.channels,
        "duration_s": rounded(f.duration_s, "s"),
        "likely_lossy": q.likely_lossy,
        "likely_resampled": q.likely_resampled,
    }


MEASUREMENTS = {
    "tempo": _tempo,
    "key": _key,
    "mono": _mono,
    "platforms": _platforms,
    "loudness": _loudness,
    "clipping": _clipping,
    "file": _file,
}


def measurement(analysis: Analysis, *, name: str) -> Lookup:
    """One named group of whole-track figures (see ``MEASUREMENTS``)."""
    read = MEASUREMENTS.get(name)
    if read is None:
        return {"error": f"unknown measurement {name!r}; known: {', '.join(MEASUREMENTS)}"}
    return {"measurement": name} | read(analysis)


def reference_comparison(analysis: Analysis, reference: Analysis | None) -> Lookup:
    """Track minus loudness-matched reference per band and figure, with both tracks' own loudness and true peak."""
    if reference is None:
        return {"error": "No reference track was given for this session"}
    cmp = compare(analysis, reference)
    if cmp is None:
        return {"error": "the loudness of the track or the reference could not be measured"}
    return {
        "track_integrated_lufs": _r(analysis.loudness.integrated_lufs, "LUFS"),
        "reference_integrated_lufs": _r(reference.loudness.integrated_lufs, "LUFS"),
        "track_true_peak_dbtp": _r(analysis.loudness.true_peak_dbtp, "dBTP"),
        "reference_true_peak_dbtp": _r(reference.loudness.true_peak_dbtp, "dBTP"),
        "matched_gain_db": rounded(cmp.matched_gain_db, "dB"),
        "band_deltas_db": {band: rounded(v, "dB") for band, v in cmp.band_deltas_db.items()},
        "side_to_mid_delta_db": _r(cmp.side_to_mid_delta_db, "dB"),
        "plr_delta_db": _r(cmp.plr_delta_db, "dB"),
        "lra_delta_lu": _r(cmp.lra_delta_lu, "LU"),
        "low_end_side_to_mid_delta_db": _r(cmp.low_end_side_to_mid_delta_db, "dB"),
        "true_peak_delta_db": _r(cmp.true_peak_delta_db, "dB"),
    }


def findings_overview(report: FindingReport, *, limit: int = 8) -> Lookup:
    """The findings worst first (title, measured figures, times) and the master-review verdict when there is one."""
    verdict = getattr(report, "verdict", None)
    return {
        "stage": report.stage.value,
        "genre": report.genre.genre.label,
        "verdict": None if verdict is None else str(getattr(verdict, "label", verdict)),
        "findings": [
            {
                "id": f.id,
                "severity": f.severity.value,
                "title": f.title,
                "detail": f.detail,
                "measured": {m.label: m.value for m in f.measured if m.value is not None},
                "units": {m.label: m.unit for m in f.measured if m.value is not None},
                "times_s": [[rounded(t.start_s, "s"), rounded(t.end_s, "s")] for t in f.time_ranges[:5]],
            }
            for f in report.findings[:limit]
        ],
    }
