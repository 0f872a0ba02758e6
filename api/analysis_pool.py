"""The bounded process pool that runs ``services.analysis.analyze`` off the event loop.

Why processes: the analysis is CPU-bound numpy/librosa work that holds the GIL in places, so threads would make
the API sluggish while four files are analysed. Workers start with ``spawn`` (forking a process that runs an event
loop is unsafe) and receive one ``multiprocessing`` queue at start-up, on which they report progress; a reader
thread hands each report to the event loop. This module is also the seam where worker failures that are not
``DomainError`` (a crash, a killed worker) become ``AnalysisCrashed``.

Workers die with the server even when it is SIGKILLed (no cleanup can run then): on Linux each asks the kernel,
with ``prctl(PR_SET_PDEATHSIG, SIGKILL)``, to be killed when its parent goes. The multiprocessing resource tracker
then exits by itself, as the last holders of its pipe are gone.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.queues import Queue
from pathlib import Path

from services.errors import AnalysisCrashed, DomainError
from services.store.audio_store import AudioSource
from services.store.ranged import StoredObject
from services.tracks.analysis_jobs import ProgressCallback

logger = logging.getLogger(__name__)

_worker_queue: Queue[tuple[int, float, str] | None] | None = None


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _die_with(parent_pid: int) -> None:
    """Have the kernel SIGKILL this process when the server dies; exit now if it already has."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            logger.warning(
                "analysis worker %d may outlive the server: prctl failed (errno %d)", os.getpid(), ctypes.get_errno()
            )
    if os.getppid() != parent_pid:  # the server died before the request took effect
        os._exit(1)


def _init_worker(queue: Queue[tuple[int, float, str] | None], parent_pid: int) -> None:
    global _worker_queue
    _die_with(parent_pid)
    _worker_queue = queue


def _analyze_in_worker(track_id: int, source: str | StoredObject, max_duration_s: float) -> dict[str, object]:
    """Runs in a worker process: analyse one file, or one stored object read by ranges, reporting progress at most
    every 1 % or on a new stage."""
    from services.analysis import AnalysisConfig, analyze

    last_fraction, last_stage = -1.0, ""

    def report(fraction: float, stage: str) -> None:
        nonlocal last_fraction, last_stage
        if _worker_queue is not None and (fraction - last_fraction >= 0.01 or stage != last_stage):
            last_fraction, last_stage = fraction, stage
            _worker_queue.put((track_id, fraction, stage))

    config = AnalysisConfig(max_duration_s=max_duration_s)
    if isinstance(source, str):
        return analyze(source, config=config, on_progress=report).to_json_dict()
    with source.open() as stream:
        return analyze(stream, config=config, on_progress=report).to_json_dict()


class AnalysisPool:
    def __init__(self, *, workers: int, max_duration_s: float) -> None:
        self._workers = workers
        self._max_duration_s = max_duration_s
        self._listeners: dict[int, ProgressCallback] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._queue: Queue[tuple[int, float, str] | None] | None = None
        self._reader: threading.Thread | None = None

    def start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._queue = context.Queue()
        self._pool = ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(self._queue, os.getpid()),
        )
        loop = asyncio.get_running_loop()
        self._reader = threading.Thread(
            target=self._read_progress, args=(self._queue, loop), name="analysis-progress", daemon=True
        )
        self._reader.start()

    async def run(self, track_id: int, source: AudioSource, on_progress: ProgressCallback) -> dict[str, object]:
        """Analyse ``source`` in a worker; ``on_progress`` is called on the event loop."""
        if self._pool is None:
            raise AnalysisCrashed("The analysis service is not running; restart the server.")
        self._listeners[track_id] = on_progress
        try:
            loop = asyncio.get_running_loop()
            job = str(source) if isinstance(source, Path) else source
            return await loop.run_in_executor(self._pool, _analyze_in_worker, track_id, job, self._max_duration_s)
        except DomainError:
            raise
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.exception("analysis of track %d crashed", track_id)
            raise AnalysisCrashed(
                "The analysis stopped unexpectedly. Try again, or convert the file to WAV and upload that."
            ) from exc
        finally:
            self._listeners.pop(track_id, None)

    def close(self) -> None:
        """Stop now: running analyses are abandoned (their tracks are re-queued on the next start)."""
        if self._pool is not None:
            processes = list(getattr(self._pool, "_processes", {}).values())  # no public terminate before 3.14
            self._pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            for process in processes:
                process.join(timeout=5)
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._queue is not None and self._reader is not None:
            self._queue.put(None)
            self._reader.join(timeout=5)
            self._queue.close()
            self._queue.join_thread()
            self._queue = None

    def _read_progress(self, queue: Queue[tuple[int, float, str] | None], loop: asyncio.AbstractEventLoop) -> None:
        while (item := queue.get()) is not None:
            loop.call_soon_threadsafe(self._dispatch, *item)

    def _dispatch(self, track_id: int, fraction: float, stage: str) -> None:
        listener = self._listeners.get(track_id)
        if listener is not None:
            listener(fraction, stage)
