"""Issue 9's full flaw matrix: twelve deliberate defects made from a clean track, each written as a real file.

Each flaw is a function of the clean audio (frames, channels) at its sample rate that writes the flawed file
(WAV, or MP3 for the lossy one); the EQ flaws are those of ``tests.fakes.flaws`` (zero-phase EQ then peak
normalisation, so a boost is not also a clip). ``judged`` says at which stage the flaw is diagnosed and what must
be found: the finding ids (any one of them) and, for a master review, the verdict blocker. ``FIRST_MOVES`` is issue
10's expectation for the offline engine's first move. Numpy/scipy/soxr, plus PyAV's LAME encoder for the MP3;
shared by the CI matrix test (``tests/diagnosis/test_flaw_matrix_pip_music.py``) and ``make eval``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pyloudnorm
import soundfile as sf
import soxr
from scipy import ndimage

from services.coaching.builtin.plan import first_move
from services.diagnosis import Finding, FindingReport
from services.diagnosis.finding import SEVERITY_RANK
from services.domain import FeedbackProfile, FeedbackType
from tests.fakes.flaws import FLAWS, Flaw, apply, normalise

F64 = npt.NDArray[np.float64]
MIX_PEAK_DBFS = -4.0  # flaws judged at mixdown are bounced with a mixdown's headroom (the findings want -6 to -3)
Writer = Callable[[F64, int, Path], Path]


def _wav(y: F64, sr: int, path: Path) -> Path:
    out = path.with_suffix(".wav")
    sf.write(str(out), y, sr, subtype="PCM_24")
    return out


def _split(y: F64, sr: int, corner_hz: float) -> tuple[F64, F64]:
    """Zero-phase complementary split: (below ``corner_hz``, above it); the two add back to ``y`` exactly."""
    spectrum = np.fft.rfft(y, axis=0)
    freq = np.fft.rfftfreq(y.shape[0], 1.0 / sr)
    low_gain = 1.0 / (1.0 + (freq / corner_hz) ** 8)
    low: F64 = np.fft.irfft(spectrum * low_gain[:, None], n=y.shape[0], axis=0)
    return low, y - low


def hard_clip(y: F64, sr: int, path: Path) -> Path:
    """+10 dB into a hard clipper at full scale."""
    return _wav(np.clip(y * 10.0 ** (10.0 / 20.0), -1.0, 1.0), sr, path)


def eq(flaw: Flaw) -> Writer:
    def write(y: F64, sr: int, path: Path) -> Path:
        return _wav(apply(y, sr, flaw, peak_dbfs=MIX_PEAK_DBFS), sr, path)

    return write


def polarity_low(y: F64, sr: int, path: Path) -> Path:
    """The right channel's content below 150 Hz polarity-inverted (a bass DI flipped on one side)."""
    low, high = _split(y, sr, 150.0)
    out = y.copy()
    out[:, 1] = high[:, 1] - low[:, 1]
    return _wav(normalise(out, peak_dbfs=MIX_PEAK_DBFS), sr, path)


def mid_side(y: F64, sr: int, path: Path) -> Path:
    """Mid -6 dB, side +6 dB."""
    mid, side = (y[:, 0] + y[:, 1]) / 2.0, (y[:, 0] - y[:, 1]) / 2.0
    mid, side = mid * 10.0 ** (-6.0 / 20.0), side * 10.0 ** (6.0 / 20.0)
    return _wav(normalise(np.stack([mid + side, mid - side], axis=1), peak_dbfs=MIX_PEAK_DBFS), sr, path)


def quiet_bounce(y: F64, sr: int, path: Path) -> Path:
    """The same mix bounced at -30 LUFS integrated (BS.1770, pyloudnorm)."""
    lufs = pyloudnorm.Meter(sr).integrated_loudness(y)
    return _wav(y * 10.0 ** ((-30.0 - lufs) / 20.0), sr, path)


LOUDNESS_WAR_LUFS = -6.0


def _limit(y: F64, sr: int, drive_db: float, *, ceiling_dbfs: float = -0.3) -> F64:
    """A fast look-ahead brickwall limiter: 3 ms look-ahead, the gain smoothed over the same window (so it never
    rises above what the next peak needs), nothing held after it (the fast release of a loudness-war master)."""
    pushed = y * 10.0 ** (drive_db / 20.0)
    ceiling = 10.0 ** (ceiling_dbfs / 20.0)
    need = np.minimum(1.0, ceiling / np.maximum(np.max(np.abs(pushed), axis=1), 1e-12))
    width = max(3, int(0.003 * sr)) | 1
    gain = ndimage.uniform_filter1d(ndimage.minimum_filter1d(need, width), width)
    out: F64 = np.clip(pushed * gain[:, None], -ceiling, ceiling)
    return out


