"""The one seam for input size: every scalar a client sends, as a literal or in variables, checked before execution.

Why here and not in each resolver: a 10 MB genre was echoed back in replies, written twice into the log and sent
to the database before any service looked at it. Limits are by argument or input-field name, so a literal and a
variable meet the same bound, and every string, list and nesting level is bounded, whatever field it is for.
Services still validate meaning (a genre must match, a question must not be empty); this only bounds size.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from graphql import (
    ArgumentNode,
    DocumentNode,
    ListValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    visit,
)
from graphql.language import Visitor

ID_CHARS = 100


@dataclass(frozen=True)
class InputLimits:
    """Largest accepted values. Names not listed get ``default_chars``."""

    max_chars: Mapping[str, int] = field(
        default_factory=lambda: {
            "genre": 64,
            "question": 2000,
            "name": 255,
            "title": 255,
            "after": ID_CHARS,
            "id": ID_CHARS,
            "trackId": ID_CHARS,
            "sessionId": ID_CHARS,
            "messageId": ID_CHARS,
            "referenceTrackId": ID_CHARS,
            "followupGroup": ID_CHARS,
        }
    )
    default_chars: int = 1000
    max_depth: int = 5
    max_items: int = 200


class InputTooLarge(Exception):
    """Raised by the walk; its message is shown to the client."""


class _Collect(Visitor):
    """Every (argument or input-field name, value node) pair in a document."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, ValueNode]] = []

    def enter_argument(self, node: ArgumentNode, *_: object) -> None:
        self.found.append((node.name.value, node.value))

    def enter_object_field(self, node: ObjectFieldNode, *_: object) -> None:
        self.found.append((node.name.value, node.value))


def named_values(document: DocumentNode) -> list[tuple[str, ValueNode]]:
    """Every (argument or input-field name, value node) pair in the document: what ``input_refusal`` checks. It
    depends on the document only, so the gate remembers it for documents it sees again."""
    collect = _Collect()
    visit(document, collect)
    return collect.found


class _Check:
    def __init__(self, limits: InputLimits) -> None:
        self.limits = limits
        self.items = 0

    def value(self, name: str, value: object, depth: int = 1) -> None:
        """A variable's value (JSON already decoded): strings, lists and objects, bounded."""
        self.items += 1
        if self.items > self.limits.max_items:
            raise InputTooLarge(f"The variables hold more than {self.limits.max_items} values.")
        if depth > self.limits.max_depth:
            raise InputTooLarge(f"`{name}` is nested more than {self.limits.max_depth} levels deep.")
        if isinstance(value, str):
            self.text(name, value)
        elif isinstance(value, list):
            for item in value:
                self.value(name, item, depth + 1)
        elif isinstance(value, dict):
            for key, item in value.items():
                self.value(str(key)[:64], item, depth + 1)

    def text(self, name: str, text: str) -> None:
        limit = self.limits.max_chars.get(name, self.limits.default_chars)
        if len(text) > limit:
            raise InputTooLarge(f"`{name}` must be at most {limit} characters (it has {len(text)}).")

    def literal(self, name: str, node: ValueNode) -> None:
        if isinstance(node, StringValueNode):
            self.text(name, node.value)
        elif isinstance(node, ListValueNode):
            for item in node.values:
                self.literal(name, item)


def input_refusal(
    named: Iterable[tuple[str, ValueNode]], variables: Mapping[str, object], limits: InputLimits
) -> str | None:
    """Why the inputs are refused, or ``None``: ``named`` is ``named_values(document)``. Variables are checked
    under the name of the argument they fill."""
    check = _Check(limits)
    filled: dict[str, str] = {}
    try:
        for name, node in named:
            if isinstance(node, VariableNode):
                filled.setdefault(node.name.value, name)
            elif not isinstance(node, ObjectValueNode):  # object fields are visited on their own
                check.literal(name, node)
        for variable, value in variables.items():
            check.value(filled.get(variable, str(variable)[:64]), value)
    except InputTooLarge as exc:
        return str(exc)
    return None
