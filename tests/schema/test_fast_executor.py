"""The fast executor answers exactly what graphql-core's own does: the same small schema is served twice through
real ASGI apps (Strawberry's view in Starlette), once with ``FastExecutor`` and once with Strawberry's default, and
every query below must get byte-for-byte the same JSON from both (data, errors with their paths and locations)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import httpx
import pytest
import strawberry
from graphql import GraphQLResolveInfo
from starlette.applications import Starlette
from starlette.routing import Route
from strawberry import relay
from strawberry.asgi import GraphQL
from strawberry.extensions import SchemaExtension
from strawberry.types.base import StrawberryObjectDefinition

from schema.document_cache import DocumentCache
from schema.fast_executor import FastExecutor
from schema.plan_cache import PlanCache


@strawberry.enum
class Mood(Enum):
    CALM = "calm"
    LOUD = "loud"


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Tag(Named):
    weight: float
    mood: Mood | None


@strawberry.type
class Item(relay.Node):
    id: relay.NodeID[int]
    name: str
    mood: Mood
    made: datetime
    note: str | None
    tags: list[Tag]
    maybe_tags: list[Tag | None] | None
    must: str = strawberry.field(description="non-null, but some items carry None")

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()


@strawberry.type
class Picky:
    """A type with its own ``is_type_of``, which the executor must call with graphql-core's info."""

    value: int

    @classmethod
    def is_type_of(cls, obj: Any, info: GraphQLResolveInfo[Any]) -> bool:
        return isinstance(obj, Picky) and info.field_name in ("picky", "pickies")


def _item(n: int, *, must: str | None = "ok", mood: Any = Mood.CALM) -> Item:
    tags = [Tag(name=f"t{n}{k}", weight=k / 2, mood=Mood.LOUD if k % 2 else None) for k in range(3)]
    return Item(
        id=n,
        name=f"item {n}",
        mood=mood,
        made=datetime(2026, 1, n + 1, 12, 30, tzinfo=UTC),
        note=None if n % 2 else f"note {n}",
        tags=tags,
        maybe_tags=[tags[0], None] if n % 3 == 0 else None,
        must=must,  # type: ignore[arg-type]
    )


class _LaterItem(Item):
    """Not a Strawberry type of its own: an ``Item`` by ``isinstance``, of another class than the first nodes."""


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> relay.Connection[Item]:
        items = [_item(n) for n in range(1, 5)]
        return relay.Connection(
            edges=[relay.Edge(cursor=f"c{i.id}", node=i) for i in items],
            page_info=relay.PageInfo(has_next_page=False, has_previous_page=False, start_cursor="c1", end_cursor="c4"),
        )

    @strawberry.field
    def item(self, n: int = 1) -> Item | None:
        return _item(n)

    @strawberry.field
    def broken(self) -> Item | None:
        return _item(9, must=None)  # a null in a non-null field: nulls the item, with the standard error

    @strawberry.field
    def broken_list(self) -> list[Item]:
        return [_item(1), _item(2, must=None)]

    @strawberry.field
    def bad_enum(self) -> Item | None:
        return _item(3, mood="not a mood")

    @strawberry.field
    def mixed_items(self) -> relay.Connection[Item]:
        """Edges whose nodes are of two classes (a plain subclass is an ``Item`` too) and one marked with ``__await__``
        in its own dict: each is completed by the edge's written-out ``node`` read or by its own completer."""
        odd = _item(3)
        odd.__dict__["__await__"] = None
        nodes = [_item(1), _LaterItem(**vars(_item(2))), odd, _item(4)]
        return relay.Connection(
            edges=[relay.Edge(cursor=f"c{n}", node=node) for n, node in enumerate(nodes)],
            page_info=relay.PageInfo(has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None),
        )

    @strawberry.field
    def null_node(self) -> relay.Connection[Item]:
        empty: Any = None  # a null in the non-null node: graphql-core reports it
        edges = [relay.Edge(cursor="c1", node=_item(1)), relay.Edge(cursor="c2", node=empty)]
        return relay.Connection(
            edges=edges,
            page_info=relay.PageInfo(has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None),
        )

    @strawberry.field
    def odd_must(self) -> list[Item]:
        return [_item(1, must=5), _item(2, must=True), _item(3)]  # type: ignore[arg-type]  # String serializes them

    @strawberry.field
    def named(self) -> list[Named]:
        return [Tag(name="n", weight=1.0, mood=Mood.CALM)]

    @strawberry.field
    def picky(self) -> Picky:
        return Picky(value=1)

    @strawberry.field
    def pickies(self) -> list[Picky]:
        return [Picky(value=2), Picky(value=3)]


