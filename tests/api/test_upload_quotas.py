"""Per-client upload quotas over a live server: uploads per hour and per day, and stored bytes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from api.settings import Settings
from tests.api.audio_files import sine_wav
from tests.graphql_client import error_codes, gql, new_token, upload

TRACKS = "{ tracks(first: 100) { edges { node { id } } } }"
DELETE = "mutation($id: ID!) { deleteTrack(id: $id) }"


async def _track_count(http: httpx.AsyncClient, token: str) -> int:
    return len((await gql(http, TRACKS, token=token))["data"]["tracks"]["edges"])


@pytest.mark.parametrize(
    ("limit", "period", "window_s"),
    [("uploads_per_hour", "in the last hour", 3600), ("uploads_per_day", "in the last 24 hours", 86400)],
)
async def test_upload_quota_counts_uploads_per_client(
    settings: Settings, live_server: Callable[[Settings], Any], limit: str, period: str, window_s: int
) -> None:
    server = live_server(settings.model_copy(update={limit: 2}))
    audio = sine_wav(seconds=1.0)
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token, other = await new_token(http), await new_token(http)
        for _ in range(2):
            assert error_codes((await upload(http, audio, token=token)).json()) == []
        refused = (await upload(http, audio, token=token)).json()
        assert error_codes(refused) == ["QUOTA_EXCEEDED"]
        error = refused["errors"][0]
        assert 0 < error["extensions"]["retryAfterS"] <= window_s
        assert f"You have uploaded 2 tracks {period}; the limit is 2." in error["message"]
        assert await _track_count(http, token) == 2
        assert error_codes((await upload(http, audio, token=other)).json()) == []


async def test_upload_quota_deleting_a_track_does_not_give_the_upload_back(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    server = live_server(settings.model_copy(update={"uploads_per_hour": 1}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        track = (await upload(http, sine_wav(seconds=1.0), token=token)).json()["data"]["uploadTrack"]["id"]
        assert (await gql(http, DELETE, {"id": track}, token=token))["data"]["deleteTrack"] is True
        refused = (await upload(http, sine_wav(seconds=1.0), token=token)).json()
        assert error_codes(refused) == ["QUOTA_EXCEEDED"]


async def test_upload_quota_stored_bytes(settings: Settings, live_server: Callable[[Settings], Any]) -> None:
    audio = sine_wav(seconds=2.0)
    limit_mb = 1.5 * len(audio) / (1024 * 1024)  # room for one of these files, not two
    server = live_server(settings.model_copy(update={"max_stored_mb": limit_mb}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token, other = await new_token(http), await new_token(http)
        first = (await upload(http, audio, token=token)).json()["data"]["uploadTrack"]["id"]
        refused = (await upload(http, sine_wav(seconds=2.0, freq_hz=220.0), token=token)).json()
        assert error_codes(refused) == ["QUOTA_EXCEEDED"]
        error = refused["errors"][0]
        assert "retryAfterS" not in error["extensions"]  # waiting frees nothing; deleting does
        assert "over your storage limit" in error["message"] and "Delete tracks" in error["message"]
        assert await _track_count(http, token) == 1
        assert list((settings.data_dir / "incoming").iterdir()) == []  # the refused copy was dropped
        assert error_codes((await upload(http, audio, token=other)).json()) == []
        await gql(http, DELETE, {"id": first}, token=token)
        assert error_codes((await upload(http, audio, token=token)).json()) == []
