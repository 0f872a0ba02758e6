"""Which message columns a ``messages`` selection reads, so the history read fetches only those.

A reader that asks for ``edges { node { id role content status createdAt } }`` never sees the thread, the findings
or the grounding; reading them cost most of the database time of a session read. Any field not listed below
(the thread's fields, findings, grounding, anything added later) means "read the whole message", so a new field
is correct before it is fast.
"""

from __future__ import annotations

from collections.abc import Iterable

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from schema.context import Info

# GraphQL field of ``Message`` -> the columns it is built from (the id and session id are always read).
MESSAGE_FIELD_COLUMNS: dict[str, tuple[str, ...]] = {
    "__typename": (),
    "id": (),
    "sessionId": (),
    "role": ("role",),
    "kind": ("kind",),
    "status": ("status",),
    "content": ("content",),
    "createdAt": ("created_at",),
    "updatedAt": ("updated_at",),
    "engine": ("engine",),
    "model": ("model",),
    "errorCode": ("error_code",),
    "error": ("error",),
    "usage": ("prompt_tokens", "completion_tokens", "latency_ms", "time_to_first_token_ms"),
    "timeRange": ("time_range",),
    "toolCalls": ("tool_calls",),
}


def _fields(selections: Iterable[Selection]) -> Iterable[SelectedField]:
    """The fields of a selection set, fragments expanded."""
    for selection in selections:
        if isinstance(selection, (FragmentSpread, InlineFragment)):
            yield from _fields(selection.selections)
        else:
            yield selection


def message_columns(info: Info) -> frozenset[str] | None:
    """The columns the ``messages`` connection being resolved needs, or ``None``: read whole messages."""
    columns: set[str] = set()
    for connection in info.selected_fields:
        for part in _fields(connection.selections):
            if part.name != "edges":
                continue
            for edge_field in _fields(part.selections):
                if edge_field.name != "node":
                    continue
                for node_field in _fields(edge_field.selections):
                    needed = MESSAGE_FIELD_COLUMNS.get(node_field.name)
                    if needed is None:
                        return None
                    columns.update(needed)
    return frozenset(columns)
