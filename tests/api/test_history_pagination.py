"""A long history reads fully: more than 100 messages in a session and more than 100 sessions, page by page, as the
web app walks them (``first`` is capped at 100, so one request is never enough)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx

from api.settings import Settings
from tests.api.ready_track import ready_track
from tests.graphql_client import gql, new_token

FOLLOWUPS = 55  # each adds a question and an answer: 1 + 2 * 55 = 111 messages
EXTRA_SESSIONS = 101
MESSAGES = """query($s: ID!, $first: Int!, $after: String) { session(id: $s) { messages(first: $first, after: $after) {
  edges { node { id kind status } } pageInfo { hasNextPage endCursor } } } }"""
SESSIONS = """query($first: Int!, $after: String) { sessions(first: $first, after: $after) {
  edges { node { id } } pageInfo { hasNextPage endCursor } } }"""


async def _walk(
    http: httpx.AsyncClient, token: str, query: str, pick: Callable[[dict[str, Any]], dict[str, Any]], **variables: Any
) -> tuple[list[dict[str, Any]], list[int]]:
    """Every node of a connection in order, and the size of each page fetched."""
    nodes: list[dict[str, Any]] = []
    sizes: list[int] = []
    after = None
    while True:
        body = await gql(http, query, {**variables, "first": 100, "after": after}, token=token)
        assert "errors" not in body, body
        page = pick(body["data"])
        sizes.append(len(page["edges"]))
        nodes.extend(edge["node"] for edge in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            return nodes, sizes
        after = page["pageInfo"]["endCursor"]


async def _settled(http: httpx.AsyncClient, token: str, session_id: str) -> list[dict[str, Any]]:
    """The session's messages once no answer is still streaming (the builtin engine finishes them quickly)."""
    for _ in range(600):
        nodes, _ = await _walk(http, token, MESSAGES, lambda d: d["session"]["messages"], s=session_id)
        if all(n["status"] != "STREAMING" for n in nodes):
            return nodes
        await asyncio.sleep(0.2)
    raise AssertionError("answers were still streaming after many polls")


async def test_history_pagination_reads_every_message_and_session(
    settings: Settings, live_server: Callable[[Settings], Any]
) -> None:
    # The quotas are not under test here: 56 answers in a row on a busy machine can overlap past the default 3.
    update = {"llm": "builtin", "summary_every": 1000, "concurrent_generations": 100, "generations_per_hour": 1000}
    server = live_server(settings.model_copy(update=update))
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as http:
        token = await new_token(http)
        track_id = await ready_track(http, token, seconds=3)
        request = "mutation($t: ID!) { requestFeedback(input: {trackId: $t}) { id sessionId } }"
        feedback = (await gql(http, request, {"t": track_id}, token=token))["data"]["requestFeedback"]
        session_id = feedback["sessionId"]
        ask = "mutation($s: ID!, $q: String!) { askFollowup(input: {sessionId: $s, question: $q}) { id } }"
        answers = []
        for i in range(FOLLOWUPS):
            body = await gql(http, ask, {"s": session_id, "q": f"question number {i}?"}, token=token)
            answers.append(body["data"]["askFollowup"]["id"])

        messages = await _settled(http, token, session_id)
        _, sizes = await _walk(http, token, MESSAGES, lambda d: d["session"]["messages"], s=session_id)
        assert sizes == [100, 1 + 2 * FOLLOWUPS - 100]
        ids = [m["id"] for m in messages]
        assert len(ids) == len(set(ids)) == 1 + 2 * FOLLOWUPS
        assert ids[0] == feedback["id"] and set(answers) <= set(ids) and ids[-1] == answers[-1]
        assert [m["kind"] for m in messages].count("FOLLOWUP") == 2 * FOLLOWUPS
        assert {m["status"] for m in messages} == {"COMPLETE"}

        create = "mutation($t: ID!, $n: String) { createSession(input: {trackId: $t, title: $n}) { id } }"
        made = [
            (await gql(http, create, {"t": track_id, "n": f"S{i}"}, token=token))["data"]["createSession"]["id"]
            for i in range(EXTRA_SESSIONS)
        ]
        sessions, pages = await _walk(http, token, SESSIONS, lambda d: d["sessions"])
        assert pages == [100, EXTRA_SESSIONS + 1 - 100]
        assert [s["id"] for s in sessions] == [*reversed(made), session_id]  # newest first, none lost
