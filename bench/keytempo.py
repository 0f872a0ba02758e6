"""``python -m bench.keytempo``: key and tempo on labelled synthetic sets, ours beside the usual librosa recipe.

The sets, all synthesised, so every figure here is on synthetic audio, not on real music:
- ``tests.fakes.keyset`` (seeds 11 and 22): every key in both modes, two songs each; verse, chorus and
  cadences with inversions and borrowed chords, detuned additive timbres, a walking bass, four drum patterns,
  60-180 BPM, tuning +-35 cents. Seed 11 is the one the key method's choices were made on; 22 was held out
  until the last choice (the weight of the bass's fifth), which was checked on all four sets.
- ``tests.fakes.music.labelled_set`` (seeds 1234 and 777): the older, simpler loops (one four-chord
  progression in root position, 70-175 BPM).
No package registry ships recordings with key labels that we found (librosa's and arcade's music have none).
The nearest thing is the third set, ``bench.rendered``: real compositions (music21's Bach chorales) with the key
from the score and a tempo we set, rendered with fluidsynth's General MIDI sound font. They are rendered scores,
not recordings; their held-out half is the figure for the issue's real-music goals.

The librosa recipe is the one most tutorials give: ``chroma_cqt`` averaged over the file, correlated with the
Krumhansl-Schmuckler profiles; tempo from ``librosa.feature.tempo``. Key scores: exact and MIREX-weighted (1
exact, 0.5 fifth, 0.3 relative, 0.2 parallel). Tempo: within 4 % (acc1), and within 4 % allowing
double/half/triple (acc2, the usual "octave errors allowed").
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf

from bench.rendered import Piece, build, installed_sound_font
from services.analysis import analyze
from tests.fakes.keyset import keyset
from tests.fakes.music import NOTES, Labelled, labelled_set

_KS_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_KS_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])


def _parse(key: str) -> tuple[int, bool]:
    name, mode = key.split()
    return NOTES.index(name), mode == "minor"


def mirex_score(estimate: str | None, truth: str) -> float:
    """MIREX key weighting: exact 1, perfect fifth (same mode, either way) 0.5, relative 0.3, parallel 0.2."""
    if estimate is None:
        return 0.0
    (et, em), (tt, tm) = _parse(estimate), _parse(truth)
    if (et, em) == (tt, tm):
        return 1.0
    if em == tm and (et - tt) % 12 in (5, 7):
        return 0.5
    if em != tm and (et - tt) % 12 == (3 if tm else 9):
        return 0.3
    if em != tm and et == tt:
        return 0.2
    return 0.0


def tempo_hits(estimate: float | None, truth: float) -> tuple[bool, bool]:
    if not estimate:
        return False, False
    close = abs(estimate - truth) <= 0.04 * truth
    octave = any(abs(estimate - truth * f) <= 0.04 * truth * f for f in (0.5, 2.0, 1 / 3, 3.0))
    return close, close or octave


def librosa_recipe(y: np.ndarray, sr: int) -> tuple[str, float]:
    import librosa

    chroma = librosa.feature.chroma_cqt(y=y.astype(np.float32), sr=sr).mean(axis=1)
    scores = [(np.corrcoef(chroma, np.roll(p, k))[0, 1], f"{NOTES[k]} {m}")
              for m, p in (("major", _KS_MAJOR), ("minor", _KS_MINOR)) for k in range(12)]  # fmt: skip
    bpm = float(librosa.feature.tempo(y=y.astype(np.float32), sr=sr)[0])
    return max(scores)[1], bpm


def _ours(item: Labelled, folder: Path) -> tuple[str | None, float | None, bool, float]:
    path = folder / f"{item.name}.wav"
    sf.write(path, item.y, item.sr, subtype="PCM_16")
    m = analyze(path).musical
    return m.key, m.tempo_bpm, m.key_ambiguous, m.tempo_confidence or 0.0


def _score(items: list[Labelled]) -> np.ndarray:
    rows: list[tuple[float, ...]] = []
    with tempfile.TemporaryDirectory(prefix="mixcoach-keys-") as tmp:
        for item in items:
            key, bpm, ambiguous, confidence = _ours(item, Path(tmp))
            their_key, their_bpm = librosa_recipe(item.y, item.sr)
            ours_t, theirs_t = tempo_hits(bpm, item.bpm), tempo_hits(their_bpm, item.bpm)
            rows.append((mirex_score(key, item.key), mirex_score(their_key, item.key), *ours_t, *theirs_t, ambiguous,
                         confidence))  # fmt: skip
    return np.array(rows, dtype=np.float64)


def _print(title: str, a: np.ndarray) -> None:
    n = len(a)
    print(f"{title}: {n} songs (24 keys x {n // 24})")
    _rows(a)
    clear = a[:, 6] == 0
    print(
        f"  ours flagged ambiguous: {int((~clear).sum())} of {n}; exact among the rest: {np.mean(a[clear, 0] == 1):.0%}"
    )
    right = a[:, 3] == 1
    wrong = f"{a[~right, 7].mean():.2f} over the {int((~right).sum())} wrong" if (~right).any() else "none wrong"
    print(f"  ours tempo confidence: mean {a[right, 7].mean():.2f} when right (octave ok); {wrong}")


def _rows(a: np.ndarray) -> None:
    print(f"  {'method':<40} {'key exact':>10} {'MIREX':>7} {'tempo acc1':>11} {'acc2 (octave ok)':>17}")
    for name, k, t in (("ours (tuned HPCP, T+AS profiles, bass)", 0, 2), ("librosa chroma_cqt + Krumhansl", 1, 4)):
        print(f"  {name:<40} {np.mean(a[:, k] == 1):>10.0%} {a[:, k].mean():>7.3f} {a[:, t].mean():>11.0%}"
              f" {a[:, t + 1].mean():>17.0%}")  # fmt: skip


def _score_rendered(pieces: list[Piece]) -> np.ndarray:
    rows: list[tuple[float, ...]] = []
    for piece in pieces:
        m = analyze(piece.wav).musical
        y, sr = sf.read(piece.wav, dtype="float32", always_2d=True)
        their_key, their_bpm = librosa_recipe(y.mean(axis=1), sr)
        ours_t, theirs_t = tempo_hits(m.tempo_bpm, piece.bpm), tempo_hits(their_bpm, piece.bpm)
        rows.append((mirex_score(m.key, piece.key), mirex_score(their_key, piece.key), *ours_t, *theirs_t,
                     m.key_ambiguous, m.tempo_confidence or 0.0))  # fmt: skip
    return np.array(rows, dtype=np.float64)


def _print_rendered(title: str, a: np.ndarray) -> None:
    """Like ``_print``, plus how well the confidence separates right from wrong answers."""
    print(f"{title}: {len(a)} pieces")
    _rows(a)
    clear = a[:, 6] == 0
    for name, pick in (("confident", clear), ("ambiguous", ~clear)):
        if pick.any():
            print(f"  ours key {name}: {int(pick.sum())}, exact {np.mean(a[pick, 0] == 1):.0%}, "
                  f"MIREX {a[pick, 0].mean():.3f}")  # fmt: skip
    for name, pick in (("tempo confidence >= 0.3", a[:, 7] >= 0.3), ("below 0.3", a[:, 7] < 0.3)):
        if pick.any():
            print(f"  ours {name}: {int(pick.sum())}, acc1 {a[pick, 2].mean():.0%}, acc2 {a[pick, 3].mean():.0%}")


def rendered_sets() -> list[Piece] | None:
    """The rendered corpus, or ``None`` (with the reason printed) when fluidsynth or music21 is missing."""
    if shutil.which("fluidsynth") is None or installed_sound_font() is None:
        print("rendered corpus skipped: no fluidsynth or sound font (make bench installs them with apt-get)")
        return None
    try:
        import music21  # noqa: F401
    except ImportError:
        print("rendered corpus skipped: no music21 (make bench installs it)")
        return None
    return build()


def main() -> int:
    """The keyset at seed 11 and the loops at seed 1234 are the ones the choices were made on; the others were
    held out."""
    pieces = rendered_sets()
    if pieces:
        _print_rendered(
            "music21 corpus, rendered: held-out half", _score_rendered([p for p in pieces if not p.tuning_half])
        )
        _print_rendered("music21 corpus, rendered: tuning half", _score_rendered([p for p in pieces if p.tuning_half]))
    print("The sets below are synthetic (see the module docstring).")
    _print(
        "keyset seed 11 (used for choices): sections, inversions, borrowed chords", _score(keyset(seed=11, per_key=2))
    )
    _print("keyset seed 22 (held out)", _score(keyset(seed=22, per_key=2)))
    _print("loops seed 1234 (used for choices): one progression, root position", _score(labelled_set(seed=1234)))
    _print("loops seed 777 (held out)", _score(labelled_set(seed=777)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
