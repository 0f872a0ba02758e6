"""Measure each corpus track with our own ``services.analysis.analyze`` and cache the figures calibration reads."""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

import soundfile as sf

from bench.calibrate.corpus import Track, local_file
from services.analysis import AnalysisConfig, analyze
from services.errors import DomainError

log = logging.getLogger(__name__)


EXCERPT_S = 90.0  # the long-term spectrum of 90 s from 30 % in: representative, and a third of the time


def _excerpt(path: Path, out: Path) -> float:
    """Write up to ``EXCERPT_S`` seconds from 30 % into the track as a float WAV; returns the track's duration."""
    with sf.SoundFile(str(path)) as f:
        duration = float(f.frames / f.samplerate)
        if duration > EXCERPT_S:
            f.seek(int(min(0.3 * f.frames, f.frames - EXCERPT_S * f.samplerate)))
        y = f.read(int(EXCERPT_S * f.samplerate), dtype="float32", always_2d=True)
        sf.write(str(out), y, f.samplerate, subtype="FLOAT")
    return duration


def _figures(path: Path) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as tmp:
        excerpt = Path(tmp) / "excerpt.wav"
        duration = _excerpt(path, excerpt)
        a = analyze(str(excerpt), config=AnalysisConfig(max_duration_s=1800.0))
    return {
        "duration_s": round(duration, 1),
        "excerpt_s": round(a.file.duration_s, 1),
        "sample_rate_hz": a.file.sample_rate_hz,
        "channels": a.file.channels,
        "band_levels_db": {b.band: b.value for b in a.spectrum.band_levels_db},
        "third_octave": [[t.center_hz, t.level_db] for t in a.spectrum.third_octave],
        "centroid_hz": a.spectrum.centroid_hz,
        "tilt_db_per_octave": a.spectrum.tilt_db_per_octave,
        "integrated_lufs": a.loudness.integrated_lufs,
        "loudness_range_lu": a.loudness.loudness_range_lu,
        "plr_db": a.dynamics.plr_db,
        "width_pct": a.stereo.width_pct,
        "tempo_bpm": a.musical.tempo_bpm,
        "onset_rate_per_s": a.transients.onset_rate_per_s,
        "lossy_cutoff_hz": a.qc.lossy_cutoff_hz,
        "resampled_cutoff_hz": a.qc.resampled_cutoff_hz,
    }


def _cache_file(cache: Path, track: Track) -> Path:
    return cache / "measured" / track.package / (track.path.replace("/", "__").replace("!", "__") + ".json")


def cached(cache: Path, track: Track) -> dict[str, object] | None:
    """The figures measured before, if any."""
    out = _cache_file(cache, track)
    if not out.exists():
        return None
    figures: dict[str, object] = json.loads(out.read_text())
    return figures


def measure(cache: Path, track: Track) -> dict[str, object] | None:
    """The cached figures of one track, measuring it on first use; None when it cannot be analysed."""
    if (known := cached(cache, track)) is not None:
        return known
    out = _cache_file(cache, track)
    try:
        figures = _figures(local_file(cache, track))
    except DomainError as exc:
        log.warning("skipping %s: %s", track.name, exc.message)
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures))
    return figures
