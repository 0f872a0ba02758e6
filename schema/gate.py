"""The query gate: one pass over a parsed document that bounds what a request may cost, before any other validation.

Why a pass of our own: graphql-core's rules and Strawberry's depth limiter walk every *path* through the fragments,
so a 1.6 KB document whose fragments each spread the next one twice has 2^40 paths and held the event loop for
minutes. Here each fragment is measured once and its shape memoised, so the walk is linear in the document's
size; cycles are refused on the way. The gate then bounds, in this order:

- the document's length in characters (before parsing; the parser's token limit bounds the rest of parsing),
- fragment cycles and unknown fragments (graphql-core would report them, but only after walking the cycle),
- depth, counting introspection fields like any other,
- aliases and field selections once fragments are expanded (a response is as big as its expansion),
- the same response name repeated in one selection set (graphql-core compares such fields pairwise: 700 copies
  of one field cost seconds of validation),
- an estimated cost: each field costs 1, times the page size of the connections above it, with weights for the
  fields that compute (``Track.findings`` runs a diagnosis) or carry large JSON.

A refused document gets one error with code ``QUERY_TOO_COMPLEX`` and never reaches validation or execution.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    get_named_type,
    is_list_type,
    is_non_null_type,
)
from graphql.type import GraphQLInterfaceType, GraphQLOutputType
from strawberry.extensions import SchemaExtension

from schema.inputs import InputLimits, input_refusal, named_values

REFUSED_CODE = "QUERY_TOO_COMPLEX"


@dataclass(frozen=True)
class GateLimits:
    """What one document may ask for. The defaults leave room above the web app's largest document."""

    max_query_chars: int = 50_000
    max_tokens: int = 2_000
    max_fragment_nesting: int = 50
    max_depth: int = 15
    max_aliases: int = 30
    max_fields: int = 600
    max_repeats: int = 10
    max_cost: int = 200_000
    max_page: int = 100
    unknown_list_size: int = 10
    # Fields that do work or carry a lot, by "Type.field": their cost is multiplied by the weight.
    weights: Mapping[str, int] = field(
        default_factory=lambda: {
            "Track.findings": 200,
            "Track.versionComparison": 400,  # two diagnoses
            "Track.analysisJson": 50,
            "Track.analysis": 50,
            "Session.reportJson": 250,  # a diagnosis and every message
            "Session.reportMarkdown": 250,
        }
    )


class QueryRefused(Exception):
    """Raised inside the walk; becomes the gate's one error."""


@dataclass
class _Shape:
    """What a selection set expands to: memoised per fragment, so each is measured once."""

    depth: int = 0
    fields: int = 0
    aliases: int = 0
    cost: int = 0
    names: Counter[str] = field(default_factory=Counter)


class _Walk:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, object],
        limits: GateLimits,
    ) -> None:
        self.schema = schema
        self.limits = limits
        self.variables = variables
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.memo: dict[str, _Shape | None] = {}  # None while a fragment is being measured: a cycle
        self.open: list[str] = []  # the chain of fragments being measured

    def operation(self, op: OperationDefinitionNode) -> _Shape:
        root = {
            "query": self.schema.query_type,
            "mutation": self.schema.mutation_type,
            "subscription": self.schema.subscription_type,
        }[op.operation.value]
        return self.selection_set(op.selection_set, root)

    def selection_set(self, node: SelectionSetNode, parent: GraphQLNamedType | None) -> _Shape:
        shape = _Shape()
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                part = self.field(selection, parent)
                shape.names[(selection.alias or selection.name).value] += 1
            elif isinstance(selection, FragmentSpreadNode):
                part = self.fragment(selection.name.value)
                shape.names.update(part.names)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                typed = self.schema.get_type(condition.name.value) if condition else parent
                part = self.selection_set(selection.selection_set, typed)
                shape.names.update(part.names)
            else:  # pragma: no cover - graphql-core has no other selection kind
                continue
            shape.depth = max(shape.depth, part.depth)
            shape.fields += part.fields
            shape.aliases += part.aliases
            shape.cost += part.cost
        if any(count > self.limits.max_repeats for count in shape.names.values()):
            name, count = shape.names.most_common(1)[0]
            raise QueryRefused(
                f"`{name}` is selected {count} times in one selection set; "
                f"select each field at most {self.limits.max_repeats} times."
            )
        self._check(shape)
        return shape

    def fragment(self, name: str) -> _Shape:
        if len(self.open) >= self.limits.max_fragment_nesting:
            raise QueryRefused(f"Fragments spread each other more than {self.limits.max_fragment_nesting} levels deep.")
        if name in self.memo:
            known = self.memo[name]
            if known is None:
                raise QueryRefused(f"Fragment `{name}` spreads itself; fragments must not form a cycle.")
            return known
        definition = self.fragments.get(name)
        if definition is None:
            raise QueryRefused(f"Unknown fragment `{name}`.")
        self.memo[name] = None
        self.open.append(name)
        shape = self.selection_set(definition.selection_set, self.schema.get_type(definition.type_condition.name.value))
        self.open.pop()
        self.memo[name] = shape
        return shape

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> _Shape:
        definition = None
        if isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
            definition = parent.fields.get(node.name.value)
        child_type = get_named_type(definition.type) if definition is not None else None
        children = self.selection_set(node.selection_set, child_type) if node.selection_set else _Shape()
        weight = self.limits.weights.get(f"{getattr(parent, 'name', '')}.{node.name.value}", 1)
        multiplier = self._multiplier(node, None if definition is None else definition.type)
        return _Shape(
            depth=children.depth + 1,
            fields=children.fields + 1,
            aliases=children.aliases + (1 if node.alias is not None else 0),
            cost=(weight + children.cost) * multiplier,
        )

    def _multiplier(self, node: FieldNode, output: GraphQLOutputType | None) -> int:
        """How many items a field returns: its ``first`` argument (clamped), else a guess for plain lists."""
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            value: object = None
            if isinstance(argument.value, IntValueNode):
                value = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = self.variables.get(argument.value.name.value)
            if isinstance(value, int) and not isinstance(value, bool):
                return max(1, min(value, self.limits.max_page))
            return self.limits.max_page
        if node.name.value in ("sessions", "tracks", "messages"):
            return self.limits.max_page if node.arguments else 50
        inner = output.of_type if output is not None and is_non_null_type(output) else output
        return self.limits.unknown_list_size if inner is not None and is_list_type(inner) else 1

    def _check(self, shape: _Shape) -> None:
        limits = self.limits
        if shape.depth > limits.max_depth:
            raise QueryRefused(f"The query is nested {shape.depth} levels deep; the limit is {limits.max_depth}.")
        if shape.aliases > limits.max_aliases:
            raise QueryRefused(f"The query uses {shape.aliases} aliases; the limit is {limits.max_aliases}.")
        if shape.fields > limits.max_fields:
            raise QueryRefused(
                f"The query selects {shape.fields} fields once its fragments are expanded; "
                f"the limit is {limits.max_fields}."
            )
        if shape.cost > limits.max_cost:
            raise QueryRefused(
                f"The query could return at least {shape.cost} values; the limit is {limits.max_cost}. "
                "Ask for smaller pages (`first`) or fewer fields."
            )


