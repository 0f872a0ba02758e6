"""``python -m bench.calibrate.shelf_probe``: can anything in one track tell a -12 dB shelf above 5 kHz? (issue 9)

The flaw matrix's shelf (``tests/fakes/flaws.py``: -12 dB / (1 + (5 kHz / f)^4)) is a linear, time-invariant
filter, so every part of the mix gets the same gain per frequency: hi-hat and cymbal hits, the onsets' attack
spectrum, the harmonic part of sustained notes, the treble-richest moments. Anything measured in dB over time
(how percussive the treble is, how it moves with the beat, stereo) is unchanged; a detector can only compare some
part's treble level with what real releases show for that part. This probe measures, on 30 s excerpts from 30 %
in of every used corpus track (``MANIFEST.tsv``) and of the three pip-shipped tracks, clean and shelved, the treble
tilt (5.6-11 kHz over 2-4.5 kHz, dB) of such parts, to see whether any of them spreads less than the long-term
spectrum over clean releases:

- ``long-term``: the whole excerpt's spectrum;
- ``onsets``: the power the onsets add (frames at an onset minus the frames just before it), onsets found by the
  flux above 2 kHz in dB (a shelf-invariant choice);
- ``hat hits``: the same for the quarter of onsets with the largest rise in dB above 5.6 kHz (hats, cymbals);
- ``top 10 % / 1 % frames``: the 90th / 99th percentile of the per-frame tilt (the treble-richest moments);
- ``percussive`` / ``harmonic``: the two parts of a median-filter HPSS.

"Found at 1 / 2 / 5 %" is the share of shelved corpus tracks below the clean tracks' p1 / p2 / p5; the pip ranks
are where each shelved pip track falls among the clean corpus tracks (0 % = the dullest). Results go to
``<cache>/shelf_probe.jsonl`` (one line a track, so a run can stop and resume) and the table is printed.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.ndimage as ndi
import soundfile as sf

from bench.calibrate.corpus import Track, interleaved, local_file

F64 = npt.NDArray[np.float64]
EXCERPT_S = 30.0
LOW_HZ, HIGH_HZ = (2000.0, 4500.0), (5600.0, 11000.0)
_EDGES = 1000.0 * 2.0 ** (np.arange(-1, 13) / 3.0)  # 1/3-octave edges, 794 Hz-16 kHz
FEATURES = ("long-term", "onsets", "hat hits", "top 10 % frames", "top 1 % frames", "percussive", "harmonic")


def shelf_db(freq: F64) -> F64:
    out: F64 = -12.0 / (1.0 + (5000.0 / np.maximum(freq, 1e-9)) ** 4)
    return out


def shelve(y: F64, sr: int) -> F64:
    """The matrix's shelf, zero-phase, then a peak normalisation (as ``tests.fakes.flaws.apply``)."""
    gain = 10.0 ** (shelf_db(np.fft.rfftfreq(y.shape[0], 1.0 / sr).astype(np.float64)) / 20.0)
    out: F64 = np.fft.irfft(np.fft.rfft(y, axis=0) * gain[:, None], n=y.shape[0], axis=0)
    return out * (0.9 / float(np.max(np.abs(out))))


def _stft_power(mono: F64, *, n: int, hop: int) -> F64:
    frames = np.lib.stride_tricks.sliding_window_view(mono, n)[::hop]
    spec = np.fft.rfft(frames * np.hanning(n), axis=1)
    power: F64 = spec.real**2 + spec.imag**2
    return power


def _thirds(power: F64, freqs: F64) -> tuple[F64, F64]:
    """Per-frame mean power per 1/3 octave (frames, thirds) and the thirds' centres."""
    starts = np.searchsorted(freqs, _EDGES)
    cols = [power[:, a:b].mean(axis=1) for a, b in zip(starts[:-1], starts[1:], strict=True) if b > a]
    centres: F64 = np.sqrt(_EDGES[:-1] * _EDGES[1:])[: len(cols)]
    return np.column_stack(cols) + 1e-20, centres


def _tilt(power: F64, centres: F64) -> F64:
    """Treble tilt in dB of each row (or of a 1-D spectrum): 5.6-11 kHz over 2-4.5 kHz."""
    lo = (centres >= LOW_HZ[0]) & (centres <= LOW_HZ[1])
    hi = (centres >= HIGH_HZ[0]) & (centres <= HIGH_HZ[1])
    out: F64 = 10.0 * np.log10((power[..., hi].mean(axis=-1) + 1e-20) / (power[..., lo].mean(axis=-1) + 1e-20))
    return out


def _onsets(levels_db: F64, centres: F64) -> npt.NDArray[np.intp]:
    """Frames where the mean positive dB flux above 2 kHz peaks over its local mean (librosa's recipe)."""
    flux = np.maximum(np.diff(levels_db, axis=0)[:, centres >= 2000.0], 0.0).mean(axis=1)
    peak = np.lib.stride_tricks.sliding_window_view(np.pad(flux, 8, mode="edge"), 17).max(axis=1)
    mean = np.lib.stride_tricks.sliding_window_view(np.pad(flux, 40, mode="edge"), 81).mean(axis=1)
    on = np.flatnonzero((flux == peak) & (flux > mean + 0.5 * flux.std()) & (flux > 0.05 * flux.max())) + 1
    return on[(on >= 3) & (on < len(levels_db) - 1)]