def heavy_limiting(y: F64, sr: int, path: Path) -> Path:
    """Driven into a brickwall limiter until the master reaches ``LOUDNESS_WAR_LUFS`` integrated (a loudness-war
    master, whatever the mix's own level): what "heavy limiting" leaves behind is a low peak-to-loudness ratio."""
    meter = pyloudnorm.Meter(sr)
    drive = LOUDNESS_WAR_LUFS - meter.integrated_loudness(y)
    out = _limit(y, sr, drive)
    for _ in range(4):  # the limiter takes some of the drive back: push again by what is missing
        drive += LOUDNESS_WAR_LUFS - meter.integrated_loudness(out)
        out = _limit(y, sr, drive)
    return _wav(out, sr, path)


def dual_mono(y: F64, sr: int, path: Path) -> Path:
    """Both channels carry the mono sum: a stereo file with no stereo in it."""
    mono = y.mean(axis=1)
    return _wav(np.stack([mono, mono], axis=1), sr, path)


def upsampled(y: F64, sr: int, path: Path) -> Path:
    """Down to 22.05 kHz and back up to 48 kHz with a very-high-quality resampler (soxr VHQ, as a DAW's would):
    nothing above 11 kHz, in a 48 kHz file. The level is kept."""
    low = soxr.resample(y, sr, 22050, quality="VHQ")
    up: F64 = np.asarray(soxr.resample(low, 22050, 48000, quality="VHQ"), dtype=np.float64)
    return _wav(up, 48000, path)


def mp3_128k(y: F64, sr: int, path: Path) -> Path:
    """MP3 at 128 kbit/s CBR with LAME (PyAV's bundled FFmpeg)."""
    out = path.with_suffix(".mp3")
    x = np.ascontiguousarray(y.T.astype(np.float32))
    with av.open(str(out), "w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=sr, layout="stereo")
        stream.bit_rate = 128000
        step = 1152
        for i in range(0, x.shape[1], step):
            frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(x[:, i : i + step]), format="fltp", layout="stereo")
            frame.sample_rate, frame.pts, frame.time_base = sr, i, Fraction(1, sr)
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    return out


@dataclass(frozen=True)
class Judged:
    """What one flaw must produce at one stage: any of ``ids`` (at least MINOR), and at a master review the
    verdict must be not ready with one of ``blockers`` among its blockers. ``never`` may not appear."""

    stage: FeedbackType
    ids: tuple[str, ...]
    blockers: tuple[str, ...] = ()
    never: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatrixFlaw:
    name: str
    write: Writer
    judged: Judged


_EQ = {f.name: f for f in FLAWS}
MIXDOWN, MASTERING, REVIEW = FeedbackType.MIXDOWN, FeedbackType.MASTERING, FeedbackType.MASTER_REVIEW

MATRIX = (
    MatrixFlaw("+10 dB into a hard clipper", hard_clip,
               Judged(REVIEW, ("clipping.clipped_samples",), blockers=("clipping.clipped_samples",))),
    MatrixFlaw("+12 dB shelf below 60 Hz", eq(_EQ["+12 dB shelf below 60 Hz"]),
               Judged(MIXDOWN, ("tonal.sub_heavy",), never=("tonal.sub_light",))),
    MatrixFlaw("+8 dB at 2-5 kHz", eq(_EQ["+8 dB at 2-5 kHz"]),
               Judged(MIXDOWN, ("tonal.high_mid_heavy", "tonal.presence_heavy"),
                      never=("tonal.high_mid_light", "tonal.presence_light"))),
    MatrixFlaw("+8 dB at 200-300 Hz", eq(_EQ["+8 dB at 200-300 Hz"]),
               Judged(MIXDOWN, ("tonal.bass_heavy", "tonal.low_mid_heavy"),
                      never=("tonal.bass_light", "tonal.low_mid_light"))),
    MatrixFlaw("-12 dB shelf above 5 kHz", eq(_EQ["-12 dB shelf above 5 kHz"]),
               Judged(MIXDOWN, ("tonal.presence_light", "tonal.air_light"),
                      never=("tonal.presence_heavy", "tonal.air_heavy"))),
    MatrixFlaw("polarity inverted below 150 Hz in one channel", polarity_low,
               Judged(MIXDOWN, ("stereo.low_polarity",), never=("bass.wide_low_end",))),
    MatrixFlaw("mid -6 dB, side +6 dB", mid_side, Judged(MIXDOWN, ("stereo.too_wide", "stereo.phase"))),
    MatrixFlaw("a -30 LUFS bounce", quiet_bounce,
               Judged(REVIEW, ("loudness.too_quiet",), never=("loudness.too_loud",))),
    MatrixFlaw("heavy limiting", heavy_limiting,
               Judged(MASTERING, ("dynamics.over_compressed", "dynamics.mix_bus_limiting"),
                      never=("dynamics.very_dynamic",))),
    MatrixFlaw("dual mono", dual_mono, Judged(REVIEW, ("qc.dual_mono",), blockers=("qc.dual_mono",))),
    MatrixFlaw("22.05 kHz upsampled to 48 kHz", upsampled,
               Judged(REVIEW, ("qc.resampled",), blockers=("qc.resampled",))),
    MatrixFlaw("MP3 at 128 kbps", mp3_128k, Judged(REVIEW, ("qc.lossy_source",), blockers=("qc.lossy_source",))),
)  # fmt: skip


