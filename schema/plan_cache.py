"""The fast executor's plans, kept from one request to the next for documents whose shape cannot vary.

Why: building the plans (collecting each object's fields, deciding how each completes) was a twentieth of a session
read, and a front end sends the same few documents over and over: ``schema.document_cache`` hands back the same
parsed document, so the same field nodes. A plan depends on the field nodes it completes and, through ``@skip``,
``@include`` or ``@defer``, on variables; so plans are shared only for operations where no directive reads a
variable (the read the web app sends, for one), keyed by the identity of their field nodes. An entry keeps its
nodes alive, so an id cannot be reused while it is remembered. Bounded, least recently used first out; built once,
next to the schema.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    Node,
    OperationDefinitionNode,
    VariableNode,
    visit,
)
from graphql.language import Visitor

Complete = Callable[[Any], Any]
DEFAULT_ENTRIES = 1024


class _DirectiveVariables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def enter_directive(self, node: Node, *_: object) -> object:
        if any(isinstance(argument.value, VariableNode) for argument in getattr(node, "arguments", ()) or ()):
            self.found = True
            return self.BREAK
        return None


class PlanCache:
    def __init__(self, entries: int = DEFAULT_ENTRIES) -> None:
        self._size = entries
        self._plans: OrderedDict[Hashable, tuple[tuple[FieldNode, ...], Complete | None]] = OrderedDict()
        self._fixed: OrderedDict[int, tuple[OperationDefinitionNode, bool]] = OrderedDict()

    def fixed_shape(self, operation: OperationDefinitionNode, fragments: Mapping[str, FragmentDefinitionNode]) -> bool:
        """Whether no directive in the operation or its document's fragments reads a variable."""
        known = self._fixed.get(id(operation))
        if known is not None and known[0] is operation:
            return known[1]
        check = _DirectiveVariables()
        for node in (operation, *fragments.values()):
            visit(node, check)
        self._remember(self._fixed, id(operation), (operation, not check.found))
        return not check.found

    def get(self, key: Hashable) -> tuple[tuple[FieldNode, ...], Complete | None] | None:
        found = self._plans.get(key)
        if found is not None:
            self._plans.move_to_end(key)
        return found

    def put(self, key: Hashable, nodes: Iterable[FieldNode], plan: Complete | None) -> None:
        self._remember(self._plans, key, (tuple(nodes), plan))

    def _remember(self, entries: OrderedDict[Any, Any], key: Hashable, value: object) -> None:
        entries[key] = value
        entries.move_to_end(key)
        while len(entries) > self._size:
            entries.popitem(last=False)
