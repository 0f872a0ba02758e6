"""The GraphQL surface: Strawberry types and thin resolvers. May import ``services``; never ``api``.

Query, Mutation and Subscription are composed from one class per area, so a new area joins with one line each:
add its classes to the bases below, its service to ``schema.context.Services`` and construct that service in
``api.app.create_app``. Resolvers get the client with ``info.context.require_client()``; raise ``DomainError``s
and ``schema.errors`` turns them into coded GraphQL errors (subscriptions included).
The schema is built once, here, because types with Relay connections can belong to a single schema per process.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry import relay
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.name_converter import NameConverter
from strawberry.types import ExecutionContext

from schema.clients import ClientMutation
from schema.context import Info
from schema.document_cache import DocumentCache
from schema.errors import ErrorCodes
from schema.fast_executor import FastExecutor
from schema.feedback import FeedbackMutation, FeedbackSubscription
from schema.gate import GateMemo, QueryGate
from schema.genres import GenreQuery
from schema.plan_cache import PlanCache
from schema.sessions import SessionMutation, SessionQuery, SessionSubscription
from schema.tracks import TrackMutation, TrackQuery, TrackSubscription
from schema.types import resolve_node


@strawberry.type
class Query(TrackQuery, SessionQuery, GenreQuery):
    @strawberry.field(description="Any of your tracks, sessions or messages by global id.")  # type: ignore[untyped-decorator]
    async def node(self, info: Info, id: strawberry.ID) -> relay.Node | None:
        return await resolve_node(info, id)


@strawberry.type
class Mutation(ClientMutation, TrackMutation, SessionMutation, FeedbackMutation):
    pass


@strawberry.type
class Subscription(TrackSubscription, FeedbackSubscription, SessionSubscription):
    pass


class _RememberedNames(NameConverter):
    """Strawberry's names, each camel-cased once: the argument names of every resolver call were converted again
    on every request (``to_camel_case``, half a percent of a session read). Only the schema's own Python names
    come here, so the memo holds as many entries as the schema has names."""

    def __init__(self) -> None:
        super().__init__()
        self._names: dict[str, str] = {}

    def apply_naming_config(self, name: str) -> str:
        known = self._names.get(name)
        if known is None:
            known = self._names[name] = super().apply_naming_config(name)
        return known


class MixcoachSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Silenced: ``schema.errors.ErrorCodes`` logs unexpected errors once, with the request id."""


def _build() -> MixcoachSchema:
    # The gate runs first, right after parsing (its hook wraps the document cache's, so it walks every document,
    # cached or not); ErrorCodes maps whatever any step reports.
    extensions: list[Any] = [QueryGate.remembering(GateMemo()), DocumentCache().extension(), ErrorCodes]
    return MixcoachSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        execution_context_class=FastExecutor.sharing(PlanCache()),
        config=StrawberryConfig(name_converter=_RememberedNames()),
    )


schema = _build()
