"""The process pool: the API stays responsive during four analyses, and a restart re-queues unfinished work."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from api.settings import Settings
from tests.api.audio_files import sine_wav
from tests.graphql_client import gql, new_token, subscribe, upload, ws_session

STATUS = "{ tracks(first: 10) { edges { node { id status progress } } } }"


async def test_pool_api_answers_while_four_analyses_run(live_server: Any, settings: Settings) -> None:
    four = settings.model_copy(update={"analysis_workers": 4})
    async with httpx.AsyncClient(base_url=live_server(four).url, timeout=60) as http:
        token = await new_token(http)
        # Uploaded together and long enough (3 min each) that the four analyses overlap however fast one runs.
        files = [sine_wav(seconds=180, freq_hz=300 + 40 * i) for i in range(4)]
        uploads = (upload(http, audio, token=token, name=f"long {i}") for i, audio in enumerate(files))
        for response in await asyncio.gather(*uploads):
            assert "errors" not in response.json()
        answered_while_busy = answered_mid_analysis = 0
        while True:
            health = await http.get("/healthz")
            listed = await gql(http, STATUS, token=token)
            nodes = [edge["node"] for edge in listed["data"]["tracks"]["edges"]]
            statuses = [node["status"] for node in nodes]
            assert health.status_code == 200 and len(statuses) == 4
            answered_while_busy += statuses.count("ANALYZING") == 4
            answered_mid_analysis += any(0 < node["progress"] < 1 for node in nodes)
            if all(status in ("READY", "FAILED") for status in statuses):
                break
    # health and a query answered while all four analyses held a worker, and while workers were reporting progress
    assert answered_while_busy > 0 and answered_mid_analysis > 0
    assert statuses == ["READY"] * 4


async def test_pool_restart_requeues_unfinished_tracks(live_server: Any, settings: Settings) -> None:
    first = live_server(settings)
    async with httpx.AsyncClient(base_url=first.url, timeout=60) as http:
        token = await new_token(http)
        # Ten minutes of audio: seconds of work, so stopping right after the upload abandons it mid-way.
        long_mix = sine_wav(seconds=600, sr=8000)
        track = (await upload(http, long_mix, token=token)).json()["data"]["uploadTrack"]
    first.stop()

    second = live_server(settings)
    async with ws_session(second.url, token=token) as ws:
        events = [
            m
            async for m in subscribe(
                ws, "subscription($id: ID!) { trackEvents(trackId: $id) { status } }", {"id": track["id"]}
            )
        ]
    statuses = [m["payload"]["data"]["trackEvents"]["status"] for m in events if m["type"] == "next"]
    assert statuses[0] in ("QUEUED", "ANALYZING") and statuses[-1] == "READY"
