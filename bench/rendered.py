"""``python -m bench.rendered``: real compositions with known key and tempo, rendered to audio with sampled
instruments, for ``bench.keytempo``.

Why: no package registry ships recordings with key labels, but PyPI's music21 ships a corpus of scores (the Bach
chorales among them) and Debian ships fluidsynth and a General MIDI sound font. A score gives the key (with the
rule below) and, played at a tempo we choose, the tempo exactly. These are rendered scores, not recordings: no
performers' rubato, no mix, no production, and the sound font's samples are one instrument maker's.

The key label, from the score, not from any audio method:
1. the key signature allows a major key and its relative minor; the label is whichever of the two has its tonic
   on the final bass note (a Bach chorale ends on its tonic; modal chorales, whose final fits neither, are left out);
2. music21's own symbolic analysis of the whole score (Aarden-Essen profiles) must name the same key;
3. the piece must not modulate away for long: at least half of its 4-bar windows, analysed the same way, name
   the label.
Each selected piece is then transposed by a random interval (-5..+6 semitones, label with it) so that all 24 keys
occur, given a random ensemble of General MIDI programs, a tempo of 60-150 beats a minute (the beat of its time
signature) with slight timing and velocity jitter, and, for half of them, a General MIDI drum groove. Fermatas
and repeats are not played. Pieces are split by a hash of their name into a tuning half (the only one any choice
may look at) and a held-out half.

Rendering: ``fluidsynth -ni -F out.wav -r 22050 FluidR3_GM.sf2 piece.mid``, cached in ``.cache/rendered-corpus``
(275 of the 408 chorale files pass the rule; rendering takes a few minutes, once; ``make bench`` installs
fluidsynth, the sound font and music21).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import struct
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

NOTES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
CACHE = Path(".cache/rendered-corpus")
SOUND_FONTS = (Path("/usr/share/sounds/sf2/FluidR3_GM.sf2"), Path("/usr/share/sounds/sf2/TimGM6mb.sf2"))
RATE = 22050
_TPQ = 480
LIMIT = 410  # chorale files considered (in name order): all of them
_VERSION = 1  # bump to rebuild the cache when the rule or the rendering changes

# Four programs each, soprano to bass (General MIDI numbers from 0).
ENSEMBLES: dict[str, tuple[int, int, int, int]] = {
    "piano": (0, 0, 0, 0),
    "strings": (40, 41, 42, 43),
    "church organ": (19, 19, 19, 19),
    "choir": (52, 52, 52, 52),
    "nylon guitar": (24, 24, 24, 24),
    "brass": (56, 56, 57, 58),
    "woodwinds": (73, 68, 71, 70),
    "string ensemble, bass": (48, 48, 48, 32),
    "electric piano, bass": (4, 4, 4, 33),
    "harpsichord": (6, 6, 6, 6),
}


@dataclass(frozen=True)
class Piece:
    name: str
    key: str  # "F# minor", after transposition
    bpm: float  # beats of the time signature a minute
    ensemble: str
    drums: bool
    transpose: int
    tuning_half: bool
    wav: str


@dataclass(frozen=True)
class _Note:
    start: float  # quarter lengths
    length: float
    pitch: int
    part: int


def _key_name(tonic: int, minor: bool) -> str:
    return f"{NOTES[tonic % 12]} {'minor' if minor else 'major'}"


def _label(score: object) -> tuple[str, float] | None:
    """The key by the rule of the module docstring and the share of 4-bar windows that agree, or ``None``."""
    from music21 import key, stream

    assert isinstance(score, stream.Score)
    signatures = list(score.parts[0].recurse().getElementsByClass(key.KeySignature))
    if not signatures or len({s.sharps for s in signatures}) != 1:
        return None
    major_tonic = (7 * signatures[0].sharps) % 12  # C major + sharps fifths
    bass = score.parts[-1].flatten().notes
    if not bass:
        return None
    last = bass[-1]
    final = min(p.pitchClass for p in last.pitches)
    if final == major_tonic:
        label = _key_name(major_tonic, False)
    elif final == (major_tonic + 9) % 12:
        label = _key_name(final, True)
    else:
        return None

    def named(k: key.Key) -> str:
        return _key_name(k.tonic.pitchClass, k.mode == "minor")

    if named(score.analyze("key")) != label:
        return None
    measures = len(score.parts[0].getElementsByClass(stream.Measure))
    agree = total = 0
    for start in range(1, max(2, measures - 2), 4):
        window = score.measures(start, start + 3)
        if not window.flatten().notes:
            continue
        total += 1
        agree += named(window.analyze("key")) == label
    share = agree / total if total else 0.0
    return (label, share) if share >= 0.5 else None


def _notes(score: object, transpose: int) -> tuple[list[_Note], float, float]:
    """The notes, the beat in quarter lengths, and the length in quarter lengths."""
    from music21 import meter, stream

    assert isinstance(score, stream.Score)
    out: list[_Note] = []
    for i, part in enumerate(score.parts[:4]):
        for n in part.flatten().notes:
            for p in n.pitches:
                out.append(_Note(float(n.offset), float(n.quarterLength), p.midi + transpose, i))
    signatures = list(score.parts[0].recurse().getElementsByClass(meter.TimeSignature))
    beat = float(signatures[0].beatDuration.quarterLength) if signatures else 1.0
    return out, beat, float(score.highestTime)


def _var(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))


def _track(events: list[tuple[int, bytes]]) -> bytes:
    body = b""
    now = 0
    for tick, data in sorted(events, key=lambda e: (e[0], e[1][0] & 0xF0 != 0x80)):  # note-offs first
        body += _var(tick - now) + data
        now = tick
    body += b"\x00\xff\x2f\x00"
    return b"MTrk" + struct.pack(">I", len(body)) + body


def midi_file(notes: list[_Note], *, bpm_quarter: float, programs: tuple[int, ...], drums: list[tuple[float, int]],
              rng: random.Random) -> bytes:  # fmt: skip
    """A type-1 Standard MIDI File: a tempo track, one track per part, and the drums on channel 10."""
    tempo = round(60e6 / bpm_quarter)
    tracks = [_track([(0, b"\xff\x51\x03" + tempo.to_bytes(3, "big"))])]
    jitter = _TPQ * bpm_quarter / 60.0 * 0.008  # 8 ms in ticks
    for part, program in enumerate(programs):
        events: list[tuple[int, bytes]] = [(0, bytes([0xC0 | part, program]))]
        for n in (n for n in notes if n.part == part):
            if not 0 <= n.pitch < 128:
                continue
            on = max(0, round(n.start * _TPQ + rng.gauss(0.0, jitter)))
            off = max(on + 1, round((n.start + n.length) * _TPQ) - 5)
            velocity = max(30, min(120, round(rng.gauss(80 if part == 0 else 70, 8))))
            events += [(on, bytes([0x90 | part, n.pitch, velocity])), (off, bytes([0x80 | part, n.pitch, 0]))]
        tracks.append(_track(events))
    if drums:
        events = []
        for start, note in drums:
            on = max(0, round(start * _TPQ + rng.gauss(0.0, jitter)))
            velocity = max(30, min(120, round(rng.gauss(90 if note != 42 else 60, 8))))
            events += [(on, bytes([0x99, note, velocity])), (on + _TPQ // 8, bytes([0x89, note, 0]))]
        tracks.append(_track(events))
    return b"MThd" + struct.pack(">IHHH", 6, 1, len(tracks), _TPQ) + b"".join(tracks)


def groove(beat: float, length: float, beats_per_bar: int) -> list[tuple[float, int]]:
    """Kick on the bar's first beat (and the middle one in four), snare on the others' backbeats, hats on every
    half beat: General MIDI notes 36, 38 and 42."""
    out: list[tuple[float, int]] = []
    t, index = 0.0, 0
    while t < length:
        position = index % max(1, beats_per_bar)
        kick = position == 0 or (beats_per_bar == 4 and position == 2)
        out.append((t, 36 if kick else 38))
        out += [(t, 42), (t + beat / 2, 42)]
        t += beat
        index += 1
    return out


def _chorales() -> list[Path]:
    from music21 import corpus

    return sorted(p for p in corpus.getComposer("bach") if p.suffix == ".mxl")


def _seed(name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{_VERSION}:{name}".encode()).digest()[:8], "big")


def installed_sound_font() -> Path | None:
    return next((f for f in SOUND_FONTS if f.exists()), None)


def _piece(path: Path, font: Path) -> Piece | None:
    """Label, arrange and render one chorale, or ``None`` when the key rule leaves it out."""
    from music21 import corpus, meter

    name = path.stem
    try:
        score = corpus.parse(path)
        found = _label(score) if len(score.parts) >= 4 else None
    except Exception:  # a score music21 cannot read is left out like a modal one
        found = None
    if found is None:
        return None
    label, _ = found
    rng = random.Random(_seed(name))
    transpose = rng.randint(-5, 6)
    tonic, mode = label.split()
    key = _key_name(NOTES.index(tonic) + transpose, mode == "minor")
    notes, beat, length = _notes(score, transpose)
    bpm = round(rng.uniform(60.0, 150.0), 1)
    ensemble = rng.choice(sorted(ENSEMBLES))
    drums = rng.random() < 0.5
    signatures = list(score.parts[0].recurse().getElementsByClass(meter.TimeSignature))
    per_bar = round(float(signatures[0].barDuration.quarterLength) / beat) if signatures else 4
    data = midi_file(notes, bpm_quarter=bpm / beat, programs=ENSEMBLES[ensemble],
                     drums=groove(beat, length, per_bar) if drums else [], rng=rng)  # fmt: skip
    mid, wav = CACHE / f"{name}.mid", CACHE / f"{name}.wav"
    mid.write_bytes(data)
    subprocess.run(["fluidsynth", "-ni", "-q", "-F", str(wav), "-r", str(RATE), "-g", "0.5", str(font), str(mid)],
                   check=True, capture_output=True)  # fmt: skip
    return Piece(name, key, bpm, ensemble, drums, transpose, _seed(f"split:{name}") % 2 == 0, str(wav))


def build(limit: int = LIMIT, *, sound_font: Path | None = None) -> list[Piece]:
    """Select, render and cache the first ``limit`` chorales (by file name); each piece's outcome is cached on
    its own, so an interrupted build resumes."""
    font = sound_font or installed_sound_font()
    if font is None:
        raise SystemExit("no General MIDI sound font: apt-get install fluidsynth fluid-soundfont-gm")
    CACHE.mkdir(parents=True, exist_ok=True)
    paths = _chorales()[:limit]
    todo = [p for p in paths if not _record(p).exists()]
    if todo:
        print(f"rendering {len(todo)} chorales into {CACHE} (once)", file=sys.stderr)
        with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            list(pool.map(_cached_piece, todo, [font] * len(todo)))
    return [Piece(**cached) for p in paths if (cached := json.loads(_record(p).read_text()))]


def _record(path: Path) -> Path:
    return CACHE / f"{path.stem}.v{_VERSION}.json"


def _cached_piece(path: Path, font: Path) -> None:
    piece = _piece(path, font)
    tmp = _record(path).with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(piece) if piece else None))
    os.replace(tmp, _record(path))


if __name__ == "__main__":
    found = build(int(sys.argv[1]) if len(sys.argv) > 1 else LIMIT)
    print(f"{len(found)} pieces rendered in {CACHE}", file=sys.stderr)
