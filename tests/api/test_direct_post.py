"""A POST of one operation as plain JSON (``GraphQLView._direct``) answers byte for byte what Strawberry's own
request handling answers: the same request sent with a content type only Strawberry's parser accepts
(``application/json; profile=...``) goes through ``run``, so the two answers can be compared."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx

from api.settings import Settings
from tests.api.ready_track import ready_track
from tests.graphql_client import gql, new_token

DIRECT = "application/json"
STRAWBERRY = "application/json; profile=strawberry"  # parsed by Strawberry's MIME parser: its path
READ = (
    "query($s: ID!) { session(id: $s) { title messages(first: 50) { edges { cursor node "
    "{ id role content status createdAt usage { promptTokens } } } pageInfo { hasNextPage } } } }"
)


async def _both(http: httpx.AsyncClient, body: bytes, headers: dict[str, str]) -> tuple[httpx.Response, ...]:
    """The same request through both paths; a fixed request id, so error extensions match too."""
    sent = {"X-Request-Id": "direct-post-test", **headers}
    return tuple(
        [
            await http.post("/graphql", content=body, headers={**sent, "Content-Type": content_type})
            for content_type in (DIRECT, STRAWBERRY)
        ]
    )


def _same(direct: httpx.Response, strawberry: httpx.Response) -> None:
    assert direct.status_code == strawberry.status_code
    assert direct.content == strawberry.content
    skip = {"date"}
    assert [(k, v) for k, v in direct.headers.items() if k not in skip] == [
        (k, v) for k, v in strawberry.headers.items() if k not in skip
    ]


def _operation(query: str, variables: dict[str, Any] | None = None, **more: Any) -> bytes:
    return json.dumps({"query": query, "variables": variables, **more}).encode()


async def _settled(http: httpx.AsyncClient, token: str, session_id: str) -> None:
    for _ in range(300):
        body = await gql(http, READ, {"s": session_id}, token=token)
        edges = body["data"]["session"]["messages"]["edges"]
        if edges and all(e["node"]["status"] != "STREAMING" for e in edges):
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the answer was still streaming after many polls")


async def test_direct_post_answers_as_strawberry_does(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    server = live_server(settings.model_copy(update={"llm": "builtin"}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        bearer = {"Authorization": f"Bearer {token}"}
        track_id = await ready_track(http, token, seconds=2)
        request = "mutation($t: ID!) { requestFeedback(input: {trackId: $t}) { id sessionId } }"
        session_id = (await gql(http, request, {"t": track_id}, token=token))["data"]["requestFeedback"]["sessionId"]
        await _settled(http, token, session_id)

        read = _operation(READ, {"s": session_id})
        direct, strawberry = await _both(http, read, bearer)
        _same(direct, strawberry)
        assert direct.status_code == 200
        assert direct.json()["data"]["session"]["messages"]["edges"]  # a real read, not an error

        cases: list[tuple[bytes, dict[str, str]]] = [
            (read, {}),  # no token: UNAUTHENTICATED
            (read, {**bearer, "Accept": "text/event-stream"}),  # a stream asked for: the direct path declines
            (read, {"Authorization": "Bearer not-a-token"}),  # a token no client has
            (read, {"Authorization": "Basic abc"}),  # not a bearer token
            (_operation(READ, {"s": "nope"}), bearer),  # NOT_FOUND
            (_operation(READ, {"s": 5}), bearer),  # a variable of the wrong type
            (_operation("{ session(id: 1) { nope } }"), bearer),  # validation
            (_operation("{ session("), bearer),  # syntax
            (_operation("{ genres { name } }", operationName="Nope"), bearer),  # unknown operation
            (_operation("subscription { trackEvents(trackId: 1) { status } }"), bearer),  # not over HTTP
            (_operation("mutation($n: String!) { renameSession(id: $n, title: $n) { id } }", {"n": 1}), bearer),
            (b"{not json", bearer),
            (b"[]", bearer),  # a batch: batching is off
            (json.dumps([{"query": "{ genres { name } }"}]).encode(), bearer),
            (_operation(None), bearer),  # type: ignore[arg-type]  # no query
            (json.dumps({"query": 5}).encode(), bearer),
            (json.dumps({"query": "{ genres { name } }", "variables": []}).encode(), bearer),
            (json.dumps({"query": "{ genres { name } }", "extensions": 3}).encode(), bearer),
            (json.dumps({"query": "{ genres { name } }", "extensions": {"a": 1}}).encode(), bearer),
        ]
        for body, headers in cases:
            _same(*await _both(http, body, headers))

        for body in (b'"a string"', b"5", b"null", b"true"):  # JSON, but not an operation: refused in words
            direct, strawberry = await _both(http, body, bearer)
            _same(direct, strawberry)
            assert direct.status_code == 400
            assert "must be a JSON object" in direct.json()["errors"][0]["message"]


async def test_direct_post_leaves_other_requests_to_strawberry(http: httpx.AsyncClient) -> None:
    """A GET query answers as the same query posted."""
    token = await new_token(http)
    query = "{ genres { name } }"
    got = await http.get("/graphql", params={"query": query}, headers={"Authorization": f"Bearer {token}"})
    posted = await http.post("/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"})
    assert got.status_code == posted.status_code == 200
    assert got.content == posted.content
