"""Sustained resonances vs the music's notes, on a synthetic tonal piece with a known fixed resonance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from services.analysis import analyze
from services.analysis.resonance import nearest_note, scale_pitch_classes
from tests.fakes.audio import Audio, pink_noise, write_wav

SR = 22050
# E major, a chord every 2 s: E, A, B, C#m (MIDI notes of each voicing).
_CHORDS = ((52, 56, 59, 64), (57, 61, 64, 69), (59, 63, 66, 71), (61, 64, 68, 73))
_RESONANCE_HZ = 440.0 * 2 ** (14.5 / 12)  # a quarter tone between B5 (988 Hz) and C6 (1047 Hz)


def _note(midi: int, seconds: float, rng: np.random.Generator, *, cents: float = 0.0) -> Audio:
    """A plucked-string-like tone: 12 partials falling about 1/k, each decaying, slight random level."""
    t = np.arange(round(SR * seconds)) / SR
    f0 = 440.0 * 2 ** ((midi - 69) / 12 + cents / 1200)
    y = np.zeros_like(t)
    for k in range(1, 13):
        if k * f0 < SR / 2 * 0.9:
            y += np.sin(2 * np.pi * k * f0 * t + rng.uniform(0, 2 * np.pi)) / k**1.1 * np.exp(-t * (0.4 + 0.15 * k))
    return y * rng.uniform(0.7, 1.0) * np.minimum(1.0, t / 0.01)


def tonal_piece(seconds: float = 48.0, *, seed: int = 0, transpose: int = 0, cents: float = 0.0) -> Audio:
    """Chords changing every 2 s over a quiet noise bed (room tone), stereo, peaking near -6 dBFS."""
    rng = np.random.default_rng(seed)
    parts: list[Audio] = [
        np.sum([_note(m + transpose, 2.0, rng, cents=cents) for m in _CHORDS[i % 4]], axis=0)
        for i in range(int(seconds / 2))
    ]
    music = np.concatenate(parts)
    music = music / np.max(np.abs(music)) * 0.5
    bed = pink_noise(sr=SR, seconds=len(music) / SR, rms_dbfs=-40.0, channels=2, seed=seed)
    out: Audio = music[:, None] * np.array([1.0, 0.9]) + bed
    return out


def peaking_eq(y: Audio, *, freq_hz: float, gain_db: float, q: float) -> Audio:
    """The magnitude of an RBJ peaking EQ applied zero-phase (in the FFT domain) to each channel."""
    f = np.fft.rfftfreq(len(y), 1.0 / SR)
    a = 10 ** (gain_db / 40)
    w0 = 2 * np.pi * freq_hz / SR
    alpha = np.sin(w0) / (2 * q)
    b = np.array([1 + alpha * a, -2 * np.cos(w0), 1 - alpha * a])
    den = np.array([1 + alpha / a, -2 * np.cos(w0), 1 - alpha / a])
    z = np.exp(-1j * 2 * np.pi * f / SR)
    gain = np.abs(np.polyval(b[::-1], z) / np.polyval(den[::-1], z))
    return np.fft.irfft(np.fft.rfft(y, axis=0) * gain[:, None], n=len(y), axis=0)


@pytest.mark.parametrize("seed", [0, 1])
def test_the_unaltered_tonal_piece_has_no_resonance(tmp_path: Path, seed: int) -> None:
    result = analyze(write_wav(tmp_path / "clean.wav", tonal_piece(seed=seed), SR, subtype="FLOAT"))
    assert result.musical.key == "E major"
    assert result.spectrum.resonances == []


def test_a_detuned_piece_in_a_flat_key_has_no_resonance_and_a_resonance_in_it_is_found(tmp_path: Path) -> None:
    """Eb major, 40 cents sharp (as many game and folk recordings are): its notes are still notes."""
    piece = tonal_piece(seed=2, transpose=-1, cents=40.0)
    result = analyze(write_wav(tmp_path / "detuned.wav", piece, SR, subtype="FLOAT"))
    assert result.musical.key == "Eb major" and result.musical.tuning_cents == pytest.approx(40.0, abs=10.0)
    assert result.spectrum.resonances == []
    between = _RESONANCE_HZ * 2 ** ((40.0 - 100.0) / 1200)  # a quarter tone between Bb5 and B5 on that tuning
    ringing = peaking_eq(piece, freq_hz=between, gain_db=10.0, q=8.0)
    found = analyze(write_wav(tmp_path / "detuned_ringing.wav", ringing, SR, subtype="FLOAT")).spectrum.resonances
    assert [r.frequency_hz for r in found] == [pytest.approx(between, rel=0.02)]


@pytest.mark.parametrize("seed", [0, 1])
def test_a_fixed_resonance_between_two_notes_is_found(tmp_path: Path, seed: int) -> None:
    y = peaking_eq(tonal_piece(seed=seed), freq_hz=_RESONANCE_HZ, gain_db=10.0, q=8.0)
    result = analyze(write_wav(tmp_path / "ringing.wav", y, SR, subtype="FLOAT"))
    assert len(result.spectrum.resonances) >= 1
    top = result.spectrum.resonances[0]
    assert top.frequency_hz == pytest.approx(_RESONANCE_HZ, rel=0.02)
    assert top.prominence_db >= 6.0  # enough for the resonance finding
    assert len(result.spectrum.resonances) == 1  # the notes are still not resonances


def test_a_resonance_in_noise_is_found_and_plain_noise_has_none(tmp_path: Path) -> None:
    noise = pink_noise(sr=SR, seconds=20.0, rms_dbfs=-20.0, channels=2, seed=7)
    assert analyze(write_wav(tmp_path / "n.wav", noise, SR, subtype="FLOAT")).spectrum.resonances == []
    ringing = peaking_eq(noise, freq_hz=300.0, gain_db=10.0, q=8.0)
    found = analyze(write_wav(tmp_path / "r.wav", ringing, SR, subtype="FLOAT")).spectrum.resonances
    assert [round(r.frequency_hz / 10) for r in found] == [30]


def test_the_edge_of_a_lossy_cut_off_is_not_a_resonance(tmp_path: Path) -> None:
    """Noise low-passed like an encoder (flat to 14 kHz, 40 dB down by 14.8 kHz, 44.1 kHz file): the knee stands
    above the quiet band past it, not above the spectrum below it."""
    sr = 44100
    noise = pink_noise(sr=sr, seconds=20.0, rms_dbfs=-20.0, channels=2, seed=8)
    spectrum = np.fft.rfft(noise, axis=0)
    freqs = np.fft.rfftfreq(len(noise), 1.0 / sr)
    spectrum *= 10 ** (-np.clip((freqs - 14000.0) / 800.0, 0.0, 1.0)[:, None] * 40.0 / 20)
    cut = np.fft.irfft(spectrum, n=len(noise), axis=0)
    assert analyze(write_wav(tmp_path / "cut.wav", cut, sr, subtype="FLOAT")).spectrum.resonances == []


def test_scale_and_note_helpers() -> None:
    assert scale_pitch_classes("E major") == {4, 6, 8, 9, 11, 1, 3}
    assert scale_pitch_classes("A minor") == {9, 11, 0, 2, 4, 5, 7}
    assert scale_pitch_classes(None) == set()
    pc, cents = nearest_note(659.26)
    assert pc == 4 and cents == pytest.approx(0.0, abs=0.1)
    assert nearest_note(_RESONANCE_HZ)[1] == pytest.approx(-50.0, abs=0.1)
    # keys the estimate names flat have their scale; a detuned recording's notes are notes on its own tuning
    assert scale_pitch_classes("Eb major") == {3, 5, 7, 8, 10, 0, 2}
    assert scale_pitch_classes("Bb minor") == {10, 0, 1, 3, 5, 6, 8}
    assert nearest_note(659.26 * 2 ** (40 / 1200))[1] == pytest.approx(40.0, abs=0.1)
    pc, cents = nearest_note(659.26 * 2 ** (40 / 1200), tuning_cents=40.0)
    assert pc == 4 and cents == pytest.approx(0.0, abs=0.1)
