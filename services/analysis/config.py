"""Tunables of one analysis run, validated once so the numeric code can trust them."""

from __future__ import annotations

from dataclasses import dataclass

from services.errors import BadUserInput


@dataclass(frozen=True)
class AnalysisConfig:
    """Every knob of ``analyze()``; defaults suit music from a 30 s loop to an hour-long DJ mix.

    ``threads`` is 1 or 2: with 2 the spectral meters overlap the level meters on a second core.
    ``block_frames`` bounds memory: the decoder never holds more than one block of samples, which is why an hour
    file costs the same RAM as a song. 2^17 frames (about 3 s, 1 MB of stereo float32) rather than 2^15: numpy's
    per-call cost is paid a quarter as often and the FFTs run in larger batches (numpy's transform vectorises
    across rows), about 14 % less CPU per song for 1 MB more peak RSS; the results are the same to the last digit.
    ``max_duration_s`` is checked from the header before any decoding.
    """

    max_duration_s: float = 3600.0
    block_frames: int = 1 << 17
    timeline_max_points: int = 1200
    timeline_step_s: float = 1.0
    max_events: int = 50
    event_gap_s: float = 0.5
    max_event_spans: int = 1000
    clip_run_min_samples: int = 3
    out_of_phase_correlation: float = -0.2
    out_of_phase_min_s: float = 1.0
    max_resonances: int = 8
    max_low_peaks: int = 4
    section_min_s: float = 8.0
    max_sections: int = 16
    threads: int = 2
    encoded_excerpts: int = 4  # hottest blocks encoded to AAC/Opus for the post-encode true peak; 0 skips it

    def __post_init__(self) -> None:
        checks = {
            "max_duration_s": self.max_duration_s > 0,
            "block_frames": 4096 <= self.block_frames <= (1 << 22),
            "timeline_max_points": self.timeline_max_points >= 10,
            "timeline_step_s": 0.1 <= self.timeline_step_s <= 60.0,
            "max_events": self.max_events >= 0,
            "event_gap_s": 0.0 <= self.event_gap_s <= 60.0,
            "max_event_spans": self.max_event_spans >= 1,
            "clip_run_min_samples": self.clip_run_min_samples >= 1,
            "out_of_phase_correlation": -1.0 <= self.out_of_phase_correlation <= 0.0,
            "out_of_phase_min_s": self.out_of_phase_min_s > 0,
            "max_resonances": self.max_resonances >= 0,
            "max_low_peaks": self.max_low_peaks >= 0,
            "section_min_s": self.section_min_s > 0,
            "max_sections": self.max_sections >= 1,
            "threads": self.threads in (1, 2),
            "encoded_excerpts": 0 <= self.encoded_excerpts <= 64,
        }
        bad = [name for name, ok in checks.items() if not ok]
        if bad:
            raise BadUserInput(f"invalid analysis setting(s): {', '.join(bad)}")
