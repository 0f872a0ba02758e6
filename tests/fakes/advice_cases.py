"""Stored-analysis fixtures for issue 10's flaw matrix: one analysis per flaw with the flaw's measurements, the stage
it is judged at and what the offline engine's first move must say. Shared by tests and ``make eval``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from services.analysis.result import Analysis
from services.domain import FeedbackType
from tests.fakes.analysis_data import band_levels, make_analysis, problem_mix

# Stage rules, as patterns over the moves of an answer: no loudness or limiter move at mixdown, no track-level move
# when mastering or reviewing, and no empty value ("...or trim output .").
MIX_BANNED = re.compile(
    r"LUFS|dBTP|ceiling|limiter input|limiter's|push the limiter|true-peak limiter|set your limiter"
)
MASTER_BANNED = re.compile(r"\btracks?\b|\bparts\b|panning|arrangement|find the (track|plugin)|add parts", re.I)
EMPTY = re.compile(r"\b(by|of|to|at|about|output|around|trim)\s*[.,;)]|\(\s*\)|\s\.(\s|$)|\bvs\s*[.,]")

_MIX: dict[str, object] = {
    "loudness.integrated_lufs": -18.0,
    "loudness.short_term_max_lufs": -15.0,
    "loudness.momentary_max_lufs": -14.0,
    "loudness.true_peak_dbtp": -4.4,
    "loudness.sample_peak_dbfs": -4.5,
    "loudness.true_peak_per_channel_dbtp": [-4.4, -4.6],
    "dynamics.plr_db": 13.6,
    "dynamics.crest_factor_db": 14.0,
    "dynamics.psr_max_db": 12.0,
    "dynamics.psr_median_db": 11.0,
    "loudness.loudness_range_lu": 6.0,
}
_QUIET = {
    "loudness.integrated_lufs": -30.0,
    "loudness.short_term_max_lufs": -27.0,
    "loudness.momentary_max_lufs": -26.0,
    "loudness.true_peak_dbtp": -16.4,
    "loudness.sample_peak_dbfs": -16.5,
    "loudness.true_peak_per_channel_dbtp": [-16.4, -16.6],
}
_CLIPPED = {
    "loudness.integrated_lufs": -7.0,
    "loudness.true_peak_dbtp": 1.4,
    "loudness.sample_peak_dbfs": 0.0,
    "loudness.true_peak_per_channel_dbtp": [1.4, 1.2],
    "clipping.clip_runs": 420,
    "clipping.clipped_samples": 5100,
    "clipping.clip_events": [{"time_s": 61.0, "channel": 0, "length_samples": 6},
                             {"time_s": 95.5, "channel": 1, "length_samples": 9}],
    "dynamics.plr_db": 8.4,
}  # fmt: skip


@dataclass(frozen=True)
class Case:
    name: str
    stage: FeedbackType
    overrides: dict[str, object]
    expect: tuple[str, ...]  # every one of these words is in the first move (lower case)
    never: tuple[str, ...] = ()  # none of these is

    def analysis(self) -> Analysis:
        return make_analysis(self.overrides)


CASES = (
    Case("flipped polarity below 150 Hz", FeedbackType.MIXDOWN, {**_MIX,
         "stereo.correlation_per_band": [{"band": "sub", "value": -0.98}, {"band": "bass", "value": -0.92}],
         "stereo.mono_band_loss_db": [{"band": "sub", "value": -30.0}, {"band": "bass", "value": -18.0}],
         "bass.low_end_correlation": -0.97, "bass.low_end_side_to_mid_db": 12.0}, ("polarity",),
         ("make the bass mono", "mono bass", "a mono-maker or")),
    Case("sub +12 dB", FeedbackType.MIXDOWN, {**_MIX, "spectrum.band_levels_db": band_levels(sub=2.5)},
         ("cut", "sub")),
    Case("harsh 2-5 kHz +8 dB", FeedbackType.MIXDOWN,
         {**_MIX, "spectrum.band_levels_db": band_levels(high_mid=-8.5, presence=-14.0)}, ("cut", "kHz")),
    Case("boomy 200-300 Hz +8 dB", FeedbackType.MIXDOWN,
         {**_MIX, "spectrum.band_levels_db": band_levels(bass=2.0, low_mid=-1.0)}, ("cut",)),
    Case("clipped master", FeedbackType.MASTER_REVIEW, _CLIPPED, ("unclipped",)),
    Case("-30 LUFS mixdown", FeedbackType.MIXDOWN, {**_MIX, **_QUIET}, ("fine", "headroom"),
         ("turn the master down", "limiter")),
    Case("-30 LUFS at master review", FeedbackType.MASTER_REVIEW, {**_MIX, **_QUIET}, ("limiter", "ceiling"),
         ("take the limiter off", "remove")),
)  # fmt: skip


def corpus() -> dict[str, tuple[Analysis, Analysis | None]]:
    """Analyses that between them reach every recipe: the flaw cases, a problem mix, and a few more (name → track,
    reference)."""
    out: dict[str, tuple[Analysis, Analysis | None]] = {c.name: (c.analysis(), None) for c in CASES}
    out["problem mix"] = (problem_mix(), None)
    out["typical master"] = (make_analysis(), None)
    out["squashed loud master"] = (
        make_analysis(
            {
                "loudness.integrated_lufs": -5.5,
                "loudness.true_peak_dbtp": 0.4,
                "dynamics.plr_db": 4.5,
                "loudness.loudness_range_lu": 1.5,
                "dynamics.heavy_limiting": True,
            }
        ),
        None,
    )
    out["very dynamic, wide, lossy"] = (
        make_analysis(
            {
                **_MIX,
                "loudness.loudness_range_lu": 16.0,
                "dynamics.plr_db": 19.0,
                "stereo.side_to_mid_db": 2.0,
                "stereo.width_pct": 80.0,
                "stereo.correlation": 0.05,
                "stereo.balance_db": 2.5,
                "qc.likely_lossy": True,
                "qc.lossy_cutoff_hz": 16000.0,
                "qc.likely_resampled": True,
                "qc.resampled_cutoff_hz": 11025.0,
                "qc.dc_offset_pct": [1.5, 1.4],
            }
        ),
        None,
    )
    out["narrow and dull with a resonance"] = (
        make_analysis(
            {
                **_MIX,
                "stereo.side_to_mid_db": -24.0,
                "stereo.width_pct": 3.0,
                "spectrum.band_levels_db": band_levels(presence=-30.0, air=-30.0),
                "spectrum.resonances": [{"frequency_hz": 2750.0, "prominence_db": 11.0}],
            }
        ),
        None,
    )
    ref = make_analysis(
        {
            "spectrum.band_levels_db": band_levels(sub=-4.0, air=-26.0),
            "bass.low_end_width_pct": 30.0,
            "bass.low_end_side_to_mid_db": -4.0,
            "stereo.width_pct": 60.0,
            "stereo.side_to_mid_db": -2.2,
            "dynamics.plr_db": 12.0,
            "loudness.loudness_range_lu": 9.0,
            "loudness.true_peak_dbtp": -0.3,
        }
    )
    out["against a reference"] = (make_analysis(), ref)
    other = make_analysis(
        {
            "spectrum.band_levels_db": band_levels(sub=-14.0, mid=-4.0),
            "bass.low_end_width_pct": 0.0,
            "bass.low_end_side_to_mid_db": -40.0,
            "stereo.width_pct": 5.0,
            "stereo.side_to_mid_db": -13.0,
            "dynamics.plr_db": 4.0,
            "loudness.loudness_range_lu": 2.0,
        }
    )
    out["against a wider, punchier reference"] = (make_analysis({"bass.low_end_jumps_db": 5.5}), other)
    out["delivery defects"] = (
        make_analysis(
            {
                "file.sample_rate_hz": 22050,
                "file.bit_depth": 8,
                "edges": {
                    "head_silence_s": 3.0,
                    "tail_silence_s": 9.0,
                    "first_sample_dbfs": -3.0,
                    "last_sample_dbfs": -6.0,
                },
                "qc.is_dual_mono": True,
                "platforms.0.lossy_clip_risk": True,
                "platforms.0.resulting_true_peak_dbtp": 0.4,
            }
        ),
        None,
    )
    out["uneven low end, hot mix"] = (
        make_analysis(
            {
                **_MIX,
                "bass.low_end_jumps_db": 6.0,
                "loudness.sample_peak_dbfs": -0.5,
                "loudness.true_peak_dbtp": -0.2,
                "stereo.balance_db": -2.5,
            }
        ),
        None,
    )
    return out  # fmt: skip
