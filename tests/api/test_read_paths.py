"""The fast read paths answer exactly what the full ones do: a ``messages`` selection of plain fields (read as
column values) equals the same fields read with whole messages; a document served from the parse/validation cache
answers like a fresh one, errors included; a cached token still authenticates and a wrong one is still refused."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from api.settings import Settings
from tests.api.ready_track import ready_track
from tests.graphql_client import error_codes, gql, new_token

PLAIN = (
    "id role kind status content createdAt updatedAt engine model errorCode usage { promptTokens } toolCalls { name }"
)
LEAN = "query($s: ID!) { session(id: $s) { title messages(first: 50) { edges { node { " + PLAIN + " } } } } }"
# ``followupGroup`` and ``findings`` come from the thread and a JSON column: this selection reads whole messages.
FULL = LEAN.replace(PLAIN, PLAIN + " followupGroup findings { id }")


async def _settled(http: httpx.AsyncClient, token: str, session_id: str) -> dict[str, Any]:
    for _ in range(300):
        body = await gql(http, FULL, {"s": session_id}, token=token)
        edges = body["data"]["session"]["messages"]["edges"]
        if edges and all(e["node"]["status"] != "STREAMING" for e in edges):
            return body
        await asyncio.sleep(0.2)
    raise AssertionError("the answer was still streaming after many polls")


async def test_plain_fields_read_the_same_through_every_path(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    server = live_server(settings.model_copy(update={"llm": "builtin"}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        track_id = await ready_track(http, token, seconds=2)
        request = "mutation($t: ID!) { requestFeedback(input: {trackId: $t}) { id sessionId } }"
        session_id = (await gql(http, request, {"t": track_id}, token=token))["data"]["requestFeedback"]["sessionId"]
        ask = "mutation($s: ID!, $q: String!) { askFollowup(input: {sessionId: $s, question: $q}) { id } }"
        await gql(http, ask, {"s": session_id, "q": "Is the low end too loud?"}, token=token)
        full = await _settled(http, token, session_id)
        full = await _settled(http, token, session_id)  # every answer finished before the lean read below

        lean = [await gql(http, LEAN, {"s": session_id}, token=token) for _ in range(3)]  # cached after the first
        assert "errors" not in full and all("errors" not in body for body in lean)
        wanted = [
            {k: v for k, v in edge["node"].items() if k not in ("followupGroup", "findings")}
            for edge in full["data"]["session"]["messages"]["edges"]
        ]
        assert len(wanted) >= 3 and any(node["content"] for node in wanted)
        for body in lean:
            assert [edge["node"] for edge in body["data"]["session"]["messages"]["edges"]] == wanted

        wrong = "query($s: ID!) { session(id: $s) { title nope } }"
        for _ in range(2):  # a cached document that failed validation fails again
            assert error_codes(await gql(http, wrong, {"s": session_id}, token=token)) == ["BAD_USER_INPUT"]
        stranger = await gql(http, LEAN, {"s": session_id}, token=token[:-2] + "xx")
        assert error_codes(stranger) == ["UNAUTHENTICATED"]
        other = await new_token(http)  # a valid token of another client: its cached identity is its own
        assert error_codes(await gql(http, LEAN, {"s": session_id}, token=other)) == ["NOT_FOUND"]

        # The session and its page read together (`messages_ahead`), or apart when the selection is not plain:
        # every shape answers the same messages, and a refused page is refused at `messages`, as before.
        ids = [node["id"] for node in wanted]
        ways = {
            "query($s: ID!) { session(id: $s) { messages { edges { node { id } } } } }": (),
            "query($s: ID!, $n: Int!) { session(id: $s) { messages(first: $n) { edges { node { id } } } } }": (2,),
            "query($s: ID!) { session(id: $s) { a: messages(first: 1) { edges { node { id } } } "
            "messages(first: 50) { edges { node { id } } } } }": (1,),
            "query($s: ID!) { session(id: $s) { ...M } } "
            "fragment M on Session { messages(first: 50) { edges { node { id } } } }": (),
        }
        for query, first in ways.items():
            body = await gql(
                http, query, {"s": session_id, "n": 2} if "$n" in query else {"s": session_id}, token=token
            )
            assert "errors" not in body, body
            pages = list(body["data"]["session"].values())
            assert [edge["node"]["id"] for edge in pages[0]["edges"]] == ids[: first[0] if first else None]
            assert all([edge["node"]["id"] for edge in page["edges"]] == ids for page in pages[1:])
        one = (await gql(http, LEAN.replace("first: 50", "first: 1"), {"s": session_id}, token=token))["data"]
        assert [edge["node"]["id"] for edge in one["session"]["messages"]["edges"]] == ids[:1]
        refused = await gql(
            http, "query($s: ID!) { session(id: $s) { title messages(first: 0) { edges { node { id } } } } }",
            {"s": session_id}, token=token,
        )  # fmt: skip
        assert error_codes(refused) == ["BAD_USER_INPUT"] and refused["errors"][0]["path"] == ["session", "messages"]
        missing = await gql(http, LEAN, {"s": "U2Vzc2lvbjo5OTk5OQ=="}, token=token)  # Session:99999
        assert error_codes(missing) == ["NOT_FOUND"] and missing["errors"][0]["path"] == ["session"]


SHAPES = (
    "query($s: ID!, $yes: Boolean!) { session(id: $s) { __typename t: title messages(first: 50) { __typename "
    "pageInfo { hasNextPage endCursor } edges { cursor node { ...M status @include(if: $yes) kind @skip(if: $yes) "
    "... on Message { c: content createdAt } EXTRA } } } } } "
    "fragment M on Message { __typename id role usage { promptTokens latencyMs } toolCalls { name } }"
)
NODE = "query($m: ID!) { node(id: $m) { __typename id ... on Message { role content sessionId EXTRA } } }"


def _without_findings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_findings(v) for k, v in value.items() if k != "findings"}
    if isinstance(value, list):
        return [_without_findings(v) for v in value]
    return value


async def test_plain_objects_complete_like_graphql_core(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    """The same selection with and without ``findings``: a field with a resolver makes graphql-core complete the
    messages (and the edges and connection above them), so both answers must match once it is taken out."""
    server = live_server(settings.model_copy(update={"llm": "builtin"}))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        track_id = await ready_track(http, token, seconds=2)
        request = "mutation($t: ID!) { requestFeedback(input: {trackId: $t}) { id sessionId } }"
        created = (await gql(http, request, {"t": track_id}, token=token))["data"]["requestFeedback"]
        session_id = created["sessionId"]
        await _settled(http, token, session_id)
        for yes in (True, False):
            variables = {"s": session_id, "yes": yes}
            fast = await gql(http, SHAPES.replace("EXTRA", ""), variables, token=token)
            full = await gql(http, SHAPES.replace("EXTRA", "findings { id }"), variables, token=token)
            assert "errors" not in fast and fast["data"]["session"]["messages"]["edges"]
            assert fast == _without_findings(full)
        variables = {"m": created["id"]}
        fast = await gql(http, NODE.replace("EXTRA", ""), variables, token=token)
        full = await gql(http, NODE.replace("EXTRA", "findings { id }"), variables, token=token)
        assert fast["data"]["node"]["__typename"] == "Message" and fast == _without_findings(full)
