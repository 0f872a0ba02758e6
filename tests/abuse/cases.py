"""Hostile GraphQL requests, as data: the abuse suite sends each one, and ``make bench`` / the soak script reuse them.

Each case is a JSON body (or raw bytes) for ``POST /graphql`` with the status and error code a server must answer
with. None needs a token: the point is that nobody can stall the server, authenticated or not.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    name: str
    body: bytes
    status: int
    code: str
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


def _json(query: str, variables: dict[str, object] | None = None) -> bytes:
    return json.dumps({"query": query, "variables": variables or {}}).encode()


def fragment_bomb(levels: int) -> str:
    """Each fragment spreads the next twice: 2^levels paths in 1-2 KB."""
    chain = " ".join(f"fragment L{i} on Query {{ ...L{i + 1} ...L{i + 1} }}" for i in range(levels))
    return f"query {{ ...L0 }} {chain} fragment L{levels} on Query {{ genres {{ name }} }}"


def fragment_chain(levels: int) -> str:
    """Fragments spreading the next once: linear, but deep enough to exhaust a recursive walker."""
    chain = " ".join(f"fragment L{i} on Query {{ ...L{i + 1} }}" for i in range(levels))
    return f"query {{ ...L0 }} {chain} fragment L{levels} on Query {{ __typename }}"


def nested_selections(levels: int) -> str:
    return "{ " + "a { " * levels + "b" + " }" * (levels + 1)


def cyclic_fragments() -> str:
    return "query { ...A } fragment A on Query { genres { name } ...B } fragment B on Query { ...A }"


def aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: genres {{ name }}" for i in range(count)) + " }"


def repeated_fields(count: int) -> str:
    return "{ genres { " + " ".join(["name"] * count) + " } }"


def introspection_depth(levels: int) -> str:
    return '{ __type(name: "Track") { ' + "ofType { " * levels + "name" + " }" * levels + " } }"


def wide_reads(count: int) -> str:
    """The 40 MB read: many aliases of the largest page of the largest pages."""
    one = (
        "sessions(first: 100) { edges { node { messages(first: 100) { edges { node { content "
        "findings { id } grounding { fullyGrounded } } } } track { analysisJson } } } }"
    )
    return "{ " + " ".join(f"s{i}: {one}" for i in range(count)) + " }"


def _findings_with_genre(genre: str) -> str:
    return f'{{ track(id: "VHJhY2s6MQ==") {{ findings(genre: "{genre}") {{ type }} }} }}'


def nested(depth: int) -> object:
    value: object = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


_UNUSED_VARIABLE = "query($v: String) { genres { name } }"


def query_cases() -> list[Case]:
    """Every case answered 200 with a GraphQL error (the request was read; the operation refused)."""
    gate = "QUERY_TOO_COMPLEX"
    return [
        *[Case(f"fragment bomb {n}", _json(fragment_bomb(n)), 200, gate) for n in (16, 40, 200)],
        Case("cyclic fragments", _json(cyclic_fragments()), 200, gate),
        Case("fragment chain 150", _json(fragment_chain(150)), 200, gate),
        Case("selections nested 900 deep", _json(nested_selections(900)), 200, gate),
        Case("10,000 aliases", _json(aliases(10_000)), 200, gate),
        Case("31 aliases", _json(aliases(31)), 200, gate),
        Case("700 repeated fields", _json(repeated_fields(700)), 200, gate),
        Case("introspection 30 deep", _json(introspection_depth(30)), 200, gate),
        Case("30 wide reads", _json(wide_reads(30)), 200, gate),
        Case("60 KB document", _json("{ genres { name } }" + " " * 60_000), 200, gate),
        Case("huge genre literal", _json(_findings_with_genre("x" * 20_000)), 200, "BAD_USER_INPUT"),
        Case(
            "huge genre variable",
            _json("query($g: String) { genres { name } }", {"g": "x" * 500_000}),
            200,
            "BAD_USER_INPUT",
        ),
        Case("nested variables", _json(_UNUSED_VARIABLE, {"v": nested(50)}), 200, "BAD_USER_INPUT"),
        Case("many variable values", _json(_UNUSED_VARIABLE, {"v": list(range(5000))}), 200, "BAD_USER_INPUT"),
    ]


def transport_cases() -> list[Case]:
    """Refused before any GraphQL runs: still typed JSON, never plain text."""
    deep = b'{"query": "{ genres { name } }", "variables": {"v": ' + b'{"a": ' * 3000 + b"1" + b"}" * 3000 + b"}}"
    return [
        Case("1 MB document", _json("{ genres { name } }" + " " * 1_100_000), 413, "PAYLOAD_TOO_LARGE"),
        Case("variables nested 3,000 deep", deep, 400, "BAD_USER_INPUT"),
        Case("batched requests", json.dumps([{"query": "{ genres { name } }"}] * 50).encode(), 400, "BAD_USER_INPUT"),
        Case("not JSON", b"{nope", 400, "BAD_USER_INPUT"),
        Case("form body", b"query=x", 400, "BAD_USER_INPUT", {"Content-Type": "application/x-www-form-urlencoded"}),
    ]


WORST_CASE = fragment_bomb(200)
