"""Fixtures for feedback service tests: a real SQLite file database and ready-analysed tracks.

Tracks are written through the store's own functions; their analysis is a hand-built ``Analysis`` with known
figures (``tests.fakes.analysis_data``), so expected numbers are exact.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from tortoise.contrib.test import tortoise_test_context

from services import domain
from services.analysis.result import Analysis
from services.coaching.builtin.engine import BuiltinProvider
from services.coaching.feedback import Feedback
from services.coaching.generation import Generation
from services.llm import LLMProvider
from services.runtime.streams import MessageStreams
from services.store import clients as client_store
from services.store import tracks as track_store
from tests.fakes.analysis_data import problem_mix


@pytest.fixture
async def feedback_db(tmp_path: Path) -> AsyncIterator[None]:
    async with tortoise_test_context(["services.store.models"], db_url=f"sqlite://{tmp_path / 'feedback.sqlite3'}"):
        yield


@dataclass(frozen=True)
class Owner:
    id: int


async def make_owner() -> Owner:
    client = await client_store.create_client(token_hash=uuid.uuid4().hex * 2)
    return Owner(id=client.id)


async def make_ready_track(owner: Owner, analysis: Analysis | None = None, *, name: str = "mix") -> domain.Track:
    info = domain.AudioFileInfo(format="WAV", duration_s=180.0, sample_rate_hz=44100, channels=2)
    track = await track_store.create_track(
        owner_id=owner.id,
        name=name,
        original_filename=f"{name}.wav",
        content_hash=uuid.uuid4().hex,
        size_bytes=1000,
        info=info,
    )
    ready = await track_store.mark_ready(
        track_id=track.id, analysis=(analysis or problem_mix()).to_json_dict(), schema_version=1
    )
    assert ready is not None
    return ready


def make_feedback(
    provider: LLMProvider | None = None, *, summary_every: int = 4, flush_interval_s: float = 1.0
) -> Feedback:
    """The feedback use-case over a fresh generation manager (builtin engine unless a provider is given);
    ``flush_interval_s`` is the seconds between saves of partial text."""
    generation = Generation(
        provider=provider or BuiltinProvider(),
        streams=MessageStreams(),
        summary_every=summary_every,
        budget_tokens=6000,
        flush_interval_s=flush_interval_s,
    )
    return Feedback(generation=generation)
