"""Upload a synthetic mix and wait, over the ``trackEvents`` subscription, until its analysis is READY."""

from __future__ import annotations

import httpx

from tests.api.audio_files import sine_wav
from tests.graphql_client import subscribe, upload, ws_session


async def ready_track(http: httpx.AsyncClient, token: str, *, seconds: float = 6.0, amplitude: float = 0.9) -> str:
    """A loud 60 Hz sine (far from every genre's band balance); returns its id once READY."""
    audio = sine_wav(seconds=seconds, freq_hz=60.0, amplitude=amplitude)
    response = await upload(http, audio, token=token, name="Mix")
    track_id: str = response.json()["data"]["uploadTrack"]["id"]
    status = None
    async with ws_session(str(http.base_url).rstrip("/"), token=token) as ws:
        query = "subscription($id: ID!) { trackEvents(trackId: $id) { status } }"
        async for frame in subscribe(ws, query, {"id": track_id}):
            if frame["type"] == "next":
                status = frame["payload"]["data"]["trackEvents"]["status"]
    if status != "READY":
        raise AssertionError(f"the track ended {status}, not READY")
    return track_id
