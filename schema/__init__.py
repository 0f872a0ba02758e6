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
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.types import ExecutionContext

from schema.clients import ClientMutation
from schema.errors import ErrorCodes
from schema.feedback import FeedbackMutation, FeedbackSubscription
from schema.genres import GenreQuery
from schema.sessions import SessionMutation, SessionQuery
from schema.tracks import TrackMutation, TrackQuery, TrackSubscription

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5000


@strawberry.type
class Query(TrackQuery, SessionQuery, GenreQuery):
    node: relay.Node | None = relay.node(description="Any of your tracks, sessions or messages by global id.")


@strawberry.type
class Mutation(ClientMutation, TrackMutation, SessionMutation, FeedbackMutation):
    pass


@strawberry.type
class Subscription(TrackSubscription, FeedbackSubscription):
    pass


class MixcoachSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Silenced: ``schema.errors.ErrorCodes`` logs unexpected errors once, with the request id."""


def _build() -> MixcoachSchema:
    extensions: list[Any] = [
        ErrorCodes,
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
    ]
    return MixcoachSchema(query=Query, mutation=Mutation, subscription=Subscription, extensions=extensions)


schema = _build()
