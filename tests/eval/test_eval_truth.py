"""The clean-release audit's own checks (bench/eval): each blocker check says yes on audio that has the defect and
no on audio that does not, and "on a note" follows the key and the tuning."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from bench.eval.audit import key_pitch_classes, on_note
from bench.eval.truth import CHECKS, load

SR = 44100


def _music(seconds: float = 20.0, *, seed: int = 0) -> np.ndarray:
    """A stereo bed: a 440 Hz tone and decorrelated noise, faded in and out, peaking near -10 dBFS."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(SR * seconds)) / SR
    tone = 0.2 * np.sin(2 * np.pi * 440 * t)
    y = np.stack([tone + 0.03 * rng.standard_normal(len(t)), tone + 0.03 * rng.standard_normal(len(t))], axis=1)
    fade = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.5)
    return y * fade[:, None]


def _checks(tmp_path: Path, y: np.ndarray, name: str = "x.wav", sr: int = SR) -> dict[str, bool]:
    path = tmp_path / name
    sf.write(str(path), y, sr, subtype="PCM_16" if name.endswith(".wav") else "VORBIS")
    facts = load(path)
    return {slug: check(facts) for slug, check in CHECKS.items()}


def test_a_clean_wav_has_none_of_the_defects(tmp_path: Path) -> None:
    assert not any(_checks(tmp_path, _music()).values())


def test_each_defect_is_seen(tmp_path: Path) -> None:
    y = _music()
    clipped = np.clip(y * 8, -1.0, 1.0)
    assert _checks(tmp_path, clipped)["clipping.clipped_samples"]
    assert _checks(tmp_path, y + 0.02)["qc.dc_offset"]
    assert _checks(tmp_path, np.repeat(y[:, :1], 2, axis=1))["qc.dual_mono"]
    assert _checks(tmp_path, np.repeat(y[:, :1], 2, axis=1))["stereo.mono_content"]
    assert _checks(tmp_path, np.concatenate([np.zeros((3 * SR, 2)), y]))["qc.head_silence"]
    assert _checks(tmp_path, np.concatenate([y, np.zeros((6 * SR, 2))]))["qc.tail_silence"]
    assert _checks(tmp_path, y[int(0.25 * SR) + 7 :])["qc.head_click"]
    assert _checks(tmp_path, y[: -int(0.25 * SR) - 7])["qc.tail_click"]
    assert _checks(tmp_path, y * [1.0, -1.0])["stereo.phase"]
    assert _checks(tmp_path, y, sr=22050)["qc.low_sample_rate"]
    assert _checks(tmp_path, y, name="x.ogg")["qc.lossy_source"]


def test_opposed_bass_is_a_polarity_problem_and_in_phase_bass_is_not(tmp_path: Path) -> None:
    t = np.arange(20 * SR) / SR
    bass = 0.3 * np.sin(2 * np.pi * 55 * t)
    y = _music()
    assert _checks(tmp_path, y + np.stack([bass, -bass], axis=1))["stereo.low_polarity"]
    assert not _checks(tmp_path, y + np.stack([bass, bass], axis=1))["stereo.low_polarity"]


def test_on_a_note_follows_the_key_and_the_tuning() -> None:
    assert key_pitch_classes("Eb major") == {3, 5, 7, 8, 10, 0, 2}
    assert on_note(659.26, key="E major", tuning_cents=0.0)  # E5
    assert not on_note(659.26, key="Eb major", tuning_cents=0.0)  # E is not a note of Eb major
    assert not on_note(440.0 * 2 ** (14.5 / 12), key="E major", tuning_cents=0.0)  # a quarter tone off
    assert on_note(659.26 * 2 ** (40 / 1200), key="E major", tuning_cents=40.0)
    assert not on_note(659.26 * 2 ** (40 / 1200), key="E major", tuning_cents=0.0)
