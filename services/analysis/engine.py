"""``analyze()``: the pipeline as a table of contents - check the header, stream once, then summarise.

One pass over the decoded blocks feeds every streaming meter (levels, true peak, clipping, spectra, onsets);
everything after the pass works on small per-frame arrays, so memory does not grow with duration.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits

from services.analysis.bass import measure_bass
from services.analysis.clipping import ClipDetector
from services.analysis.config import AnalysisConfig
from services.analysis.decode import AudioReader, Source
from services.analysis.dynamics import measure_dynamics
from services.analysis.edges import EdgeMeter
from services.analysis.encoded import CODECS, HotBlocks, codec_peak, encoded_peaks, warm_up
from services.analysis.heap import keep_freed_memory
from services.analysis.levels import LevelMeter
from services.analysis.loudness import loudness_core, measure_loudness
from services.analysis.musical import measure_musical
from services.analysis.onsets import OnsetAccumulator
from services.analysis.platforms import measure_platforms
from services.analysis.quality import measure_quality
from services.analysis.resonance import sustained_resonances
from services.analysis.result import Analysis, EncodedPeak, FileInfo
from services.analysis.sections import measure_sections
from services.analysis.spectral import SpectralAccumulator, fft_size
from services.analysis.spectrum import measure_spectrum
from services.analysis.stereo import measure_stereo
from services.analysis.tonal import TonalAccumulator
from services.analysis.transients import measure_transients
from services.analysis.truepeak import TruePeakMeter

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None]


class _Meters:
    """Every streaming meter, fed block by block in one pass."""

    def __init__(self, info: FileInfo, *, config: AnalysisConfig) -> None:
        sr, ch = info.sample_rate_hz, info.channels
        self.levels = LevelMeter(sr, channels=ch)
        self.true_peak = TruePeakMeter(sr, channels=ch)
        self.clips = ClipDetector(sr, channels=ch, bit_depth=info.bit_depth, config=config)
        self.tonal = TonalAccumulator(sr, n_fft=fft_size(sr))
        self.spectral = SpectralAccumulator(sr, channels=ch, tonal=self.tonal)  # feeds ``tonal`` its spectra
        self.onsets = OnsetAccumulator(sr)
        self.edges = EdgeMeter(sr)
        self.hot = HotBlocks(sr, count=config.encoded_excerpts)
        self.frames = 0


def _stream(reader: AudioReader, *, config: AnalysisConfig, progress: Progress) -> _Meters:
    """One pass over the blocks.

    With ``config.threads == 2`` K-weighting, the long-window spectra, pitch histograms and edges run on a second
    thread while decoding, true peak, clipping and onsets run here (roughly equal halves): numpy (FFTs included)
    releases the GIL, so the halves overlap on two cores. Each piece of meter state is touched by one thread only
    (the level meter splits into ``push_audio`` there and ``push_peak`` here), so results do not depend on the
    thread count. (``analyze`` holds BLAS to one thread: its own workers would only fight ours, and spin.)
    """
    meters = _Meters(reader.info, config=config)
    next_report = 0.1
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending: Future[None] | None = None
        for block in reader.blocks():
            xt = np.ascontiguousarray(block.T)  # channel-first: numpy reduces rows far faster than columns
            if config.threads > 1:
                if pending is not None:
                    pending.result()
                pending = pool.submit(_spectral_half, meters, xt)
            else:
                _spectral_half(meters, xt)
            interp = meters.true_peak.push(xt)
            meters.levels.push_peak(interp)
            meters.clips.push(xt, interp_peak=interp)
            meters.onsets.push(xt)
            meters.hot.push(xt, interp_peak=interp)
            meters.frames += len(block)
            done = meters.frames / max(1, reader.info.frames)
            if done >= next_report:
                progress(min(0.8, 0.8 * done), "measure")
                next_report += 0.1
        if pending is not None:
            pending.result()
    return meters


def _spectral_half(meters: _Meters, xt: npt.NDArray[np.float32]) -> None:
    """The half of the per-block work that does not need the true-peak output (with decoding and true peak on the
    other thread, the two take about the same time)."""
    meters.levels.push_audio(xt)
    meters.spectral.push(xt)
    meters.edges.push(xt)


def analyze(source: Source, *, config: AnalysisConfig | None = None, on_progress: Progress | None = None) -> Analysis:
    """Measure one audio file (path or binary file-like) and return the full typed ``Analysis``.

    Raises an ``AnalysisError`` subclass for unusable input; ``on_progress(fraction, stage)`` is called a handful
    of times (stages: probe, measure, summarise, sections, done).
    """
    config = config or AnalysisConfig()
    progress: Progress = on_progress or (lambda fraction, stage: None)
    keep_freed_memory()  # per-block temporaries reuse pages instead of faulting fresh ones (see ``heap``)
    started = time.perf_counter()
    with threadpool_limits(limits=1, user_api="blas"):
        result = _analyze(source, config=config, progress=progress, started=started)
    progress(1.0, "done")
    log.info("analysed %.1f s of audio in %.2f s", result.file.duration_s, result.elapsed_s)
    return result


def _start_encodes(meters: _Meters, *, sr: int, pool: ThreadPoolExecutor | None) -> Callable[[], list[EncodedPeak]]:
    """The AAC and Opus round trips of the hottest excerpts: started on ``pool`` (one codec a thread, beside the
    summary, since FFmpeg runs without the GIL) or, without a pool, run when collected."""
    excerpts = meters.hot.excerpts()
    if pool is None or not excerpts:
        return lambda: encoded_peaks(excerpts, sr=sr)
    futures = [pool.submit(codec_peak, codec, excerpts, sr=sr) for codec in CODECS]
    return lambda: [future.result() for future in futures]


def _analyze(source: Source, *, config: AnalysisConfig, progress: Progress, started: float) -> Analysis:
    if config.threads == 1:
        meters, info = _measure(source, config=config, progress=progress)
        return _summarise(meters, info, config=config, progress=progress, started=started, pool=None)
    with ThreadPoolExecutor(max_workers=len(CODECS), thread_name_prefix="encode") as pool:
        if config.encoded_excerpts:
            pool.submit(warm_up)  # PyAV's import overlaps the stream instead of delaying the round trips
        meters, info = _measure(source, config=config, progress=progress)
        return _summarise(meters, info, config=config, progress=progress, started=started, pool=pool)


def _measure(source: Source, *, config: AnalysisConfig, progress: Progress) -> tuple[_Meters, FileInfo]:
    with AudioReader(source, config=config) as reader:
        progress(0.0, "probe")
        return _stream(reader, config=config, progress=progress), reader.info


def _summarise(
    meters: _Meters,
    info: FileInfo,
    *,
    config: AnalysisConfig,
    progress: Progress,
    started: float,
    pool: ThreadPoolExecutor | None,
) -> Analysis:
    """Every measure from the streamed meters' small arrays; the codec round trips run beside it on ``pool``."""
    sr = info.sample_rate_hz
    encodes = _start_encodes(meters, sr=sr, pool=pool)
    info = info.model_copy(update={"frames": meters.frames, "duration_s": meters.frames / sr})
    progress(0.8, "summarise")
    rows = meters.levels.rows()
    core = loudness_core(rows)
    loud = measure_loudness(core, rows, true_peak=meters.true_peak.peak, config=config)
    clipping = meters.clips.result()
    spectral = meters.spectral.finish()
    onsets = meters.onsets.finish()
    progress(0.9, "sections")
    musical = measure_musical(onsets, meters.tonal.finish())
    spectrum = measure_spectrum(spectral, max_resonances=config.max_resonances)
    spectrum = spectrum.model_copy(
        update={
            "resonances": sustained_resonances(
                spectral,
                key=musical.key,
                key_confidence=musical.key_confidence,
                limit=config.max_resonances,
                tuning_cents=musical.tuning_cents,
                runner_up=musical.key_runner_up,
            )
        }
    )
    encoded = encodes()
    result = Analysis(
        file=info,
        qc=measure_quality(rows, spectral, channels=info.channels),
        loudness=loud,
        platforms=measure_platforms(loud),
        dynamics=measure_dynamics(core, rows, loud, clip_runs=clipping.clip_runs),
        clipping=clipping,
        spectrum=spectrum,
        stereo=measure_stereo(spectral, rows, channels=info.channels, config=config),
        bass=measure_bass(spectral, config=config),
        transients=measure_transients(onsets, duration_s=info.duration_s),
        musical=musical,
        sections=measure_sections(core, spectral, duration_s=info.duration_s, sub_s=rows.sub_s, config=config),
        elapsed_s=round(time.perf_counter() - started, 3),
        edges=meters.edges.result(),
        encoded_peaks=encoded,
    )
    return result
