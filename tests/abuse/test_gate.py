"""Hostile documents and bodies: each is refused with a typed error while ``/healthz`` keeps answering."""

from __future__ import annotations

import httpx
import pytest

from tests.abuse.cases import Case, query_cases, transport_cases
from tests.abuse.conftest import health_probe


async def _send(http: httpx.AsyncClient, case: Case) -> httpx.Response:
    return await http.post("/graphql", content=case.body, headers=case.headers)


@pytest.mark.parametrize("case", query_cases() + transport_cases(), ids=lambda c: c.name)
async def test_gate_refuses_with_a_typed_error_and_stays_live(http: httpx.AsyncClient, server: str, case: Case) -> None:
    async with health_probe(server):
        response = await _send(http, case)
    assert response.status_code == case.status
    body = response.json()
    assert body["data"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == [case.code]
    assert len(response.content) < 2_000, "a refusal must not echo the input back"


async def test_gate_keeps_serving_while_bombs_arrive_in_parallel(http: httpx.AsyncClient, server: str) -> None:
    import asyncio

    bombs = [c for c in query_cases() if c.name.startswith(("fragment bomb", "700 repeated"))] * 4
    async with health_probe(server) as probe:
        responses = await asyncio.gather(*(_send(http, c) for c in bombs))
    assert {r.json()["errors"][0]["extensions"]["code"] for r in responses} == {"QUERY_TOO_COMPLEX"}
    assert probe.answered > 0


async def test_gate_lets_the_standard_introspection_query_through(http: httpx.AsyncClient) -> None:
    from graphql import get_introspection_query

    response = await http.post("/graphql", json={"query": get_introspection_query(descriptions=True)})
    body = response.json()
    assert "errors" not in body
    assert any(t["name"] == "Track" for t in body["data"]["__schema"]["types"])


async def test_gate_counts_depth_exactly_at_the_limit(http: httpx.AsyncClient) -> None:
    """A document exactly as deep as the limit runs; one level deeper is refused, naming the limit."""
    from schema.gate import GateLimits
    from tests.abuse.cases import introspection_depth

    limit = GateLimits().max_depth  # __type + the ofType chain + name
    allowed = (await http.post("/graphql", json={"query": introspection_depth(limit - 2)})).json()
    refused = (await http.post("/graphql", json={"query": introspection_depth(limit - 1)})).json()
    assert "errors" not in allowed and allowed["data"]["__type"]["ofType"] is None
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["QUERY_TOO_COMPLEX"]
    assert f"limit is {limit}" in refused["errors"][0]["message"]


async def test_gate_judges_a_remembered_document_by_each_request_s_page_sizes(http: httpx.AsyncClient) -> None:
    """The gate remembers what it learned about a document, but a cost that depends on ``first: $n`` is judged
    again for each request's variables."""
    page = "sessions(first: $n) { edges { node { messages(first: $n) { edges { node { id } } } } } }"
    query = "query($n: Int!) { " + " ".join(f"{alias}: {page}" for alias in "abcdefg") + " }"

    async def codes(n: int) -> list[str]:
        body = (await http.post("/graphql", json={"query": query, "variables": {"n": n}})).json()
        return [e["extensions"]["code"] for e in body.get("errors") or []]

    assert "QUERY_TOO_COMPLEX" not in await codes(1)
    assert await codes(100) == ["QUERY_TOO_COMPLEX"]
    assert "QUERY_TOO_COMPLEX" not in await codes(2)
