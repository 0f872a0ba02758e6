"""Known-answer tests: signals whose every figure can be derived on paper."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.analysis import analyze
from tests.fakes.audio import click_track, dbfs, pink_noise, sine, write_wav


def test_sine_at_known_level_gives_expected_lufs_peak_and_crest(tmp_path: Path) -> None:
    y = sine(1000.0, sr=48000, seconds=10.0, level_dbfs=-20.0, channels=2)
    result = analyze(write_wav(tmp_path / "s.wav", y, 48000, subtype="FLOAT"))
    lo = result.loudness
    assert lo.integrated_lufs == pytest.approx(-20.0, abs=0.05)
    assert lo.sample_peak_dbfs == pytest.approx(-20.0, abs=0.01)
    assert lo.true_peak_dbtp == pytest.approx(-20.0, abs=0.05)
    assert lo.rms_dbfs == pytest.approx(-23.01, abs=0.02)
    assert result.dynamics.crest_factor_db == pytest.approx(3.01, abs=0.03)
    assert lo.loudness_range_lu == pytest.approx(0.0, abs=0.1)
    assert result.qc.is_dual_mono


def test_mono_sine_is_measured_as_one_channel(tmp_path: Path) -> None:
    y = sine(1000.0, sr=44100, seconds=5.0, level_dbfs=-20.0)
    result = analyze(write_wav(tmp_path / "m.wav", y, 44100, subtype="PCM_16"))
    assert result.qc.is_mono_file and result.file.channels == 1
    assert result.loudness.integrated_lufs == pytest.approx(-23.0, abs=0.1)  # one channel: 3 dB below stereo
    assert result.stereo.correlation == pytest.approx(1.0)


def test_out_of_phase_pair_has_correlation_minus_one_and_folds_away(tmp_path: Path) -> None:
    left = pink_noise(sr=44100, seconds=8.0, rms_dbfs=-20.0, seed=3)
    result = analyze(write_wav(tmp_path / "p.wav", np.column_stack([left, -left]), 44100, subtype="FLOAT"))
    st = result.stereo
    assert st.correlation == pytest.approx(-1.0, abs=0.001)
    assert st.mono_loudness_change_db is not None and st.mono_loudness_change_db < -40.0
    assert all(b.value is not None and b.value < -40.0 for b in st.mono_band_loss_db)
    assert st.out_of_phase and st.out_of_phase[0].end_s - st.out_of_phase[0].start_s > 6.0
    assert result.bass.low_end_correlation == pytest.approx(-1.0, abs=0.01)


def test_uncorrelated_noise_is_wide_and_loses_3_db_in_mono(tmp_path: Path) -> None:
    y = pink_noise(sr=44100, seconds=10.0, rms_dbfs=-20.0, channels=2, seed=4)
    result = analyze(write_wav(tmp_path / "u.wav", y, 44100, subtype="FLOAT"))
    assert result.stereo.correlation == pytest.approx(0.0, abs=0.05)
    assert result.stereo.width_pct == pytest.approx(100.0, abs=10.0)
    assert result.stereo.mono_loudness_change_db == pytest.approx(-3.0, abs=0.2)
    assert result.stereo.balance_db == pytest.approx(0.0, abs=0.2)


def test_pink_noise_tilt_is_minus_3_db_per_octave(tmp_path: Path) -> None:
    y = pink_noise(sr=48000, seconds=20.0, rms_dbfs=-18.0, channels=2, seed=1)
    result = analyze(write_wav(tmp_path / "pink.wav", y, 48000, subtype="FLOAT"))
    assert result.spectrum.tilt_db_per_octave == pytest.approx(-3.0, abs=0.3)
    bands = {b.band: b.value for b in result.spectrum.bands}
    assert sum(v for v in bands.values() if v is not None) == pytest.approx(100.0, abs=0.5)
    assert not result.qc.likely_lossy and not result.qc.likely_resampled


def test_hard_clipped_sine_gives_the_right_clip_count(tmp_path: Path) -> None:
    sr = 44100
    raw = 2.0 * np.sin(2 * np.pi * 441.0 * np.arange(sr * 2) / sr)  # 100 samples per period
    y = np.clip(raw, -1.0, 1.0)
    flags = np.abs(y) >= 1.0
    edges = np.diff(np.concatenate([[0], flags.astype(int), [0]]))
    lengths = np.flatnonzero(edges == -1) - np.flatnonzero(edges == 1)
    result = analyze(write_wav(tmp_path / "c.wav", np.column_stack([y, y]), sr, subtype="PCM_16"))
    clip = result.clipping
    assert clip.clip_runs == 2 * int((lengths >= 3).sum())  # two channels
    assert clip.clipped_samples == 2 * int(lengths[lengths >= 3].sum())
    assert clip.events_capped and len(clip.clip_events) == 50
    assert result.dynamics.heavy_limiting


def test_click_track_at_120_bpm_gives_120(tmp_path: Path) -> None:
    result = analyze(write_wav(tmp_path / "k.wav", click_track(120.0, seconds=30.0), 44100))
    assert result.musical.tempo_bpm == pytest.approx(120.0, abs=1.0)
    assert result.transients.onset_rate_per_s == pytest.approx(2.0, abs=0.2)


@pytest.mark.parametrize("bpm", [90.0, 140.0, 174.0])
def test_click_tracks_at_other_tempi(tmp_path: Path, bpm: float) -> None:
    result = analyze(write_wav(tmp_path / "k.wav", click_track(bpm, seconds=30.0), 44100))
    assert result.musical.tempo_bpm == pytest.approx(bpm, rel=0.02)


def test_a_minor_triad_gives_a_minor(tmp_path: Path) -> None:
    sr, secs = 44100, 8.0
    t = np.arange(int(sr * secs)) / sr
    y = sum(0.2 * np.sin(2 * np.pi * f * t) for f in (220.0, 261.63, 329.63, 440.0))
    result = analyze(write_wav(tmp_path / "am.wav", np.asarray(y), sr))
    assert result.musical.key == "A minor"


def test_dc_offset_is_reported_per_channel(tmp_path: Path) -> None:
    y = pink_noise(sr=44100, seconds=4.0, rms_dbfs=-20.0, channels=2, seed=2)
    y[:, 1] += 0.05
    result = analyze(write_wav(tmp_path / "dc.wav", y, 44100, subtype="FLOAT"))
    assert result.qc.dc_offset_pct[0] == pytest.approx(0.0, abs=0.01)
    assert result.qc.dc_offset_pct[1] == pytest.approx(5.0, abs=0.01)


def test_lowpassed_noise_is_flagged_as_likely_lossy(tmp_path: Path) -> None:
    sr, n = 44100, 44100 * 10
    spec = np.fft.rfft(np.random.default_rng(0).standard_normal((2, n)), axis=1)
    spec[:, np.fft.rfftfreq(n, 1 / sr) > 16000.0] = 0.0
    y = 0.1 * np.fft.irfft(spec, n=n, axis=1).T
    result = analyze(write_wav(tmp_path / "lossy.wav", y, sr, subtype="FLOAT"))
    assert result.qc.likely_lossy
    assert result.qc.lossy_cutoff_hz == pytest.approx(16000.0, rel=0.03)


def test_upsampled_material_is_flagged_as_resampled(tmp_path: Path) -> None:
    sr, n = 96000, 96000 * 6
    spec = np.fft.rfft(np.random.default_rng(0).standard_normal((2, n)), axis=1)
    spec[:, np.fft.rfftfreq(n, 1 / sr) > 22050.0] = 0.0
    y = 0.1 * np.fft.irfft(spec, n=n, axis=1).T
    result = analyze(write_wav(tmp_path / "up.wav", y, sr, subtype="FLOAT"))
    assert result.qc.likely_resampled and not result.qc.likely_lossy


def test_low_peaks_find_kick_and_bass_fundamentals(tmp_path: Path) -> None:
    sr = 44100
    t = np.arange(sr * 10) / sr
    y = 0.3 * np.sin(2 * np.pi * 55.0 * t) + 0.2 * np.sin(2 * np.pi * 110.0 * t) + 0.01 * np.sin(2 * np.pi * 3e3 * t)
    result = analyze(write_wav(tmp_path / "b.wav", np.column_stack([y, y]), sr))
    peaks = [p.frequency_hz for p in result.bass.low_peaks]
    assert peaks[0] == pytest.approx(55.0, abs=3.0)
    assert any(abs(p - 110.0) < 3.0 for p in peaks)
    assert result.bass.low_end_width_pct == pytest.approx(0.0, abs=0.1)


def test_platform_gain_turns_a_hot_master_down_and_flags_lossy_risk(tmp_path: Path) -> None:
    y = sine(1000.0, sr=48000, seconds=10.0, level_dbfs=-0.5, channels=2)
    result = analyze(write_wav(tmp_path / "hot.wav", y, 48000, subtype="FLOAT"))
    rows = {p.platform: p for p in result.platforms}
    spotify = rows["Spotify"]
    assert spotify.gain_db == pytest.approx(-14.0 - (result.loudness.integrated_lufs or 0.0), abs=0.02)
    assert rows["EBU R128 broadcast"].resulting_lufs == pytest.approx(-23.0, abs=0.01)
    assert len(rows) == 8 and all(p.source for p in result.platforms)
    quiet = analyze(write_wav(tmp_path / "q.wav", y * dbfs(-25.0), 48000, subtype="FLOAT"))
    yt = {p.platform: p for p in quiet.platforms}["YouTube"]
    assert yt.gain_db == 0.0 and not yt.lossy_clip_risk


def test_sections_follow_level_changes(tmp_path: Path) -> None:
    sr = 22050
    parts = [
        pink_noise(sr=sr, seconds=s, rms_dbfs=lv, channels=2, seed=i)
        for i, (s, lv) in enumerate([(20, -35.0), (30, -18.0), (20, -30.0), (30, -14.0), (20, -36.0)])
    ]
    result = analyze(write_wav(tmp_path / "s.wav", np.concatenate(parts), sr, subtype="FLOAT"))
    starts = [s.start_s for s in result.sections]
    assert len(starts) == 5
    assert np.allclose(starts[1:], [20.0, 50.0, 70.0, 100.0], atol=2.5)
    labels = [s.label for s in result.sections]
    assert labels == ["quiet passage", "loud passage", "quiet passage", "loud passage", "quiet passage"]


def test_clicks_in_silence_are_sharp_and_punchy_within_the_cap(tmp_path: Path) -> None:
    result = analyze(write_wav(tmp_path / "k.wav", click_track(128.0, seconds=20.0), 44100))
    tr = result.transients
    assert tr.attack_sharpness is not None and tr.attack_sharpness > 0.9
    assert tr.punch_db is not None and 20.0 < tr.punch_db <= 60.0
    assert result.musical.tempo_bpm == pytest.approx(128.0, abs=0.5)


def test_steady_noise_has_little_punch(tmp_path: Path) -> None:
    y = pink_noise(sr=44100, seconds=10.0, rms_dbfs=-20.0, channels=2)
    result = analyze(write_wav(tmp_path / "n.wav", y, 44100))
    assert result.transients.punch_db is None or abs(result.transients.punch_db) < 3.0


def test_real_mp3_encoding_of_noise_is_flagged_as_lossy(tmp_path: Path) -> None:
    y = pink_noise(sr=44100, seconds=20.0, rms_dbfs=-16.0, channels=2, seed=9)
    result = analyze(write_wav(tmp_path / "enc.mp3", y, 44100, subtype="MPEG_LAYER_III"))
    assert result.qc.likely_lossy
    assert result.qc.lossy_cutoff_hz is not None and 11000.0 <= result.qc.lossy_cutoff_hz <= 20500.0
    assert result.file.bit_depth is None
