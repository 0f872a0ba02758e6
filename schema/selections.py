"""Which message columns a ``messages`` selection reads, so the history read fetches only those.

A reader that asks for ``edges { node { id role content status createdAt } }`` never sees the thread, the findings
or the grounding; reading them cost most of the database time of a session read. Any field not listed below
(the thread's fields, findings, grounding, anything added later) means "read the whole message", so a new field
is correct before it is fast.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLObjectType,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    SelectionSetNode,
    StringValueNode,
    Undefined,
    VariableNode,
    get_named_type,
)
from strawberry.types.nodes import (
    FragmentSpread,
    InlineFragment,
    SelectedField,
    Selection,
    get_variable_values,
)

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
    return _columns(info.selected_fields)


def _columns(connections: Iterable[SelectedField | Selection]) -> frozenset[str] | None:
    columns: set[str] = set()
    for connection in connections:
        if not isinstance(connection, SelectedField):
            return None
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


def _node_columns(connection: FieldNode, fragments: dict[str, FragmentDefinitionNode]) -> frozenset[str] | None:
    """``_columns`` of one ``messages`` field, read from the document itself: the same names (a field's name as
    written, fragments expanded, directives not looked at) without building Strawberry's ``SelectedField`` tree
    for the whole selection first, a fiftieth of a session read."""
    columns: set[str] = set()
    for part in _node_fields(connection.selection_set, fragments):
        if part.name.value != "edges":
            continue
        for edge_field in _node_fields(part.selection_set, fragments):
            if edge_field.name.value != "node":
                continue
            for node_field in _node_fields(edge_field.selection_set, fragments):
                needed = MESSAGE_FIELD_COLUMNS.get(node_field.name.value)
                if needed is None:
                    return None
                columns.update(needed)
    return frozenset(columns)


def _node_fields(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]
) -> Iterable[FieldNode]:
    """``_fields`` over the document's nodes: the fields of a selection set, fragments expanded (a spread of an
    unknown fragment, which validation refuses, adds nothing, as Strawberry's conversion skips it)."""
    for selection in selection_set.selections if selection_set is not None else ():
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _node_fields(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _node_fields(fragment.selection_set, fragments)


@dataclass(frozen=True)
class MessagesAhead:
    """The one ``messages`` selection of a ``session`` field, known before the session is read: its field node,
    its arguments and the columns it shows (``message_columns``)."""

    node: FieldNode
    first: int
    after: str | None
    columns: frozenset[str]

    def answers(self, info: Info, *, first: int, after: str | None) -> bool:
        """Whether the ``messages`` field being resolved is this selection, with these arguments."""
        nodes = info._raw_info.field_nodes
        return len(nodes) == 1 and nodes[0] is self.node and first == self.first and after == self.after


def messages_ahead(info: Info) -> MessagesAhead | None:
    """For the ``session`` field being resolved: its ``messages`` selection when the session and the page can be
    read together, else ``None``. Only a plain selection set qualifies (fields, no fragments; one ``messages``,
    without directives, showing only plain columns): anything else reads the two apart, as before."""
    raw = info._raw_info
    if len(raw.field_nodes) != 1 or raw.field_nodes[0].selection_set is None:
        return None
    session_type = get_named_type(raw.return_type)
    found: FieldNode | None = None
    for selection in raw.field_nodes[0].selection_set.selections:
        if not isinstance(selection, FieldNode):
            return None
        if selection.name.value == "messages":
            if found is not None or selection.directives:
                return None
            found = selection
    if found is None or not isinstance(session_type, GraphQLObjectType) or "messages" not in session_type.fields:
        return None
    arguments = _arguments(session_type.fields["messages"], found, get_variable_values(raw))
    if arguments is None:
        return None
    first, after = arguments.get("first"), arguments.get("after")
    if type(first) is not int or not (after is None or type(after) is str):
        return None
    columns = _node_columns(found, raw.fragments)
    if columns is None:
        return None
    return MessagesAhead(node=found, first=first, after=after, columns=columns)


def _arguments(field: GraphQLField, node: FieldNode, variables: dict[str, Any]) -> dict[str, Any] | None:
    """The field's arguments when each is a plain literal, a variable or its default; else ``None``. A guess that
    the resolver checks (``MessagesAhead.answers``): it is given the arguments graphql-core coerced."""
    values: dict[str, Any] = {}
    for name, definition in field.args.items():
        if definition.default_value is not Undefined:
            values[name] = definition.default_value
    for argument in node.arguments or ():
        value = argument.value
        if isinstance(value, VariableNode):
            if value.name.value in variables:
                values[argument.name.value] = variables[value.name.value]
        elif isinstance(value, IntValueNode):
            values[argument.name.value] = int(value.value)
        elif isinstance(value, StringValueNode):
            values[argument.name.value] = value.value
        elif isinstance(value, NullValueNode):
            values[argument.name.value] = None
        else:
            return None
    return values
