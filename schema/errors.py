"""THE mapping from failures to GraphQL errors, for queries, mutations and subscriptions alike.

- ``DomainError`` → its message and ``extensions.code`` (and ``extensions.retryAfterS`` when it has one).
- Errors with no original exception (syntax, validation, depth/alias/token limits, bad variables) keep their
  message and get ``BAD_USER_INPUT``.
- Anything else is a bug: the client sees "Internal error" with code ``INTERNAL``, and it is logged once, with its
  traceback and the request id that the client also receives (``extensions.requestId``).

Modelled on Strawberry's ``MaskErrors``: results are rewritten after the operation, and each streamed
(subscription) result before it reaches the socket.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from enum import StrEnum

from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.error import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import ExecutionResult, StreamExecutionResult

from services import domain
from services.errors import DomainError

logger = logging.getLogger(__name__)

INTERNAL_MESSAGE = "Internal error. If it persists, report it with the requestId."
MAX_MESSAGE_CHARS = 500


def map_error(error: GraphQLError, *, request_id: str | None) -> GraphQLError:
    """One GraphQL error as the client should see it."""
    original = error.original_error
    if isinstance(original, DomainError):
        retry = original.retry_after_s
        return _with(error, message=original.message, code=original.code, request_id=request_id, retry_after_s=retry)
    if original is None or isinstance(original, GraphQLError):
        # No exception of ours: syntax, validation, the query gate, or a variable that does not fit its type
        # (graphql-core wraps the scalar's own complaint in the variable's error).
        code = (error.extensions or {}).get("code", "BAD_USER_INPUT")
        return _with(error, message=with_allowed_values(error.message), code=str(code), request_id=request_id)
    logger.error(
        "unexpected error (request %s) at %s: %s",
        request_id,
        error.path,
        clipped(repr(original), 300),
        exc_info=(type(original), original, original.__traceback__),
    )
    return _with(error, message=INTERNAL_MESSAGE, code="INTERNAL", request_id=request_id)


_BAD_ENUM = re.compile(r"does not exist in '(\w+)' enum")


def with_allowed_values(message: str) -> str:
    """A bad enum value's message, completed with the values that are allowed."""
    match = _BAD_ENUM.search(message)
    enum = getattr(domain, match.group(1), None) if match else None
    if isinstance(enum, type) and issubclass(enum, StrEnum):
        return f"{message} Allowed values: {', '.join(member.value for member in enum)}."
    return message


def clipped(text: str, limit: int = MAX_MESSAGE_CHARS) -> str:
    """Messages can quote a client's input; bound what goes back out (and into logs)."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit} more characters)"


def _with(
    error: GraphQLError, *, message: str, code: str, request_id: str | None, retry_after_s: float | None = None
) -> GraphQLError:
    extensions: dict[str, object] = {"code": code}
    if retry_after_s is not None:  # RATE_LIMITED / QUOTA_EXCEEDED: when the same call may succeed
        extensions["retryAfterS"] = retry_after_s
    if request_id:
        extensions["requestId"] = request_id
    return GraphQLError(
        message=clipped(message),
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


class ErrorCodes(SchemaExtension):
    """Applies ``map_error`` to every result, streamed or not."""

    def __init__(self) -> None:
        self._streamed = False

    def on_operation(self) -> Iterator[None]:
        self._streamed = False
        yield
        if self._streamed:
            return
        result = self.execution_context.result
        if isinstance(result, (GraphQLExecutionResult, ExecutionResult)):
            self._rewrite(result.errors)
        else:
            # Parse and validation failures return before ``result`` is set; the returned result shares this list.
            self._rewrite(self.execution_context.pre_execution_errors)

    def on_stream_result(self, result: StreamExecutionResult) -> Iterator[None]:
        self._streamed = True
        self._rewrite(getattr(result, "errors", None))
        yield None

    def _rewrite(self, errors: list[GraphQLError] | None) -> None:
        """Map in place: the same list object may be referenced by the result being returned."""
        if errors and not getattr(errors, "_mapped", False):
            request_id = getattr(self.execution_context.context, "request_id", None)
            errors[:] = [map_error(error, request_id=request_id) for error in errors]
