"""More operations at once than may execute at once (``OPERATIONS_IN_FLIGHT``): every one is answered, in full,
over real HTTP; the ones past the limit wait for a slot, none is refused or lost."""

from __future__ import annotations

import asyncio

import httpx

from api.graphql_view import OPERATIONS_IN_FLIGHT
from tests.api.ready_track import ready_track
from tests.graphql_client import gql, new_token


async def test_operations_past_the_limit_wait_and_all_answer(http: httpx.AsyncClient) -> None:
    token = await new_token(http)
    track_id = await ready_track(http, token, seconds=2)
    count = OPERATIONS_IN_FLIGHT * 4
    titles = [f"session {n}" for n in range(count)]
    create = "mutation($k: ID!, $t: String!) { createSession(input: {trackId: $k, title: $t}) { id title } }"
    made = await asyncio.gather(*(gql(http, create, {"k": track_id, "t": title}, token=token) for title in titles))
    assert [body["data"]["createSession"]["title"] for body in made] == titles
    read = "query($id: ID!) { session(id: $id) { title } }"
    ids = [body["data"]["createSession"]["id"] for body in made]
    answered = await asyncio.gather(*(gql(http, read, {"id": id_}, token=token) for id_ in ids))
    assert [body["data"]["session"]["title"] for body in answered] == titles
