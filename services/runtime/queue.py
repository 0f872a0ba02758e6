"""The work queue: where analyses and answers are handed over to be run, and cancelled.

Two implementations side by side, chosen once in the composition root from the settings:

- ``InProcessQueue`` (the embedded default, ``make run``): jobs are asyncio tasks in this process (analyses in its
  spawn process pool), and a restart re-queues what the previous run left unfinished.
- ``PostgresQueue`` (``services.runtime.queue_postgres``): jobs are procrastinate rows in PostgreSQL, run by any
  number of ``mixcoach worker`` processes; dead workers' jobs are recovered there.

Callers see only ``WorkQueue``: they store the row that needs the work first, then hand over its id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from services import domain

if TYPE_CHECKING:
    from services.coaching.generation import Generation
    from services.tracks.analysis_jobs import AnalysisJobs


class WorkQueue(Protocol):
    async def analyse(self, track_id: int) -> None:
        """Run the analysis of a stored QUEUED track (a second call for the same track does no harm)."""

    async def generate(self, message: domain.Message) -> None:
        """Write a stored STREAMING assistant or summary message."""

    async def cancel(self, *, track_ids: Sequence[int] = (), message_ids: Sequence[int] = ()) -> None:
        """Stop the work for deleted tracks and messages, queued or running."""

    async def check(self) -> str:
        """A one-line health report for ``/readyz``; raises if the queue cannot take work."""


class InProcessQueue:
    """Jobs as tasks of this process: nothing survives it except the rows, which the next start picks up."""

    def __init__(self, *, analysis: AnalysisJobs | None, generation: Generation) -> None:
        self._analysis = analysis
        self._generation = generation

    async def analyse(self, track_id: int) -> None:
        if self._analysis is None:
            raise RuntimeError("this process runs no analyses")
        self._analysis.submit(track_id)

    async def generate(self, message: domain.Message) -> None:
        await self._generation.start(message)

    async def cancel(self, *, track_ids: Sequence[int] = (), message_ids: Sequence[int] = ()) -> None:
        """Answers are stopped by ``Generation.abandon`` (which also ends their subscribers); analyses here."""
        if self._analysis is not None:
            await self._analysis.cancel(track_ids)

    async def check(self) -> str:
        return "in-process"
