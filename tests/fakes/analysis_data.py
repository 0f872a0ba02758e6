"""Hand-built ``Analysis`` records with known figures, for findings, prompt and feedback tests.

``typical_analysis()`` looks like a decent pop master; ``make_analysis(**{"loudness.integrated_lufs": -20})``
overrides any field by dotted path so a test states only the figure it is about.
"""

from __future__ import annotations

import copy
from typing import Any

from services.analysis.result import Analysis

_BANDS = {"sub": -9.5, "bass": -3.5, "low_mid": -8.5, "mid": -8.5, "high_mid": -16.5, "presence": -22.0, "air": -20.5}


def _bands(values: dict[str, float]) -> list[dict[str, Any]]:
    return [{"band": k, "value": v} for k, v in values.items()]


def _section(index: int, label: str, start: float, end: float, lufs: float, width: float) -> dict[str, Any]:
    return {
        "index": index,
        "label": label,
        "start_s": start,
        "end_s": end,
        "loudness_lufs": lufs,
        "width_pct": width,
        "band_levels_db": _bands(_BANDS),
    }


_BASE: dict[str, Any] = {
    "file": {"format": "WAV", "subtype": "PCM_24", "sample_rate_hz": 44100, "channels": 2, "bit_depth": 24,
             "duration_s": 180.0, "frames": 7938000},
    "qc": {"dc_offset_pct": [0.01, 0.01], "is_mono_file": False, "is_dual_mono": False, "likely_lossy": False,
           "lossy_cutoff_hz": None, "likely_resampled": False, "resampled_cutoff_hz": None},
    "loudness": {"integrated_lufs": -9.0, "momentary_max_lufs": -6.5, "short_term_max_lufs": -7.4,
                 "loudness_range_lu": 5.2, "true_peak_dbtp": -1.2, "sample_peak_dbfs": -1.3,
                 "true_peak_per_channel_dbtp": [-1.2, -1.3], "rms_dbfs": -11.0,
                 "short_term_timeline": {"times_s": [0.0, 60.0, 120.0], "values": [-12.0, -9.0, -8.0]}},
    "platforms": [
        {"platform": "Spotify", "reference_lufs": -14.0, "policy": "turns loud tracks down", "gain_db": -5.0,
         "resulting_lufs": -14.0, "resulting_true_peak_dbtp": -6.2, "lossy_clip_risk": False, "source": "Spotify"},
        {"platform": "Apple Music", "reference_lufs": -16.0, "policy": "Sound Check", "gain_db": -7.0,
         "resulting_lufs": -16.0, "resulting_true_peak_dbtp": -8.2, "lossy_clip_risk": False, "source": "Apple"},
    ],
    "dynamics": {"crest_factor_db": 9.7, "plr_db": 7.8, "psr_max_db": 6.2, "psr_median_db": 7.0, "dr_score": 7.0,
                 "heavy_limiting": False, "limiting_evidence": []},
    "clipping": {"clipped_samples": 0, "clip_runs": 0, "clip_events": [], "true_peak_overs": 0, "over_events": [],
                 "events_capped": False},
    "spectrum": {"bands": _bands({"sub": 14.0, "bass": 33.0, "low_mid": 15.0, "mid": 19.5, "high_mid": 6.3,
                                  "presence": 3.2, "air": 3.8}),
                 "band_levels_db": _bands(_BANDS), "third_octave": [], "centroid_hz": 1650.0, "rolloff_hz": 6200.0,
                 "tilt_db_per_octave": -4.4, "resonances": []},
    "stereo": {"correlation": 0.62, "correlation_per_band": [], "correlation_timeline": {"times_s": [0.0, 60.0],
               "values": [0.6, 0.65]}, "width_pct": 28.0, "width_per_band_pct": [], "balance_db": 0.2,
               "mono_loudness_change_db": -0.8, "mono_band_loss_db": [], "out_of_phase": [],
               "side_to_mid_db": -5.5},
    "bass": {"sub_to_bass_db": -3.7, "low_end_correlation": 0.95, "low_end_width_pct": 4.0,
             "low_peaks": [{"frequency_hz": 55.0, "level_db": 0.0}], "low_end_consistency_lu": 1.8,
             "low_end_side_to_mid_db": -14.0},
    "transients": {"onset_rate_per_s": 3.1, "onset_count": 558, "punch_db": 8.5, "attack_sharpness": 0.55},
    "musical": {"tempo_bpm": 122.0, "tempo_confidence": 0.8, "key": "A minor", "key_confidence": 0.7},
    "sections": [
        _section(0, "intro", 0.0, 30.0, -12.5, 22.0),
        _section(1, "verse", 30.0, 75.0, -10.0, 26.0),
        _section(2, "chorus", 75.0, 120.0, -8.0, 32.0),
        _section(3, "outro", 120.0, 180.0, -11.0, 24.0),
    ],
    "elapsed_s": 3.2,
}  # fmt: skip


def _set(doc: dict[str, Any], path: str, value: object) -> None:
    *parents, leaf = path.split(".")
    node: Any = doc
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(leaf)] = value
    else:
        node[leaf] = value


def band_levels(**levels: float) -> list[dict[str, Any]]:
    """``spectrum.band_levels_db`` with some bands changed from the typical values."""
    return _bands({**_BANDS, **levels})


def make_analysis(overrides: dict[str, object] | None = None) -> Analysis:
    """The typical analysis with ``{"dotted.path": value}`` overrides applied."""
    doc = copy.deepcopy(_BASE)
    for path, value in (overrides or {}).items():
        _set(doc, path, value)
    return Analysis.model_validate(doc)


def typical_analysis() -> Analysis:
    return make_analysis()


def problem_mix() -> Analysis:
    """A mixdown with several classic problems: limited, hot peaks, boomy low mids, wide low end, clipping."""
    return make_analysis(
        {
            "loudness.integrated_lufs": -8.4,
            "loudness.sample_peak_dbfs": 0.0,
            "loudness.true_peak_dbtp": 0.6,
            "dynamics.plr_db": 9.0,
            "dynamics.heavy_limiting": True,
            "dynamics.limiting_evidence": ["peaks pinned at 0.0 dBFS"],
            "clipping.clip_runs": 14,
            "clipping.clipped_samples": 61,
            "clipping.clip_events": [{"time_s": 92.4, "channel": 0, "length_samples": 5},
                                     {"time_s": 92.6, "channel": 1, "length_samples": 4}],
            "spectrum.band_levels_db": band_levels(low_mid=-1.1),
            "spectrum.resonances": [{"frequency_hz": 312.0, "prominence_db": 8.4}],
            "bass.low_end_correlation": 0.41,
            "bass.low_end_width_pct": 22.0,
            "bass.low_end_side_to_mid_db": -6.6,
        }
    )  # fmt: skip
