"""``Track.audioUrl`` and ``GET /audio/{id}``: signed links, HTTP Range (206, 416), bearer access and tenancy, over a
real server, with the audio on disk and in an S3-compatible store (moto)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from pydantic import SecretStr

from api.settings import Settings
from tests.api.audio_files import sine_wav
from tests.conftest import _ServerThread
from tests.fakes.s3_server import create_bucket, moto_server
from tests.graphql_client import auth, error_codes, gql, new_token, upload

AUDIO_URL = "query($id: ID!) { track(id: $id) { audioUrl { url expiresAt } } }"
BUCKET = "audio-ranges"


async def _uploaded(http: httpx.AsyncClient, audio: bytes) -> tuple[str, str]:
    token = await new_token(http)
    response = await upload(http, audio, token=token)
    return token, response.json()["data"]["uploadTrack"]["id"]


async def _link(http: httpx.AsyncClient, token: str, track_id: str) -> str:
    body = await gql(http, AUDIO_URL, {"id": track_id}, token=token)
    url: str = body["data"]["track"]["audioUrl"]["url"]
    return url


async def _check_ranges(http: httpx.AsyncClient, url: str, audio: bytes) -> None:
    size = len(audio)
    whole = await http.get(url)
    assert whole.status_code == 200
    assert whole.content == audio
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-type"] == "audio/wav"
    part = await http.get(url, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-1099/{size}"
    assert part.content == audio[100:1100]
    tail = await http.get(url, headers={"Range": "bytes=-10"})
    assert (tail.status_code, tail.content) == (206, audio[-10:])
    open_ended = await http.get(url, headers={"Range": f"bytes={size - 5}-"})
    assert open_ended.headers["content-range"] == f"bytes {size - 5}-{size - 1}/{size}"
    beyond = await http.get(url, headers={"Range": f"bytes={size}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{size}"


# The route reads through the store layer's one query; the database kind changes nothing here, so SQLite only.
pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def test_audio_url_serves_ranges_from_the_local_store(http: httpx.AsyncClient) -> None:
    audio = sine_wav(seconds=1.0)
    token, track_id = await _uploaded(http, audio)
    body = await gql(http, AUDIO_URL, {"id": track_id}, token=token)
    assert body["data"]["track"]["audioUrl"]["expiresAt"]
    await _check_ranges(http, body["data"]["track"]["audioUrl"]["url"], audio)


async def test_audio_is_refused_to_other_clients_and_to_altered_links(http: httpx.AsyncClient) -> None:
    audio = sine_wav(seconds=1.0)
    token, track_id = await _uploaded(http, audio)
    url = await _link(http, token, track_id)
    stranger = await new_token(http)
    assert error_codes(await gql(http, AUDIO_URL, {"id": track_id}, token=stranger)) == ["NOT_FOUND"]
    path = url.split("?")[0]
    assert (await http.get(path, headers=auth(stranger))).status_code == 404
    assert (await http.get(path, headers=auth(token), params={})).status_code == 200  # the owner's bearer works
    assert (await http.get(path)).status_code == 401
    forged = url.replace("signature=", "signature=0")
    assert (await http.get(forged)).status_code == 401
    other_client = url.replace("client=", "client=9")
    refused = await http.get(other_client)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with moto_server(tmp_path_factory.mktemp("moto")) as endpoint:
        create_bucket(endpoint, BUCKET)
        yield endpoint


async def test_audio_url_serves_ranges_from_the_object_store(
    live_server: Callable[[Settings], _ServerThread], settings: Settings, s3: str
) -> None:
    s3_settings = settings.model_copy(
        update={
            "s3_bucket": BUCKET,
            "s3_endpoint": s3,
            "s3_access_key_id": SecretStr("test"),
            "s3_secret_access_key": SecretStr("test"),
        }
    )
    server = live_server(s3_settings)
    audio = sine_wav(seconds=1.0, freq_hz=330.0)
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token, track_id = await _uploaded(http, audio)
        await _check_ranges(http, await _link(http, token, track_id), audio)
