"""Ordinary client mistakes get a typed error in words, never INTERNAL, and are not logged as unexpected."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tests.api.audio_files import sine_wav
from tests.graphql_client import auth, error_codes, gql, new_token, upload

PAGE = "query($n: Int!) { tracks(first: $n) { edges { cursor } } }"
TRACK = "query($id: ID!) { track(id: $id) { id } }"
TARGETS = "query($t: FeedbackType!) { genres { targets(type: $t) { genre } } }"


def _id(raw: str) -> str:
    return base64.b64encode(raw.encode()).decode()


@pytest.mark.parametrize(
    ("query", "variables", "needle"),
    [
        (PAGE, {"n": "ten"}, "Int cannot represent"),
        (PAGE, {"n": 2.5}, "Int cannot represent"),
        (PAGE, {"n": 2**31}, "32-bit"),
        (PAGE, {}, "to be provided"),
        (TARGETS, {"t": "LOUD"}, "Allowed values: MIXDOWN, MASTERING, MASTER_REVIEW"),
        (TRACK, {"id": {"a": 1}}, "ID cannot represent"),
    ],
    ids=["string for Int", "float for Int", "2^31 for Int", "missing variable", "unknown enum", "object as ID"],
)
async def test_mistakes_wrongly_typed_variables_are_bad_user_input(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], needle: str
) -> None:
    token = await new_token(http)
    body = await gql(http, query, variables, token=token)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert needle in body["errors"][0]["message"]


@pytest.mark.parametrize(
    "global_id",
    [
        _id(f"Track:{2**63}"),
        _id("Track:²"),
        _id("Track:01"),
        _id("Track:+1"),
        _id("Node:1"),
        _id("Session:1"),
        _id("Track:1").rstrip("="),
        base64.urlsafe_b64encode(b"Track:1?>").decode(),
        "%%%",
        "x" * 90,
    ],
    ids=[
        "2^63",
        "superscript digit",
        "leading zero",
        "plus sign",
        "Node type",
        "wrong type",
        "no padding",
        "url-safe",
        "garbage",
        "long",
    ],
)
async def test_mistakes_non_canonical_ids_are_not_found(http: httpx.AsyncClient, global_id: str) -> None:
    token = await new_token(http)
    for query in (TRACK, "query($id: ID!) { node(id: $id) { id } }"):
        body = await gql(http, query, {"id": global_id}, token=token)
        assert error_codes(body) == ["NOT_FOUND"], (query, body)


async def test_mistakes_only_the_canonical_id_resolves(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    created = await upload(http, sine_wav(seconds=1), token=token)
    track_id = created.json()["data"]["uploadTrack"]["id"]
    pk = base64.b64decode(track_id).decode().partition(":")[2]
    assert (await gql(http, TRACK, {"id": track_id}, token=token))["data"]["track"]["id"] == track_id
    for other in (_id(f"Track:0{pk}"), _id(f"Track:{pk} "), base64.urlsafe_b64encode(f"Track:{pk}".encode()).decode()):
        if other == track_id:
            continue
        assert error_codes(await gql(http, TRACK, {"id": other}, token=token)) == ["NOT_FOUND"]


async def test_mistakes_bad_cursors_are_bad_user_input(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    for cursor in (base64.urlsafe_b64encode(b"track:" + b"9" * 40).decode(), "garbage!", _id("track:-1")):
        body = await gql(
            http, "query($a: String) { tracks(after: $a) { edges { cursor } } }", {"a": cursor}, token=token
        )
        assert error_codes(body) == ["BAD_USER_INPUT"], cursor


async def test_mistakes_upload_variable_that_is_not_a_file(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    headers = auth(token) | {"Apollo-Require-Preflight": "true"}
    operations = {"query": "mutation($file: Upload!) { uploadTrack(file: $file) { id } }", "variables": {"file": "x"}}
    as_string = await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": "{}"},
        files={"other": ("a.wav", b"RIFF", "audio/wav")},
        headers=headers,
    )
    assert error_codes(as_string.json()) == ["BAD_USER_INPUT"]
    unmapped = await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        headers=headers,
    )
    assert unmapped.status_code == 400 and error_codes(unmapped.json()) == ["BAD_USER_INPUT"]


async def test_mistakes_long_filenames_still_upload(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    response = await upload(http, sine_wav(seconds=1), token=token, filename="a" * 300 + ".wav")
    track = response.json()["data"]["uploadTrack"]
    assert track["name"] == "a" * 255
    huge = await upload(http, sine_wav(seconds=1), token=token, filename="b" * 5000 + ".wav")
    assert huge.headers["content-type"].startswith("application/json")
    assert error_codes(huge.json()) == ["BAD_USER_INPUT"] or huge.json()["data"]["uploadTrack"]["name"] == "b" * 255


async def test_mistakes_upload_over_the_limit_without_a_length_is_typed(live_server: Any, settings: Any) -> None:
    small = settings.model_copy(update={"max_upload_mb": 1.0})
    base = live_server(small).url
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        token = await new_token(http)
        boundary = "b0undary"
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n'
            '{"query":"mutation($file: Upload!) { uploadTrack(file: $file) { id } }","variables":{"file":null}}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{{"0":["variables.file"]}}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="0"; filename="big.wav"\r\n\r\n'
        ).encode()

        async def chunks() -> Any:
            yield head
            for _ in range(40):
                yield b"\0" * 65536

        response = await http.post(
            "/graphql",
            content=chunks(),
            headers=auth(token)
            | {"Apollo-Require-Preflight": "true", "Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
    assert response.status_code == 413
    assert error_codes(response.json()) == ["PAYLOAD_TOO_LARGE"]


async def test_mistakes_request_ids_are_validated(http: httpx.AsyncClient) -> None:
    query = "{ tracks { edges { cursor } } }"  # no token: an UNAUTHENTICATED error carries the request id
    plain = await http.post("/graphql", json={"query": query}, headers={"X-Request-Id": "abc-123"})
    assert plain.json()["errors"][0]["extensions"]["requestId"] == "abc-123"
    for hostile in ("x" * 8192, "a b", "<script>"):
        body = (await http.post("/graphql", json={"query": query}, headers={"X-Request-Id": hostile})).json()
        fresh = body["errors"][0]["extensions"]["requestId"]
        assert fresh != hostile and len(fresh) == 16


async def test_mistakes_genre_too_long_on_every_path(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    created = await upload(http, sine_wav(seconds=1), token=token)
    track_id = created.json()["data"]["uploadTrack"]["id"]
    genre = "g" * 65
    for query, variables in (
        (
            "query($id: ID!, $g: String) { track(id: $id) { findings(genre: $g) { type } } }",
            {"id": track_id, "g": genre},
        ),
        (
            "mutation($i: CreateSessionInput!) { createSession(input: $i) { id } }",
            {"i": {"trackId": track_id, "genre": genre}},
        ),
        (
            "mutation($i: RequestFeedbackInput!) { requestFeedback(input: $i) { id } }",
            {"i": {"trackId": track_id, "sessionId": _id("Session:1"), "genre": genre}},
        ),
    ):
        body = await gql(http, query, variables, token=token)
        assert error_codes(body) == ["BAD_USER_INPUT"], body
        assert "at most 64 characters" in body["errors"][0]["message"]


async def test_mistakes_subscription_over_http_is_refused_in_words(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    query = 'subscription { messageStream(messageId: "TWVzc2FnZTox") { delta } }'
    for headers in (auth(token), {}):
        response = await http.post("/graphql", json={"query": query}, headers=headers)
        assert response.status_code == 400
        assert error_codes(response.json()) == ["BAD_USER_INPUT"]
        assert "WebSocket" in response.json()["errors"][0]["message"]
    mutation_via_get = await http.get("/graphql", params={"query": "mutation { createClient { token } }"})
    assert mutation_via_get.status_code == 400 and "POST" in mutation_via_get.json()["errors"][0]["message"]
