"""Real released music that pip packages ship, for the flaw matrix in CI (``make music`` fetches it once).

Why pip packages: tests may only use audio made with numpy or shipped by a package, and CI reaches PyPI. These
three are complete pieces by working composers, in three genres, each in its own release format:

- ``1918.mp3`` (Anttis, orchestral: strings, brass, timpani) and ``funkyrobot.mp3`` (Anttis, funk: slap bass,
  drums, clavinet-like keys), both in the ``arcade`` 3.3.3 wheel (game assets); MP3 at about 160 and 180 kbit/s.
- ``Kevin_MacLeod_-_Vibe_Ace.ogg`` (Kevin MacLeod, jazz: upright bass, brushes, piano), in the ``librosa`` 0.7.2
  sdist (its old example file); Ogg Vorbis.

All three are lossy releases: the "lossy source" verdict is true for them, and the MP3 flaw is judged by its own
evidence (a lower encoder cut-off than the original's). ``python -m tests.fakes.pip_music`` downloads the two
distributions with pip (no install) into ``.cache/pip-music`` and unpacks the three files; about 45 MB, a few
seconds. Tests read them with ``excerpt``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
from scipy import signal

F64 = npt.NDArray[np.float64]
ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("MIXCOACH_PIP_MUSIC", ROOT / ".cache" / "pip-music"))
EXCERPT_S = 30.0
PEAK_DBTP = -1.5  # excerpts are levelled to a clean master's true peak (below a -1 dBTP ceiling)
FADE_S = 0.05  # an excerpt starts and stops with a short fade, as a cut made in an editor would


@dataclass(frozen=True)
class PipTrack:
    name: str
    genre: str
    distribution: str  # pip requirement that ships it
    member: str  # path inside the wheel or sdist

    @property
    def path(self) -> Path:
        return CACHE / self.name


TRACKS = (
    PipTrack("1918.mp3", "cinematic", "arcade==3.3.3", "arcade/resources/assets/music/1918.mp3"),
    PipTrack("funkyrobot.mp3", "funk", "arcade==3.3.3", "arcade/resources/assets/music/funkyrobot.mp3"),
    PipTrack("Kevin_MacLeod_-_Vibe_Ace.ogg", "jazz", "librosa==0.7.2",
             "librosa-0.7.2/librosa/util/example_data/Kevin_MacLeod_-_Vibe_Ace.ogg"),
)  # fmt: skip


def missing() -> list[str]:
    return [t.name for t in TRACKS if not t.path.is_file()]


def decode(path: Path) -> tuple[F64, int]:
    """The whole file as float64 (frames, 2) at its own rate (PyAV, as the analysis decodes it)."""
    chunks: list[npt.NDArray[np.generic]] = []
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        sr = int(stream.codec_context.sample_rate)
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=sr)
        for frame in container.decode(stream):
            chunks.extend(o.to_ndarray() for o in resampler.resample(frame))
        chunks.extend(o.to_ndarray() for o in resampler.resample(None))
    out: F64 = np.concatenate(chunks, axis=1).T.astype(np.float64)
    return out, sr


def excerpt(track: PipTrack, seconds: float = EXCERPT_S) -> tuple[F64, int]:
    """``seconds`` from 30 % in (past the intro, as the calibration excerpts), faded in and out, levelled to
    ``PEAK_DBTP`` true peak (4x oversampled)."""
    y, sr = decode(track.path)
    return cut(y, sr, seconds), sr


def cut(y: F64, sr: int, seconds: float = EXCERPT_S) -> F64:
    """The excerpt of any decoded track (frames, channels): see ``excerpt``."""
    n = int(seconds * sr)
    start = int(min(0.3 * len(y), max(0, len(y) - n)))
    y = y[start : start + n].copy()
    fade = int(FADE_S * sr)
    ramp = np.sin(np.linspace(0.0, np.pi / 2.0, fade)) ** 2
    y[:fade] *= ramp[:, None]
    y[-fade:] *= ramp[::-1, None]
    true_peak = float(np.max(np.abs(signal.resample_poly(y, 4, 1, axis=0))))
    out: F64 = y * (10.0 ** (PEAK_DBTP / 20.0) / true_peak)
    return out


def fetch() -> None:
    """Download each distribution with pip (no dependencies, no install) and unpack the tracks into ``CACHE``."""
    download = CACHE / "download"
    download.mkdir(parents=True, exist_ok=True)
    for requirement in sorted({t.distribution for t in TRACKS}):
        name, version = requirement.split("==")
        if not any(download.glob(f"{name}-{version}*")):
            subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", requirement, "-d",
                            str(download)], check=True)  # fmt: skip
    for t in TRACKS:
        if t.path.is_file():
            continue
        name, version = t.distribution.split("==")
        archive = next(download.glob(f"{name}-{version}*"))
        if archive.suffix == ".whl":
            with zipfile.ZipFile(archive) as z:
                data = z.read(t.member)
        else:
            with tarfile.open(archive) as tar:
                member = tar.extractfile(t.member)
                assert member is not None, t.member
                data = member.read()
        t.path.write_bytes(data)


if __name__ == "__main__":
    fetch()
    print(f"pip music in {CACHE}: " + ", ".join(t.name for t in TRACKS))
