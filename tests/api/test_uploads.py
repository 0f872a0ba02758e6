"""Uploads end to end: multipart in, analysis in the process pool, events over WebSocket, typed results out."""

from __future__ import annotations

from typing import Any

import httpx

from api.settings import Settings
from tests.api.audio_files import sine_m4a, sine_wav
from tests.graphql_client import error_codes, gql, new_token, subscribe, upload, ws_session

EVENTS = "subscription($id: ID!) { trackEvents(trackId: $id) { status progress stage errorCode track { id status } } }"
TRACK = """query($id: ID!) { track(id: $id) { id name status progress format durationS sampleRateHz channels
  errorCode errorMessage contentHash sizeBytes
  analysis { schemaVersion loudness { integratedLufs truePeakDbtp shortTermTimeline { timesS values } unavailable }
             file { format sampleRateHz channels } platforms { platform gainDb } sections { label startS } }
  analysisJson } }"""


async def _events(server: str, token: str, track_id: str) -> list[dict[str, Any]]:
    async with ws_session(server, token=token) as ws:
        return [m async for m in subscribe(ws, EVENTS, {"id": track_id})]


async def _uploaded(http: httpx.AsyncClient, token: str, content: bytes, **kwargs: Any) -> dict[str, Any]:
    response = await upload(http, content, token=token, **kwargs)
    body = response.json()
    assert "errors" not in body, body
    track: dict[str, Any] = body["data"]["uploadTrack"]
    return track


async def test_upload_is_analysed_and_streams_events_until_ready(
    server: str, http: httpx.AsyncClient, settings: Settings
) -> None:
    token = await new_token(http)
    track = await _uploaded(http, token, sine_wav(seconds=4), filename="My Mix.wav")
    assert track["name"] == "My Mix" and track["status"] in ("QUEUED", "ANALYZING")

    messages = await _events(server, token, track["id"])
    payloads = [m["payload"]["data"]["trackEvents"] for m in messages if m["type"] == "next"]
    assert messages[-1]["type"] == "complete"
    assert payloads[-1]["status"] == "READY" and payloads[-1]["track"]["status"] == "READY"
    assert all(p["status"] in ("QUEUED", "ANALYZING", "READY") for p in payloads)

    body = await gql(http, TRACK, {"id": track["id"]}, token=token)
    ready = body["data"]["track"]
    assert ready["status"] == "READY" and ready["progress"] == 1.0
    assert ready["format"] == "WAV" and ready["channels"] == 2 and ready["sampleRateHz"] == 44100
    assert abs(ready["durationS"] - 4.0) < 0.01
    loudness = ready["analysis"]["loudness"]
    assert -12.0 < loudness["integratedLufs"] < -6.0  # a 0.5-amplitude sine in both channels
    assert ready["analysisJson"]["loudness"]["integrated_lufs"] == loudness["integratedLufs"]
    stored = list((settings.data_dir / "audio").rglob(f"{ready['contentHash']}.*"))
    assert [p.suffix for p in stored] == [".wav"]


async def test_upload_m4a_is_probed_analysed_and_kept_as_m4a(
    server: str, http: httpx.AsyncClient, settings: Settings
) -> None:
    token = await new_token(http)
    track = await _uploaded(http, token, sine_m4a(seconds=4), filename="Voice Memo.m4a")
    messages = await _events(server, token, track["id"])
    assert messages[-2]["payload"]["data"]["trackEvents"]["status"] == "READY"
    ready = (await gql(http, TRACK, {"id": track["id"]}, token=token))["data"]["track"]
    assert ready["format"] == "MP4" and ready["channels"] == 2 and ready["sampleRateHz"] == 44100
    assert abs(ready["durationS"] - 4.0) < 0.1
    assert -13.0 < ready["analysis"]["loudness"]["integratedLufs"] < -5.0
    stored = list((settings.data_dir / "audio").rglob(f"{ready['contentHash']}.*"))
    assert [p.suffix for p in stored] == [".m4a"]