def _onset_tilts(mono: F64, sr: int) -> dict[str, float]:
    power, centres = _thirds(_stft_power(mono, n=1024, hop=256), np.fft.rfftfreq(1024, 1.0 / sr).astype(np.float64))
    on = _onsets(10.0 * np.log10(power), centres)
    if len(on) < 10:
        return {}
    before = np.minimum(power[on - 3], power[on - 2])
    after = np.maximum(power[on], power[on + 1])
    added = np.maximum(after - before, 0.0)
    hi = (centres >= HIGH_HZ[0]) & (centres <= HIGH_HZ[1])
    rise = (10.0 * np.log10(after / before))[:, hi].mean(axis=1)
    hats = rise >= np.quantile(rise, 0.75)
    return {
        "onsets": float(_tilt(added.mean(axis=0), centres)),
        "hat hits": float(_tilt(added[hats].mean(axis=0), centres)),
    }


def _frame_tilts(mono: F64, sr: int) -> dict[str, float]:
    n = 2048
    power = _stft_power(mono, n=n, hop=n // 2)
    freqs = np.fft.rfftfreq(n, 1.0 / sr).astype(np.float64)
    thirds, centres = _thirds(power, freqs)
    treble = thirds[:, centres >= LOW_HZ[0]].sum(axis=1)
    tilt = _tilt(thirds, centres)[treble > 0.1 * np.median(treble)]
    magnitude = np.sqrt(power).T  # (bins, frames)
    harmonic = ndi.median_filter(magnitude, size=(1, 9))
    percussive = ndi.median_filter(magnitude, size=(9, 1))
    mask = percussive**2 / (percussive**2 + harmonic**2 + 1e-20)
    parts = {"percussive": (mask * power.T).mean(axis=1), "harmonic": ((1.0 - mask) * power.T).mean(axis=1)}
    out = {"long-term": float(_tilt(_thirds(power.mean(axis=0)[None], freqs)[0][0], centres))}
    out |= {"top 10 % frames": float(np.percentile(tilt, 90)), "top 1 % frames": float(np.percentile(tilt, 99))}
    return out | {k: float(_tilt(_thirds(v[None], freqs)[0][0], centres)) for k, v in parts.items()}


def features(y: F64, sr: int) -> dict[str, float]:
    """Every treble tilt of the probe for one excerpt (frames, channels)."""
    mono: F64 = y.mean(axis=1)
    return _frame_tilts(mono, sr) | _onset_tilts(mono, sr)


def _excerpt(path: Path) -> tuple[F64, int]:
    with sf.SoundFile(str(path)) as f:
        sr = int(f.samplerate)
        f.seek(int(min(0.3 * f.frames, max(0, f.frames - EXCERPT_S * sr))))
        y: F64 = f.read(int(EXCERPT_S * sr), dtype="float64", always_2d=True)
    return y, sr


def _corpus(cache: Path) -> list[Track]:
    manifest = Path(__file__).with_name("MANIFEST.tsv")
    with manifest.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter="\t") if r["used"] == "yes"]
    return interleaved([Track(package=r["package"], path=r["path"], genre=r["genre"]) for r in rows])


def _measure_all(cache: Path, out: Path, *, limit: int | None) -> list[dict[str, object]]:
    known = {}
    if out.exists():
        known = {(rec := json.loads(line))["name"]: rec for line in out.read_text().splitlines()}
    for track in _corpus(cache)[:limit]:
        if track.name in known:
            continue
        y, sr = _excerpt(local_file(cache, track))
        rec = {"name": track.name, "genre": track.genre, "clean": features(y, sr), "shelf": features(shelve(y, sr), sr)}
        known[track.name] = rec
        with out.open("a", encoding="utf-8") as f:
            f.write(json.dumps(rec) + "\n")
    return list(known.values())


def _pip() -> list[tuple[str, dict[str, float]]]:
    from tests.fakes import pip_music

    out = []
    for t in pip_music.TRACKS:
        if t.path.is_file():
            y, sr = pip_music.excerpt(t)
            out.append((t.genre, features(shelve(y, sr), sr)))
    return out


def _value(record: dict[str, object], side: str, key: str) -> float | None:
    figures = record[side]
    return float(figures[key]) if isinstance(figures, dict) and key in figures else None


def table(records: list[dict[str, object]], pip: list[tuple[str, dict[str, float]]]) -> list[str]:
    """The probe's Markdown table (``docs/flaw-matrix.md``)."""
    lines = [f"{len(records)} clean corpus tracks, 30 s excerpts; treble tilt 5.6-11 kHz over 2-4.5 kHz (dB)",
             "| part | clean sd | clean p1 / p2 / p5 | shelf moves it | found at 1 / 2 / 5 % | shelved pip ranks |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    for k in FEATURES:
        pairs = [(_value(r, "clean", k), _value(r, "shelf", k)) for r in records]
        clean = np.array([c for c, s in pairs if c is not None and s is not None])
        shelved = np.array([s for c, s in pairs if c is not None and s is not None])
        p = np.percentile(clean, [1, 2, 5])
        found = " / ".join(f"{np.mean(shelved < v):.0%}" for v in p)
        ranks = ", ".join(f"{g} {np.mean(clean < f[k]):.0%}" for g, f in pip if k in f)
        lines.append(f"| {k} | {clean.std():.1f} | {p[0]:.1f} / {p[1]:.1f} / {p[2]:.1f} | "
                     f"{np.median(shelved - clean):+.1f} | {found} | {ranks} |")  # fmt: skip
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.calibrate.shelf_probe")
    parser.add_argument("--cache", default=os.environ.get("MIXCOACH_CALIBRATE_CACHE", ".cache/calibrate"))
    parser.add_argument("--limit", type=int, default=None, help="only the first N tracks (interleaved order)")
    args = parser.parse_args()
    cache = Path(args.cache)
    records = _measure_all(cache, cache / "shelf_probe.jsonl", limit=args.limit)
    print("\n".join(table(records, _pip())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
