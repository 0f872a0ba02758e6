"""The typed, JSON-serialisable result of ``analyze()``: the contract every other layer reads.

Why pydantic models rather than plain dataclasses: the result is stored as JSON and read back (by the store, the
findings and the GraphQL layer), so validation and a lossless JSON round trip come for free. Every model is frozen.

Conventions:
- Units are in field names (``_lufs``, ``_lu``, ``_db``, ``_dbfs``, ``_dbtp``, ``_hz``, ``_s``, ``_pct``).
- A figure that cannot be measured is ``None`` and its key appears in the group's ``unavailable`` map with a reason
  a person can read ("digital silence", "shorter than 3 s"). JSON never carries NaN or infinity.
- Bands are named ``sub`` 20-60, ``bass`` 60-250, ``low_mid`` 250-500, ``mid`` 500-2k, ``high_mid`` 2-4k,
  ``presence`` 4-6k and ``air`` 6-20k Hz (see ``BAND_EDGES_HZ``).
- Timelines are parallel arrays ``times_s`` / ``values``, about one point a second, thinned for long files.

Bump ``SCHEMA_VERSION`` whenever a field is renamed or its meaning changes.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 2  # 2: resonances are sustained peaks (not notes); section labels follow structure

BAND_EDGES_HZ: dict[str, tuple[float, float]] = {
    "sub": (20.0, 60.0),
    "bass": (60.0, 250.0),
    "low_mid": (250.0, 500.0),
    "mid": (500.0, 2000.0),
    "high_mid": (2000.0, 4000.0),
    "presence": (4000.0, 6000.0),
    "air": (6000.0, 20000.0),
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)


class Timeline(_Frozen):
    """A curve over time for plotting; ``values[i]`` is ``None`` where nothing was measurable (silence)."""

    times_s: list[float] = Field(default_factory=list)
    values: list[float | None] = Field(default_factory=list)


class TimeRange(_Frozen):
    start_s: float
    end_s: float


class BandValue(_Frozen):
    """One figure for one named band (``band`` is a key of ``BAND_EDGES_HZ``)."""

    band: str
    value: float | None


class FileInfo(_Frozen):
    format: str  # soundfile major format, e.g. "WAV", "FLAC", "MP3"; or the FFmpeg container, e.g. "MP4", "WMA"
    subtype: str  # codec subtype, e.g. "PCM_24", "FLOAT", "MPEG_LAYER_III"; FFmpeg's codec name, e.g. "AAC"
    sample_rate_hz: int
    channels: int
    bit_depth: int | None  # None for lossy codecs
    duration_s: float
    frames: int
    note: str | None = None  # how the audio was found, e.g. "Measured its audio track of a video file; ..."


class QualityControl(_Frozen):
    dc_offset_pct: list[float]  # per channel, mean sample as % of full scale
    is_mono_file: bool
    is_dual_mono: bool  # stereo file whose channels are identical
    likely_lossy: bool
    lossy_cutoff_hz: float | None  # the spectral shelf that suggests a lossy source
    likely_resampled: bool
    resampled_cutoff_hz: float | None
    unavailable: dict[str, str] = Field(default_factory=dict)


class Loudness(_Frozen):
    integrated_lufs: float | None
    momentary_max_lufs: float | None
    short_term_max_lufs: float | None
    loudness_range_lu: float | None
    true_peak_dbtp: float | None
    sample_peak_dbfs: float | None
    true_peak_per_channel_dbtp: list[float | None]
    rms_dbfs: float | None
    short_term_timeline: Timeline  # short-term (3 s) LUFS
    unavailable: dict[str, str] = Field(default_factory=dict)


class PlatformResult(_Frozen):
    platform: str  # "Spotify", "Apple Music", ...
    reference_lufs: float
    policy: str  # how the platform normalises, in words
    gain_db: float | None  # gain the platform would apply to this track
    resulting_lufs: float | None
    resulting_true_peak_dbtp: float | None
    lossy_clip_risk: bool  # true peak after normalisation above -1 dBTP: too little room for lossy encoders
    source: str  # where the reference level and policy come from


class Dynamics(_Frozen):
    crest_factor_db: float | None  # sample peak minus RMS
    plr_db: float | None  # true peak minus integrated loudness
    psr_max_db: float | None  # true peak minus short-term max loudness
    psr_median_db: float | None  # median over time of windowed true peak minus short-term loudness
    dr_score: float | None  # DR-meter style figure
    heavy_limiting: bool
    limiting_evidence: list[str] = Field(default_factory=list)
    unavailable: dict[str, str] = Field(default_factory=dict)


class EventSpan(_Frozen):
    """Events (clip runs, overs) closer than about 0.5 s merged into one span; ``count`` events inside it.

    Never zero-length: a lone event spans at least 0.05 s.
    """

    start_s: float = Field(description="Start of the span, seconds from the start of the track.")
    end_s: float = Field(description="End of the span, s; always after start_s (no zero-length spans).")
    count: int = Field(description="Events (clip runs or true-peak overs) merged into this span.")


class ClipEvent(_Frozen):
    time_s: float
    channel: int
    length_samples: int


class OverEvent(_Frozen):
    time_s: float
    channel: int
    level_dbtp: float


class Clipping(_Frozen):
    clipped_samples: int  # samples at full scale inside runs
    clip_runs: int  # runs of >= 3 consecutive full-scale samples
    clip_events: list[ClipEvent]  # capped; see events_capped
    true_peak_overs: int  # true-peak excursions above 0 dBTP
    over_events: list[OverEvent]  # capped
    events_capped: bool
    clip_spans: list[EventSpan] = Field(
        default_factory=list,
        description="Every clip run over the whole track, merged into spans (runs closer than about 0.5 s join), "
        "with the number of runs in each; never capped.",
    )
    over_spans: list[EventSpan] = Field(
        default_factory=list,
        description="Every true-peak over (above 0 dBTP) over the whole track, merged into spans with counts.",
    )


class ThirdOctaveBand(_Frozen):
    center_hz: float
    level_db: float | None  # relative to the loudest band (0 dB)


class Resonance(_Frozen):
    """A narrow peak that stays put through the track (not a note of the music; see ``analysis.resonance``)."""

    frequency_hz: float
    prominence_db: float = Field(description="Median level above the surrounding 2/3 octave over time, dB.")


class Spectrum(_Frozen):
    bands: list[BandValue]  # relative energy per band, % of the 20 Hz-20 kHz total
    band_levels_db: list[BandValue]  # per band, dB relative to the total
    third_octave: list[ThirdOctaveBand]
    centroid_hz: float | None
    rolloff_hz: float | None  # 85 % energy roll-off
    tilt_db_per_octave: float | None
    resonances: list[Resonance]
    unavailable: dict[str, str] = Field(default_factory=dict)


class Stereo(_Frozen):
    correlation: float | None = Field(description="L/R correlation over the track, -1..1 (1 mono, 0 unrelated).")
    correlation_per_band: list[BandValue] = Field(description="L/R correlation per band, -1..1.")
    correlation_timeline: Timeline
    width_pct: float | None = Field(
        description="Side power over mid power, % (unbounded: out-of-phase material reads hundreds of %); the "
        "findings use sideToMidDb, the same ratio in dB."
    )
    width_per_band_pct: list[BandValue] = Field(description="Side power over mid power per band, % (unbounded).")
    balance_db: float | None  # left minus right loudness
    mono_loudness_change_db: float | None  # integrated loudness of (L+R)/2 minus stereo; negative is a loss
    mono_band_loss_db: list[BandValue]
    out_of_phase: list[TimeRange]
    unavailable: dict[str, str] = Field(default_factory=dict)
    side_to_mid_db: float | None = Field(
        default=None,
        description="Width as side level relative to mid, dB (-60 mono, about -10 a typical mix, 0 uncorrelated, "
        "above 0 mostly out of phase).",
    )
    side_to_mid_per_band_db: list[BandValue] = Field(
        default_factory=list, description="Side relative to mid per band, dB."
    )
    low_end_out_of_phase: list[TimeRange] = Field(
        default_factory=list,
        description="Spans of at least 1 s where L/R correlation below 120 Hz is under -0.2: a polarity or alignment "
        "problem in the low end.",
    )


class LowPeak(_Frozen):
    frequency_hz: float
    level_db: float  # relative to the strongest low-frequency peak


class Bass(_Frozen):
    sub_to_bass_db: float | None
    low_end_correlation: float | None  # below ~120 Hz
    low_end_width_pct: float | None
    low_peaks: list[LowPeak]
    low_end_consistency_lu: float | None  # spread (std dev) of low-band loudness over time
    unavailable: dict[str, str] = Field(default_factory=dict)
    low_end_side_to_mid_db: float | None = Field(default=None, description="Side relative to mid below 120 Hz, dB.")
    low_end_jumps_db: float | None = Field(
        default=None,
        description="How much the low end's share of the mix jumps from second to second (std dev, dB, after "
        "removing its ~9 s trend, so a breakdown or a drop does not count).",
    )


class Transients(_Frozen):
    onset_rate_per_s: float | None
    onset_count: int
    punch_db: float | None  # transient-to-body level difference
    attack_sharpness: float | None  # 0..1, higher is a sharper attack
    unavailable: dict[str, str] = Field(default_factory=dict)


class Musical(_Frozen):
    tempo_bpm: float | None = Field(description="Tempo in beats per minute; null when shorter than 5 s or beatless.")
    tempo_confidence: float | None = Field(
        description="0..1: how periodic the onsets are at that tempo (near 1 a steady groove, near 0 rubato or "
        "no beat)."
    )
    key: str | None = Field(
        description='Most likely key, e.g. "A minor"; read it together with keyAmbiguous and keyConfidence.'
    )
    key_confidence: float | None = Field(
        description="0..1: the best key's lead over the runner-up (a key and its relative share every note, so "
        "a low figure usually means major and relative minor fit about equally)."
    )
    unavailable: dict[str, str] = Field(default_factory=dict)
    key_ambiguous: bool = Field(
        default=False,
        description='True when keyConfidence is below 0.3: say "ambiguous between key and keyRunnerUp", not the key.',
    )
    key_runner_up: str | None = Field(default=None, description="The second most likely key.")
    tuning_cents: float | None = Field(
        default=None, description="Reference pitch relative to A = 440 Hz, cents (-50..50)."
    )
    tempo_alternative_bpm: float | None = Field(
        default=None,
        description="Half or double the tempo when that reading is nearly as periodic (a half-time groove); the "
        "genre's typical tempo picks between the two once the genre is known. Null when the octave is clear.",
    )


class Section(_Frozen):
    index: int
    label: str = Field(
        description='"verse"/"chorus"/"intro"/"outro"/"bridge" only when the structure repeats; otherwise '
        '"part A", "part B"..., "loud passage" or "quiet passage"; "full track" when there is one section.'
    )
    start_s: float
    end_s: float
    loudness_lufs: float | None = Field(description="Integrated loudness of the section (BS.1770 gating), LUFS.")
    width_pct: float | None = Field(description="Side power over mid power, % (unbounded; see sideToMidDb).")
    band_levels_db: list[BandValue] = Field(description="Per band: dB relative to the section's total power.")
    side_to_mid_db: float | None = Field(
        default=None,
        description="Side level relative to mid, dB (null on silence): -60 is mono, about -10 a typical mix, "
        "0 equal side and mid (uncorrelated), above 0 more side than mid (out of phase).",
    )
    correlation: float | None = Field(default=None, description="L/R correlation over the section, -1..1.")


class EncodedPeak(_Frozen):
    """The true peak after a lossy encode and decode with a real encoder (the file's hottest moments only)."""

    codec: str = Field(description='Codec and bitrate, e.g. "AAC 256 kbit/s".')
    true_peak_dbtp: float = Field(description="True peak of the decoded audio, dBTP.")


class Edges(_Frozen):
    """The head and tail of the file, for the delivery check."""

    head_silence_s: float = Field(description="Digital silence (below -90 dBFS) before the first sound, s.")
    tail_silence_s: float = Field(description="Digital silence after the last sound, s.")
    first_sample_dbfs: float | None = Field(
        description="Level of the very first sample, dBFS: above about -40 the file starts mid-waveform (a click)."
    )
    last_sample_dbfs: float | None = Field(
        description="Level of the very last sample, dBFS: above about -40 the file is cut off mid-waveform (a click)."
    )


class Analysis(_Frozen):
    schema_version: int = SCHEMA_VERSION
    file: FileInfo
    qc: QualityControl
    loudness: Loudness
    platforms: list[PlatformResult]
    dynamics: Dynamics
    clipping: Clipping
    spectrum: Spectrum
    stereo: Stereo
    bass: Bass
    transients: Transients
    musical: Musical
    sections: list[Section]
    elapsed_s: float  # wall time the analysis took
    edges: Edges | None = None  # None in analyses stored before the delivery check
    encoded_peaks: list[EncodedPeak] = Field(
        default_factory=list,
        description="True peak after AAC and Opus encoding at streaming bitrates; empty when not measured.",
    )

    def to_json_dict(self) -> dict[str, object]:
        """The JSON-ready dict stored in the database and printed by ``mixcoach analyze --json``."""
        return self.model_dump(mode="json")