async def test_upload_same_content_reuses_finished_analysis(server: str, http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    content = sine_wav(seconds=3)
    first = await _uploaded(http, token, content)
    await _events(server, token, first["id"])
    again = await _uploaded(http, token, content, name="Second take")
    assert again["status"] == "READY" and again["name"] == "Second take" and again["id"] != first["id"]


async def test_upload_delete_removes_audio_only_when_unreferenced(
    server: str, http: httpx.AsyncClient, settings: Settings
) -> None:
    token, other = await new_token(http), await new_token(http)
    content = sine_wav(seconds=2)
    mine = await _uploaded(http, token, content)
    theirs = await _uploaded(http, other, content)
    await _events(server, token, mine["id"])
    await _events(server, other, theirs["id"])
    audio = settings.data_dir / "audio"

    session = await gql(
        http, "mutation($t: ID!) { createSession(input: {trackId: $t}) { id } }", {"t": mine["id"]}, token=token
    )
    session_id = session["data"]["createSession"]["id"]
    assert (await gql(http, "mutation($id: ID!) { deleteTrack(id: $id) }", {"id": mine["id"]}, token=token))[
        "data"
    ] == {"deleteTrack": True}
    assert len(list(audio.rglob("*.wav"))) == 1  # still used by the other client's track
    gone = await gql(http, "query($id: ID!) { session(id: $id) { id } }", {"id": session_id}, token=token)
    assert error_codes(gone) == ["NOT_FOUND"]

    await gql(http, "mutation($id: ID!) { deleteTrack(id: $id) }", {"id": theirs["id"]}, token=other)
    assert list(audio.rglob("*.wav")) == []


async def test_upload_corrupt_file_is_rejected_as_unsupported_media(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    token = await new_token(http)
    response = await upload(http, b"RIFF\x00\x00\x00\x00WAVEjunk" * 100, token=token, filename="broken.wav")
    assert error_codes(response.json()) == ["UNSUPPORTED_MEDIA"]
    assert "(.wav)" in response.json()["errors"][0]["message"]  # names the format sent, not our temporary file
    assert (await http.get("/healthz")).status_code == 200
    assert list((settings.data_dir / "incoming").iterdir()) == []


async def test_upload_truncated_wav_fails_or_is_rejected_and_server_stays_up(
    server: str, http: httpx.AsyncClient
) -> None:
    token = await new_token(http)
    content = sine_wav(seconds=3)
    response = await upload(http, content[: len(content) // 3], token=token, filename="cut.wav")
    body = response.json()
    if "errors" in body:
        assert error_codes(body) in (["UNSUPPORTED_MEDIA"], ["BAD_USER_INPUT"])
    else:
        events = await _events(server, token, body["data"]["uploadTrack"]["id"])
        final = events[-2]["payload"]["data"]["trackEvents"]
        assert final["status"] in ("READY", "FAILED")
    assert (await http.get("/healthz")).status_code == 200


async def test_upload_over_size_limit_is_payload_too_large(live_server: Any, settings: Settings) -> None:
    small = settings.model_copy(update={"max_upload_mb": 0.25})
    async with httpx.AsyncClient(base_url=live_server(small).url, timeout=60) as http:
        token = await new_token(http)
        response = await upload(http, sine_wav(seconds=3), token=token)
        assert error_codes(response.json()) == ["PAYLOAD_TOO_LARGE"]
        assert "0.25 MB" in response.json()["errors"][0]["message"]
        assert (await http.get("/healthz")).status_code == 200
        assert list((small.data_dir / "incoming").iterdir()) == []

        # A declared length beyond the limit (plus room for the form fields) is refused before it is read.
        huge = await upload(http, sine_wav(seconds=12), token=token)
        assert huge.status_code == 413 and error_codes(huge.json()) == ["PAYLOAD_TOO_LARGE"]
        assert "0.25 MB" in huge.json()["errors"][0]["message"]


async def test_upload_over_duration_limit_is_payload_too_large(live_server: Any, settings: Settings) -> None:
    short = settings.model_copy(update={"max_duration_s": 2.0})
    async with httpx.AsyncClient(base_url=live_server(short).url, timeout=60) as http:
        token = await new_token(http)
        response = await upload(http, sine_wav(seconds=3), token=token)
        assert error_codes(response.json()) == ["PAYLOAD_TOO_LARGE"]


async def test_upload_without_csrf_header_is_refused(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    response = await upload(http, sine_wav(seconds=1), token=token, csrf_header=False)
    assert response.status_code == 400
    assert "Apollo-Require-Preflight" in response.json()["errors"][0]["message"]


async def test_upload_empty_file_is_bad_user_input(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    response = await upload(http, b"", token=token)
    assert error_codes(response.json()) == ["BAD_USER_INPUT"]
