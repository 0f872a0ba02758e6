"""Embedded instances sharing one database never analyse each other's unfinished tracks (issue 11).

Two ``AnalysisJobs`` (two instances' worth: each its own lease owner) on one real SQLite or PostgreSQL database,
with the analyser replaced by a recorder that holds the track until released: what the test is about is who runs
which track, not the measuring.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from services import domain
from services.runtime.bus import EventBus
from services.runtime.log import MemoryLog
from services.store import clients, tracks
from services.store.audio_store import AudioSource, AudioStore
from services.store.database import open_database
from services.store.models import TrackModel
from services.tracks.analysis_jobs import AnalysisJobs, AnalysisRun, ProgressCallback

SHA = "ab" * 32


class Recorder:
    """The analyser: records which instance ran which track, and holds each until ``finish`` is set."""

    def __init__(self) -> None:
        self.ran: list[tuple[str, int]] = []
        self.finish = asyncio.Event()

    def run_for(self, instance: str) -> AnalysisRun:
        async def run(track_id: int, source: AudioSource, progress: ProgressCallback) -> dict[str, object]:
            self.ran.append((instance, track_id))
            await self.finish.wait()
            return {"schema_version": 1}

        return run


@pytest.fixture
async def owner_id(db_url: str, tmp_path: Path) -> AsyncIterator[int]:
    audio = tmp_path / "data" / "audio" / SHA[:2]
    audio.mkdir(parents=True)
    (audio / f"{SHA}.wav").write_bytes(b"RIFF")
    async with open_database(db_url):
        yield (await clients.create_client(token_hash="c" * 64)).id


async def _track(owner_id: int) -> int:
    info = domain.AudioFileInfo(format="WAV", duration_s=1.0, sample_rate_hz=8000, channels=1)
    track = await tracks.create_track(
        owner_id=owner_id, name="t", original_filename="t.wav", content_hash=SHA, size_bytes=4, info=info
    )
    return track.id


def _jobs(recorder: Recorder, name: str, tmp_path: Path) -> AnalysisJobs:
    return AnalysisJobs(
        run=recorder.run_for(name),
        audio=AudioStore(tmp_path / "data"),
        bus=EventBus(MemoryLog()),
        workers=2,
        lease_s=30.0,
    )


async def _settle(recorder: Recorder, count: int) -> None:
    for _ in range(200):
        if len(recorder.ran) >= count:
            return
        await asyncio.sleep(0.01)


async def test_analysis_leases_keep_a_starting_instance_off_live_tracks(owner_id: int, tmp_path: Path) -> None:
    recorder = Recorder()
    a = _jobs(recorder, "A", tmp_path)
    running = await _track(owner_id)  # uploaded on A: A queues it, takes its lease and runs it
    a.submit(running)
    await _settle(recorder, 1)
    b = _jobs(recorder, "B", tmp_path)
    assert await b.requeue_pending() == 0  # B starts: A's unfinished track is A's
    await asyncio.sleep(0.05)
    assert recorder.ran == [("A", running)]
    # A stops before it finishes: its lease lapses at once, so the next start (B's sweep) takes the track
    await a.close()
    assert await b.requeue_pending() == 1
    await _settle(recorder, 2)
    assert recorder.ran == [("A", running), ("B", running)]
    recorder.finish.set()
    await b.drain(5.0)
    done = await tracks.get_track_any_owner(running)
    assert done is not None and done.status is domain.TrackStatus.READY
    await b.close()


async def test_analysis_leases_leave_fresh_uploads_alone_and_take_lapsed_ones(owner_id: int, tmp_path: Path) -> None:
    fresh = await _track(owner_id)  # stored a moment ago; its instance is about to take the lease
    unleased = await _track(owner_id)  # left by a run before leases existed, long ago
    lapsed = await _track(owner_id)  # its instance died: the lease ran out
    live = await _track(owner_id)  # another instance holds it
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    await TrackModel.filter(id=unleased).update(updated_at=long_ago)
    await TrackModel.filter(id=lapsed).update(lease_owner="dead", lease_until=datetime.now(UTC) - timedelta(seconds=1))
    await TrackModel.filter(id=live).update(lease_owner="alive", lease_until=datetime.now(UTC) + timedelta(minutes=1))

    claimed = await asyncio.gather(
        *(
            tracks.claim_abandoned_tracks(owner=who, lease=timedelta(seconds=30), unleased_grace=timedelta(seconds=30))
            for who in ("B", "C")
        )
    )
    assert sorted(claimed[0] + claimed[1]) == [unleased, lapsed]  # each claimed by exactly one of two starters
    assert fresh not in claimed[0] + claimed[1] and live not in claimed[0] + claimed[1]
    assert await tracks.claim_tracks(owner="B", track_ids=[fresh, live], lease=timedelta(seconds=30)) == [fresh]
