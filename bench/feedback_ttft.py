"""Time to first token added by the server: fake model's first chunk → first ``messageStream`` delta at a client.

Run: ``.venv/bin/python -m bench.feedback_ttft [runs]``. It serves the real app (uvicorn on loopback, SQLite in a
temp dir, engine ``openai`` pointed at the loopback fake server), uploads a synthetic track, then for each run
requests feedback and follows it over graphql-transport-ws. The fake records when it sent its first content chunk
and the client when it received the first delta; both clocks are this process's ``time.perf_counter``.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from pydantic import SecretStr
from websockets.asyncio.client import ClientConnection

from api.settings import Settings
from tests.api.audio_files import sine_wav
from tests.conftest import _ServerThread
from tests.fakes.openai_server import FakeOpenAIServer, Reply
from tests.graphql_client import gql, new_token, upload, ws_session

REQUEST = """mutation($t: ID!) { requestFeedback(input: {trackId: $t, genre: "pop", type: MIXDOWN, profile: PRO}) {
  id } }"""
STREAM = """subscription($id: ID!) { messageStream(messageId: $id) { delta done
  message { usage { timeToFirstTokenMs } } } }"""


async def _ready_track(http: httpx.AsyncClient, token: str) -> str:
    response = await upload(http, sine_wav(seconds=8, freq_hz=60.0, amplitude=1.0), token=token)
    track_id: str = response.json()["data"]["uploadTrack"]["id"]
    query = "query($id: ID!) { track(id: $id) { status } }"
    for _ in range(3000):
        if (await gql(http, query, {"id": track_id}, token=token))["data"]["track"]["status"] == "READY":
            return track_id
        await asyncio.sleep(0.1)
    raise RuntimeError("the track was not analysed")


async def _first_delta_at(ws: ClientConnection, run: int, message_id: str) -> float:
    payload = {"query": STREAM, "variables": {"id": message_id}}
    await ws.send(json.dumps({"id": str(run), "type": "subscribe", "payload": payload}))
    first = 0.0
    while True:
        frame = json.loads(await ws.recv())
        if frame["type"] == "complete":
            return first
        if frame["type"] == "next" and frame["payload"]["data"]["messageStream"]["delta"] and not first:
            first = time.perf_counter()


async def measure(runs: int) -> list[float]:
    fake = FakeOpenAIServer().start()
    tmp = Path(tempfile.mkdtemp())
    settings = Settings(
        _env_file=None,
        data_dir=tmp / "data",
        database_url=f"sqlite://{tmp / 'db.sqlite3'}",
        llm="openai",
        openai_base_url=fake.url,
        openai_api_key=SecretStr("sk-bench"),
        llm_max_retries=0,
    )
    server = _ServerThread(settings)
    server.start()
    gaps: list[float] = []
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
            token = await new_token(http)
            track_id = await _ready_track(http, token)
            async with ws_session(server.url, token=token) as ws:
                for run in range(runs):
                    # the delay lets the subscription start before the model answers, as a browser's would
                    fake.push(Reply(delay_s=0.3, text="1. Clipping at 1:32. Fix: lower the bus."))
                    message = (await gql(http, REQUEST, {"t": track_id}, token=token))["data"]["requestFeedback"]
                    received = await _first_delta_at(ws, run, message["id"])
                    gaps.append((received - fake.first_chunk_sent_at[-1]) * 1000)
    finally:
        server.stop()
        fake.stop()
    return gaps


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    gaps = sorted(asyncio.run(measure(runs)))
    p90 = gaps[int(len(gaps) * 0.9) - 1]
    print(f"server-added time to first token over {runs} runs: median {statistics.median(gaps):.1f} ms, "
          f"p90 {p90:.1f} ms, max {gaps[-1]:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