def refusal(
    document: DocumentNode, schema: GraphQLSchema, variables: Mapping[str, object], limits: GateLimits
) -> str | None:
    """Why ``document`` is refused, or ``None`` when it is within every limit."""
    walk = _Walk(schema, document, variables, limits)
    try:
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                walk.operation(definition)
        for name in walk.fragments:  # unused fragments are measured too: they cost validation all the same
            walk.fragment(name)
    except QueryRefused as exc:
        return str(exc)
    return None


def refused(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": REFUSED_CODE})


class _Reads(Mapping[str, object]):
    """The variables, noting whether the walk looked at any (only a ``first: $n`` does)."""

    def __init__(self, variables: Mapping[str, object]) -> None:
        self._variables = variables
        self.read = False

    def __getitem__(self, key: str) -> object:
        self.read = True
        return self._variables[key]

    def __iter__(self) -> Iterator[str]:
        self.read = True
        return iter(self._variables)

    def __len__(self) -> int:
        return len(self._variables)


@dataclass
class _Known:
    document: DocumentNode  # kept so that its id is not reused while it is remembered
    named: list[tuple[str, ValueNode]]
    refusal: str | None | _Varies


class _Varies:
    """The walk read the variables: its verdict holds for those values only."""


_VARIES = _Varies()


class GateMemo:
    """What the gate learned about recent documents regardless of variables: the front end sends the same few
    documents over and over (``schema.document_cache`` hands back the same parsed object), and walking one cost
    a tenth of a session read. Bounded, least recently used first out; built once, next to the schema."""

    def __init__(self, entries: int = 256) -> None:
        self._size = entries
        self._known: OrderedDict[int, _Known] = OrderedDict()

    def facts(self, document: DocumentNode) -> tuple[_Known, bool]:
        """The document's facts, and whether they were computed now (the refusal then still needs a verdict)."""
        known = self._known.get(id(document))
        if known is not None and known.document is document:
            self._known.move_to_end(id(document))
            return known, False
        known = _Known(document=document, named=named_values(document), refusal=_VARIES)
        self._known[id(document)] = known
        while len(self._known) > self._size:
            self._known.popitem(last=False)
        return known, True


class QueryGate(SchemaExtension):
    """Runs the gate right after parsing, so a refused document is never validated or executed."""

    limits = GateLimits()
    inputs = InputLimits()

    def __init__(self, memo: GateMemo | None = None) -> None:
        self._memo = memo or GateMemo(entries=0)

    @classmethod
    def remembering(cls, memo: GateMemo) -> Callable[[], QueryGate]:
        """The per-request extension factory to list in the schema, sharing ``memo``."""
        return lambda: cls(memo)

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query or ""
        if len(query) > self.limits.max_query_chars:
            raise refused(f"The query is {len(query)} characters long; the limit is {self.limits.max_query_chars}.")
        context.parse_options["max_tokens"] = self.limits.max_tokens
        yield
        for error in context.pre_execution_errors or ():
            if "Parsing aborted" in error.message:  # the parser's own token limit, one of ours
                error.extensions = {"code": REFUSED_CODE}
        document = context.graphql_document
        if document is None or context.pre_execution_errors:
            return
        variables = context.variables or {}
        known, fresh = self._memo.facts(document)
        reason = known.refusal
        if isinstance(reason, _Varies):
            reads = _Reads(variables)
            reason = refusal(document, context.schema._schema, reads, self.limits)
            if fresh and not reads.read:
                known.refusal = reason
        if reason is not None:
            context.pre_execution_errors = [refused(reason)]
        elif (too_large := input_refusal(known.named, variables, self.inputs)) is not None:
            context.pre_execution_errors = [GraphQLError(too_large, extensions={"code": "BAD_USER_INPUT"})]