def caught(flaw: MatrixFlaw, report: FindingReport, clean: FindingReport | None = None) -> tuple[bool, str]:
    """(found, what caught it or why not): one of the flaw's findings at its stage, none of its wrong-way ones,
    and at a master review a blocker among the verdict's. The MP3 flaw on a track that was lossy already must
    show its own evidence: an encoder cut-off at least 300 Hz below the original's."""
    judged = flaw.judged
    hits = [f for f in report.findings if f.id in judged.ids]
    wrong = [f.id for f in report.findings if f.id in judged.never]
    if wrong:
        return False, "wrong way: " + ", ".join(wrong)
    if not hits:
        return False, "missed"
    hit = hits[0]
    label = f"{hit.id} ({hit.severity.value})"
    if judged.blockers:
        blocking = {b.finding_id for b in report.verdict.blockers} if report.verdict is not None else set()
        if not blocking & set(judged.blockers):
            return False, f"{label} but no blocker"
        label += ", blocker"
    if flaw.name == "MP3 at 128 kbps" and clean is not None:
        was, now = _cutoff(clean), _cutoff(report)
        if was is not None:
            if now is None or now > was - 300.0:
                return False, f"{label} but the cut-off did not drop ({was} -> {now} Hz)"
            label += f", cut-off {was:.0f} -> {now:.0f} Hz"
    return True, label


def _cutoff(report: FindingReport) -> float | None:
    for f in report.findings:
        if f.id == "qc.lossy_source":
            return next((m.value for m in f.measured if m.unit == "Hz"), None)
    return None


@dataclass(frozen=True)
class FirstMove:
    """Issue 10: what the offline engine's first move must be for a flaw at a stage (its recipe's subject and
    direction, words every voice has and words none may have)."""

    flaw: str
    stage: FeedbackType
    subjects: tuple[str, ...]
    direction: str
    expect: tuple[str, ...]
    never: tuple[str, ...] = ()


FIRST_MOVES = (
    FirstMove("polarity inverted below 150 Hz in one channel", MIXDOWN, ("polarity",), "fix", ("polarity",),
              ("make the bass mono", "mono bass", "a mono-maker or")),
    FirstMove("+12 dB shelf below 60 Hz", MIXDOWN, ("band:sub",), "cut", ("cut", "sub")),
    FirstMove("+8 dB at 2-5 kHz", MIXDOWN, ("band:high_mid", "band:presence"), "cut", ("cut", "khz")),
    FirstMove("+8 dB at 200-300 Hz", MIXDOWN, ("band:bass", "band:low_mid"), "cut", ("cut", "hz")),
    FirstMove("+10 dB into a hard clipper", REVIEW, ("limiter_input",), "down", ("unclipped",)),
    FirstMove("a -30 LUFS bounce", MIXDOWN, ("mix_gain",), "keep", ("fine", "headroom"),
              ("turn the master down", "limiter")),
    FirstMove("a -30 LUFS bounce", REVIEW, ("limiter_input",), "up", ("limiter", "ceiling"),
              ("take the limiter off", "remove")),
)  # fmt: skip


def flaw_only(report: FindingReport, clean: FindingReport) -> FindingReport:
    """The report without the findings the clean original already gets at that stage, unchanged (the real releases
    have their own: a lossy source, a wide low end), so the first move is the one for what the flaw added. A
    finding the flaw made worse (a higher severity, or its measured value moved by 1 and 5 % or more) stays."""
    before = {f.id: f for f in clean.findings}

    def unchanged(f: Finding) -> bool:
        was = before.get(f.id)
        if was is None or SEVERITY_RANK[f.severity] < SEVERITY_RANK[was.severity]:
            return False
        now_v, was_v = _value(f), _value(was)
        return now_v is None or was_v is None or abs(now_v - was_v) < max(1.0, 0.05 * abs(was_v))

    return replace(report, findings=[f for f in report.findings if not unchanged(f)])


def _value(f: Finding) -> float | None:
    return f.measured[0].value if f.measured else None


def first_move_right(spec: FirstMove, report: FindingReport, clean: FindingReport) -> tuple[bool, str]:
    """(right, the first move in the detailed voice or why it is wrong), for what the flaw added."""
    move = first_move(flaw_only(report, clean))
    if move is None:
        return False, "(no move)"
    text = move.recipe.voice[FeedbackProfile.DETAILED]
    if move.recipe.subject not in spec.subjects or move.recipe.direction != spec.direction:
        return False, f"[{move.recipe.subject} {move.recipe.direction}] {text}"
    for profile in FeedbackProfile:
        words = move.recipe.voice[profile].lower()
        if not all(w in words for w in spec.expect) or any(w in words for w in spec.never):
            return False, f"[{profile.value}] {move.recipe.voice[profile]}"
    return True, text