ITEM = "id name mood made note must tags { name weight mood }"
QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("{ items { edges { cursor node { " + ITEM + " } } pageInfo { hasNextPage endCursor } } }", {}),
    ("{ items { edges { node { a: id b: name id name c: mood } } } }", {}),
    ("{ items { __typename edges { __typename node { __typename id tags { __typename name } } } } }", {}),
    (
        "query { items { edges { node { ...F ... on Item { note tags { ...T } } } } } } "
        "fragment F on Item { id made } fragment T on Tag { name mood }",
        {},
    ),
    (
        "query($yes: Boolean!, $no: Boolean!) { items { edges { node { id name @include(if: $yes) "
        "note @skip(if: $yes) mood @include(if: $no) tags @skip(if: $no) { name } } } } }",
        {"yes": True, "no": False},
    ),
    (
        "query($yes: Boolean!) { items { edges { node { ... on Item @include(if: $yes) { must } "
        "...G @skip(if: $yes) } } } } fragment G on Item { made }",
        {"yes": False},
    ),
    ("{ item(n: 3) { id maybeTags { name } tags { name weight } } item2: item(n: 2) { maybeTags { name } } }", {}),
    ("{ items { edges { node { id shout tags { name } } } } }", {}),  # a resolver in the object: graphql-core's
    ("{ broken { id name must } }", {}),
    ("{ brokenList { id must } }", {}),
    ("{ badEnum { id mood } }", {}),
    ("{ oddMust { id must mood made } }", {}),
    ("{ mixedItems { edges { cursor node { name mood } } } }", {}),
    (
        "{ nullNode { edges { cursor node { name } } } }",
        {},
    ),  # a written-out leaf whose value is not a str: its own completer
    ("{ named { name ... on Tag { weight } __typename } }", {}),
    ("{ picky { value } pickies { value } }", {}),
    ("{ items { edges { node { id tags { name } } } } }", {}),
]


class _Resolving(SchemaExtension):
    """A schema extension with a ``resolve`` hook: every field must then go through it."""

    def resolve(self, _next: Any, root: Any, info: GraphQLResolveInfo[Any], *args: Any, **kwargs: Any) -> Any:
        result = _next(root, info, *args, **kwargs)
        return result.upper() if isinstance(result, str) and info.field_name == "name" else result


def _app(schema: strawberry.Schema) -> Starlette:
    return Starlette(routes=[Route("/graphql", GraphQL(schema), methods=["POST"])])


@pytest.fixture(params=["plain", "with a resolve hook"])
def schemas(request: pytest.FixtureRequest) -> Iterator[tuple[strawberry.Schema, strawberry.Schema]]:
    extensions: list[Any] = [_Resolving] if request.param != "plain" else []
    # As the app's schema: parsed documents reused, so plans are shared across requests.
    fast = strawberry.Schema(
        query=Query,
        extensions=[*extensions, DocumentCache().extension()],
        execution_context_class=FastExecutor.sharing(PlanCache()),
    )
    stock = strawberry.Schema(query=Query, extensions=extensions)
    yield fast, stock


@pytest.fixture
async def clients(
    schemas: tuple[strawberry.Schema, strawberry.Schema],
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    fast, stock = schemas
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(_app(fast)), base_url="http://fast") as a,
        httpx.AsyncClient(transport=httpx.ASGITransport(_app(stock)), base_url="http://stock") as b,
    ):
        yield a, b


@pytest.mark.parametrize(("query", "variables"), QUERIES)
async def test_fast_executor_answers_like_graphql_core(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient], query: str, variables: dict[str, Any]
) -> None:
    fast, stock = clients
    flipped = {name: not value for name, value in variables.items()}
    # Twice (the second time from remembered plans), then with every flag flipped (plans must not be reused).
    for values in (variables, variables, flipped):
        body = {"query": query, "variables": values}
        got, wanted = (await fast.post("/graphql", json=body)), (await stock.post("/graphql", json=body))
        assert got.status_code == wanted.status_code == 200
        assert got.content == wanted.content
        assert "data" in got.json()


async def test_fast_executor_reports_a_null_in_a_non_null_field_where_graphql_core_does(
    clients: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    fast, _ = clients
    body = (await fast.post("/graphql", json={"query": "{ brokenList { id must } }"})).json()
    assert body["data"] is None
    assert [e["path"] for e in body["errors"]] == [["brokenList", 1, "must"]]
    assert body["errors"][0]["message"] == "Cannot return null for non-nullable field Item.must."


def test_node_ids_are_strawberrys_global_ids() -> None:
    fast = strawberry.Schema(query=Query, execution_context_class=FastExecutor)
    result = fast.execute_sync("{ item(n: 7) { id } }")
    assert result.data == {"item": {"id": relay.to_base64("Item", "7")}}
    definition = Item.__strawberry_definition__  # type: ignore[attr-defined]
    assert isinstance(definition, StrawberryObjectDefinition)


async def test_an_executor_dies_with_its_operation_without_waiting_for_the_collector() -> None:
    """No reference cycle through the resolver helpers: when an operation succeeds, its executor and all it holds
    go as it ends. (An error's traceback still holds the executor's frames until a collection.)"""
    executors: list[weakref.ref[FastExecutor]] = []

    class Recording(FastExecutor):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            executors.append(weakref.ref(self))

    fast = strawberry.Schema(query=Query, execution_context_class=Recording.sharing(PlanCache()))
    succeeded: list[int] = []
    gc.disable()
    try:
        for n, (query, variables) in enumerate(QUERIES):
            result = await fast.execute(query, variable_values=variables)
            if not result.errors:
                succeeded.append(n)
            del result
        assert len(executors) == len(QUERIES) and len(succeeded) >= 10
        assert [n for n in succeeded if executors[n]() is not None] == []
    finally:
        gc.enable()
