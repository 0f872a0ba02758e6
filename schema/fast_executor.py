"""Complete plain objects straight into dicts: the executor the schema runs every operation with.

Why: graphql-core completes each field of each object through the same general machinery (a path, a resolve info,
Strawberry's resolver wrapper, awaitable checks, value completion), about 20 µs a field. A session read of 50
messages completes some 300 fields, and that machinery was half the read's CPU. Most of those fields are plain:
an attribute of the object, serialized.

So this executor (graphql-core's ``Executor``, through Strawberry's documented ``execution_context_class``) builds,
per selection, a *plan* (kept across requests by ``schema.plan_cache`` when the document's shape cannot vary) for
an object type when every field selected on it is

- ``__typename``,
- a Strawberry field without a resolver, field extension or exception handler (Strawberry marks these: its
  resolver then only reads the attribute), of a scalar or enum type, or of an object type (or a list of one) that
  is itself plain,
- or the Relay ``Node.id`` field of a type that keeps Strawberry's own ``resolve_id`` and ``resolve_typename``;

and no schema extension wraps resolvers (a ``resolve`` hook) and no field carries a directive other than
``@skip``/``@include``. Fields are collected by graphql-core's own (memoised) ``collect_subfields``, so aliases,
fragments and ``@skip``/``@include`` behave as before. Leaves go through their type's own ``coerce_output_value``.

Anything unusual while running a plan (a null in a non-null field, a value that does not serialize, an exception
or awaitable where a value was expected, a failed ``is_type_of``) abandons the plan for that object, and graphql-core
completes it from scratch: errors keep their standard message, path and locations. Objects without a plan are
graphql-core's as before. Subscription events run through the same executor, so plain event payloads gain too.
"""

from __future__ import annotations

import weakref
from binascii import b2a_base64
from collections.abc import Awaitable, Callable, Sequence
from enum import Enum
from operator import attrgetter
from types import CoroutineType, GeneratorType
from typing import Any, NamedTuple, cast

from graphql import (
    GraphQLEnumType,
    GraphQLID,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import Path
from graphql.pyutils.gather_with_cancel import gather_with_cancel
from graphql.type.definition import GraphQLResolveInfoHelpers
from graphql.type.scalars import serialize_id
from strawberry import relay
from strawberry.relay import GlobalID
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.types.cast import TYPE_CAST_ATTRIBUTE
from strawberry.types.field import StrawberryField

from schema.plan_cache import PlanCache

Complete = Callable[[Any], Any]
"""Turns one value into its JSON-ready form, or raises to abandon the plan."""

_DEFINITION = "strawberry-definition"  # where Strawberry keeps a GraphQL field's StrawberryField
_CAST = TYPE_CAST_ATTRIBUTE  # set on an instance by strawberry.cast
_PLAIN_DIRECTIVES = frozenset({"skip", "include"})  # collect_subfields has applied these already
_NODE_ID = relay.Node.__dict__["_id"].__func__
_NODE_RESOLVE_ID = relay.Node.__dict__["resolve_id"].__func__
_NODE_RESOLVE_TYPENAME = relay.Node.__dict__["resolve_typename"].__func__


class _Abandon(Exception):
    """The plan cannot complete this value the way graphql-core would: graphql-core does it instead."""


class FastExecutor(StrawberryGraphQLCoreExecutionContext):
    shared: PlanCache | None = None
    """Plans kept across requests (``schema.plan_cache``); set by ``sharing``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.async_helpers = _weak_helpers(self)
        manager = self.middleware_manager
        self._planning = manager is None or not manager.middlewares
        self._plans: dict[tuple[GraphQLOutputType, int], tuple[FieldDetailsList, Complete | None]] = {}
        shared = self.shared
        if shared is not None and not shared.fixed_shape(self.operation, self.fragment_definitions):
            shared = None
        self._shared = shared

    @classmethod
    def sharing(cls, cache: PlanCache) -> type[FastExecutor]:
        """The executor class to give the schema: its plans outlive a request, in ``cache``."""
        return type(cls.__name__, (cls,), {"shared": cache})

    def build_per_event_executor(self, payload: Any) -> FastExecutor:
        """A subscription event's copy: per-request plans of its own (its fields are collected anew), the shared
        ones still shared."""
        executor = cast("FastExecutor", super().build_per_event_executor(payload))
        executor._plans = {}
        return executor

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        plan = self._plan(return_type, field_details_list) if self._planning else None
        if plan is not None:
            is_type_of = return_type.is_type_of
            try:
                if is_type_of is None or is_type_of(result, info) is True:
                    return plan(result)
            except Exception:  # graphql-core completes it again and reports what is wrong
                pass
        return super().complete_object_value(return_type, field_details_list, info, path, result, position_context)

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        plan = self._plan(return_type, field_details_list) if self._planning else None
        if plan is not None:
            try:
                return plan(result)
            except Exception:  # as above
                pass
        return super().complete_list_value(return_type, field_details_list, info, path, result, position_context)

    def _plan(self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList) -> Complete | None:
        """The completer for values of ``return_type`` selected by ``field_details_list``, or ``None``. For an
        object type it completes the fields only: whoever calls it has checked the value is of that type."""
        key = (return_type, id(field_details_list))
        cached = self._plans.get(key)
        if cached is None:
            # Keyed by identity like graphql-core's own memo; the list is kept alive so its id is not reused.
            cached = self._plans[key] = (field_details_list, self._shared_plan(return_type, field_details_list))
        return cached[1]

    def _shared_plan(self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList) -> Complete | None:
        shared = self._shared
        if shared is None or any(d.fragment_variable_values is not None for d in field_details_list):
            return self._build(return_type, field_details_list)
        nodes = [d.node for d in field_details_list]
        key = (return_type, *map(id, nodes))
        known = shared.get(key)
        if known is not None:
            return known[1]
        plan = self._build(return_type, field_details_list)
        shared.put(key, nodes, plan)
        return plan

    def _build(self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList) -> Complete | None:
        if not _plain_nodes(field_details_list):
            return None
        if isinstance(return_type, GraphQLObjectType):
            return self._fields(return_type, field_details_list)
        if isinstance(return_type, GraphQLList):
            item = self._value(return_type.of_type, field_details_list)
            return None if item is None else _list_of(item)
        return None

    def _value(self, value_type: GraphQLOutputType, field_details_list: FieldDetailsList) -> Complete | None:
        """A completer for any value of ``value_type``, checks included (a field's value, or a list item)."""
        if isinstance(value_type, GraphQLNonNull):
            inner = self._value(value_type.of_type, field_details_list)
            return None if inner is None else _non_null(inner)
        if isinstance(value_type, GraphQLList):
            item = self._value(value_type.of_type, field_details_list)
            return None if item is None else _list_of(item)
        if isinstance(value_type, (GraphQLScalarType, GraphQLEnumType)):
            return _leaf(value_type, self.is_awaitable)
        if isinstance(value_type, GraphQLObjectType):
            type_check = _plain_type_check(value_type)
            fields = self._plan(value_type, field_details_list)
            if type_check is None or fields is None:
                return None
            return _object_of(fields, type_check, self.is_awaitable)
        return None  # interfaces and unions: graphql-core resolves the runtime type

    def _fields(self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList) -> Complete | None:
        grouped, defer_usages, _ = self.collect_subfields(object_type, field_details_list)
        if defer_usages:
            return None
        fields: list[tuple[str, Complete]] = []
        for response_name, details in grouped.items():
            field = self._field(object_type, details)
            if field is None:
                return None
            fields.append((response_name, field))
        return _dict_of(fields)

    def _field(self, parent: GraphQLObjectType, details: FieldDetailsList) -> Complete | None:
        if not _plain_nodes(details) or any(d.node.arguments for d in details):
            return None
        name = details[0].node.name.value
        if name == "__typename":
            typename = parent.name
            return lambda _source: typename
        definition = parent.fields.get(name)
        field = definition.extensions.get(_DEFINITION) if definition is not None else None
        if definition is None or not isinstance(field, StrawberryField):
            return None
        if getattr(definition.resolve, "_is_default", False):
            named = _named(definition.type)
            if isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
                non_null = named is not definition.type
                read = _attribute(field)
                attribute = field.python_name if non_null and type(read) is attrgetter else None
                return _leaf(named, self.is_awaitable, read=read, non_null=non_null, attribute=attribute)
            if isinstance(named, GraphQLObjectType):
                type_check = _plain_type_check(named)
                fields = self._plan(named, details)
                if type_check is None or fields is None:
                    return None
                non_null = named is not definition.type
                read = _attribute(field)
                attribute = field.python_name if non_null and type(read) is attrgetter else None
                return _object_of(
                    fields, type_check, self.is_awaitable, read=read, non_null=non_null, attribute=attribute
                )
            value = self._value(definition.type, details)
            return None if value is None else _read(_attribute(field), value, _named(definition.type))
        origin = _default_node_origin(field, parent)
        if origin is not None and isinstance(definition.type, GraphQLNonNull):
            return _node_id(parent.name, origin, definition.type.of_type)
        return None


class _Inline(NamedTuple):
    """A non-null leaf field read by plain ``getattr``, as ``_dict_of`` writes it out: ``value =
    source.<attribute>``, kept when its type is ``as_is`` (a str for String and ID) or an enum member already in
    ``names``, else ``present(value)``: the field's own completer, every check included."""

    attribute: str
    as_is: type | None
    names: dict[int, tuple[Any, Any]] | None
    present: Complete


class _InlineObject(NamedTuple):
    """A non-null object field read by plain ``getattr``, as ``_dict_of`` writes it out: ``value =
    source.<attribute>``, completed by ``fields`` at once when its type is ``trusted`` and the instance carries
    neither mark ``_object_of`` looks for, else by ``present(value)``: the field's own completer."""

    attribute: str
    trusted: set[type]
    fields: Complete
    present: Complete


class _InlineNodeId(NamedTuple):
    """A Relay ``id`` printed as graphql-core's ID scalar prints a ``GlobalID``, as ``_dict_of`` writes it out: for
    a source of class ``origin`` whose ``attribute`` is not null, the base64 of ``typename:pk``; anything else
    through the field's own completer (``_node_id``)."""

    origin: type
    attribute: str
    typename: str


_INLINE = "_fast_executor_inline"
"""The attribute on a field completer made by ``_leaf``, ``_object_of`` or ``_node_id`` that describes it for
``_dict_of`` (an ``_Inline``, ``_InlineObject`` or ``_InlineNodeId``)."""


def _dict_of(fields: list[tuple[str, Complete]]) -> Complete:
    """One function that builds the object's dict in a single display, ``{"id": f0(source), ...}``: a
    comprehension over the pairs is a call and a loop more per object, and a session read completes 100 objects.
    The keys are response names written with ``repr``, so any name a query can carry is a plain literal.

    A field described by an ``_Inline``, ``_InlineObject`` or ``_InlineNodeId`` is written out instead of called:
    the attribute read and the common case (a str, a known enum member, an object of a trusted type, a Relay id)
    inline, anything else through the field's own completer. Two calls fewer per field, and a session read
    completes 300 of them. (An attribute name is a Python identifier: it is written as is.)"""
    scope: dict[str, Any] = {}
    lines = ["def complete(source):"]
    items: list[str] = []
    for i, (name, field) in enumerate(fields):
        inline: _Inline | _InlineObject | _InlineNodeId | None = getattr(field, _INLINE, None)
        if inline is None or not inline.attribute.isidentifier():
            scope[f"f{i}"] = field
            items.append(f"{name!r}: f{i}(source)")
            continue
        if isinstance(inline, _InlineNodeId):
            scope[f"f{i}"], scope[f"c{i}"], scope[f"x{i}"] = field, inline.origin, f"{inline.typename}:"
            scope["b64"] = b2a_base64
            lines += [
                f"    p = source.{inline.attribute} if type(source) is c{i} else None",
                f"    v{i} = f{i}(source) if p is None else b64((x{i} + str(p)).encode(), newline=False).decode()",
            ]
            items.append(f"{name!r}: v{i}")
            continue
        scope[f"g{i}"] = inline.present
        lines.append(f"    v{i} = source.{inline.attribute}")
        if isinstance(inline, _InlineObject):
            scope[f"r{i}"], scope[f"o{i}"], scope["cast_mark"] = inline.trusted, inline.fields, _CAST
            lines += [
                f"    if type(v{i}) in r{i}:",
                f"        d = v{i}.__dict__",
                f"        v{i} = o{i}(v{i}) if cast_mark not in d and '__await__' not in d else g{i}(v{i})",
                "    else:",
                f"        v{i} = g{i}(v{i})",
            ]
        elif inline.as_is is not None:
            scope[f"t{i}"] = inline.as_is
            lines.append(f"    if type(v{i}) is not t{i}:")
            lines.append(f"        v{i} = g{i}(v{i})")
        elif inline.names is not None:
            scope[f"n{i}"] = inline.names
            lines.append(f"    k = n{i}.get(id(v{i}))")
            lines.append(f"    v{i} = k[1] if k is not None and k[0] is v{i} else g{i}(v{i})")
        else:
            lines.append(f"    v{i} = g{i}(v{i})")
        items.append(f"{name!r}: v{i}")
    lines.append(f"    return {{{', '.join(items)}}}")
    exec("\n".join(lines) + "\n", scope)
    built: Complete = scope["complete"]
    return built


def _weak_helpers(executor: FastExecutor) -> GraphQLResolveInfoHelpers:
    """graphql-core's resolver helpers are the executor's bound methods, kept on the executor: a reference cycle
    per operation, so the executor and all it holds (some 40 objects a session read: its context, variables,
    collected fields) outlived the request until a GC collection, and made collections frequent (``api.gc_tuning``).
    The same helpers through a weak reference die with the request. The executor is alive while its fields run."""
    ref = weakref.ref(executor)

    def gather(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
        live = ref()
        return gather_with_cancel(*values) if live is None else live.gather_async_work(values)

    def track(values: Sequence[Any]) -> None:
        live = ref()
        if live is not None:
            live.track_async_work(values)

    return GraphQLResolveInfoHelpers(gather=gather, track=track)


def _plain_nodes(details: FieldDetailsList) -> bool:
    """No directive but ``@skip``/``@include`` (which collecting the fields has applied) on these field nodes."""
    return all(directive.name.value in _PLAIN_DIRECTIVES for d in details for directive in d.node.directives or ())


def _attribute(field: StrawberryField) -> Complete:
    """What Strawberry's resolver of a field without a resolver returns for a source object."""
    if field.default_resolver is getattr:
        return attrgetter(field.python_name)
    resolve, name = field.default_resolver, field.python_name
    return lambda source: resolve(source, name)


def _default_node_origin(field: StrawberryField, parent: GraphQLObjectType) -> type[relay.Node] | None:
    """The Strawberry class of ``parent`` when ``field`` is its Relay ``id``, resolved as Strawberry does by
    default (``resolve_id`` and ``resolve_typename`` not overridden); else ``None``."""
    resolver = field.base_resolver
    origin = getattr(parent.extensions.get(_DEFINITION), "origin", None)
    if (
        resolver is not None
        and not field.extensions
        and getattr(resolver.wrapped_func, "__func__", None) is _NODE_ID
        and isinstance(origin, type)
        and issubclass(origin, relay.Node)
        and getattr(origin.resolve_id, "__func__", None) is _NODE_RESOLVE_ID
        and getattr(origin.resolve_typename, "__func__", None) is _NODE_RESOLVE_TYPENAME
    ):
        return origin
    return None


def _node_id(typename: str, origin: type[relay.Node], id_type: GraphQLOutputType) -> Complete | None:
    """``Node.id`` as Strawberry resolves it by default: a ``GlobalID`` of the type name and the id attribute,
    serialized by the ID scalar (graphql-core's prints a ``GlobalID`` as its base64 form: written directly)."""
    if not isinstance(id_type, GraphQLScalarType):
        return None
    coerce = id_type.coerce_output_value
    direct = coerce is serialize_id
    read_pk = attrgetter(origin.resolve_id_attr())

    def complete(source: Any) -> Any:
        if type(source) is not origin:
            raise _Abandon  # another class may resolve its id its own way
        pk = read_pk(source)
        if pk is None:
            raise _Abandon
        if direct:  # ``to_base64(typename, str(pk))``, without its type-name dispatch and two wrappers
            return b2a_base64(f"{typename}:{str(pk)}".encode(), newline=False).decode()
        return _coerced(coerce(GlobalID(type_name=typename, node_id=str(pk))))

    attribute = origin.resolve_id_attr()
    if direct and attribute.isidentifier():
        setattr(complete, _INLINE, _InlineNodeId(origin=origin, attribute=attribute, typename=typename))
    return complete


def _named(field_type: GraphQLOutputType) -> GraphQLOutputType:
    return field_type.of_type if isinstance(field_type, GraphQLNonNull) else field_type


def _read(attribute: Complete, value: Complete, named: GraphQLOutputType) -> Complete:
    if named is GraphQLString or named is GraphQLID:

        def text(source: Any) -> Any:
            found = attribute(source)
            return found if type(found) is str else value(found)  # a str serializes as itself

        return text
    return lambda source: value(attribute(source))


def _non_null(inner: Complete) -> Complete:
    def complete(value: Any) -> Any:
        if value is None or value is Undefined:
            raise _Abandon
        return inner(value)

    return complete


def _list_of(item: Complete) -> Complete:
    def complete(value: Any) -> Any:
        if value is None or value is Undefined:
            return None
        if type(value) is not list and type(value) is not tuple:
            raise _Abandon  # other iterables (async ones, generators) keep graphql-core's handling
        return [item(element) for element in value]

    return complete


def _leaf(
    leaf_type: GraphQLScalarType | GraphQLEnumType,
    is_awaitable: Callable[[Any], bool],
    *,
    read: Complete | None = None,
    non_null: bool = False,
    attribute: str | None = None,
) -> Complete:
    """A leaf's completer; with ``read``, a field's: the value is read from the source and, when ``non_null``,
    checked as ``_non_null`` would. One closure per field instead of three: a session read completes 150 leaves.
    A non-null field whose ``read`` is plain ``getattr`` of ``attribute`` is also described (``_INLINE``), for
    ``_dict_of`` to write its read into the object's function."""
    coerce = leaf_type.coerce_output_value
    as_is = str if leaf_type is GraphQLString or leaf_type is GraphQLID else None
    # Enum members are serialized by a scan of the type's values: remember each member's name, by identity (a
    # member is a singleton; the entry keeps it, so its id is not reused).
    names: dict[int, tuple[Any, Any]] | None = {} if isinstance(leaf_type, GraphQLEnumType) else None
    plain: set[type] = set()  # value types checked once: never awaitable, never an exception

    def complete(value: Any) -> Any:
        kind = type(value)
        if kind is as_is:
            return value
        if names is not None:
            known = names.get(id(value))
            if known is not None and known[0] is value:
                return known[1]
        if kind not in plain:
            if value is None or value is Undefined:
                return None
            if isinstance(value, Exception) or is_awaitable(value):
                raise _Abandon
            if _settled(kind):
                plain.add(kind)
        coerced = _coerced(coerce(value))
        if names is not None and isinstance(value, Enum):
            names[id(value)] = (value, coerced)
        return coerced

    if read is None:
        return complete
    if not non_null:
        return lambda source: complete(read(source))

    def present(value: Any) -> Any:
        kind = type(value)
        if kind is as_is:
            return value
        if names is not None:
            known = names.get(id(value))
            if known is not None and known[0] is value:
                return known[1]
        if value is None or value is Undefined:
            raise _Abandon
        if kind in plain and names is None:
            coerced = coerce(value)
            if coerced is None or coerced is Undefined:
                raise _Abandon
            return coerced
        return complete(value)

    def field(source: Any) -> Any:
        return present(read(source))

    if attribute is not None:
        setattr(field, _INLINE, _Inline(attribute=attribute, as_is=as_is, names=names, present=present))
    return field


def _settled(kind: type) -> bool:
    """Whether every value of ``kind`` is as plain as one that was checked: no instance attributes that could make
    one awaitable (graphql-core looks for ``__await__`` on the value), and not a generator or coroutine."""
    return (not hasattr(kind, "__dictoffset__") or kind.__dictoffset__ == 0) and not issubclass(
        kind, (GeneratorType, CoroutineType, Exception)
    )


def _coerced(value: Any) -> Any:
    if value is None or value is Undefined:
        raise _Abandon  # graphql-core reports the serializer's failure
    return value


def _plain_type_check(object_type: GraphQLObjectType) -> Callable[[Any], bool] | None:
    """``is_type_of`` for a nested object, or ``None`` when only graphql-core can call it. Strawberry's own ignores
    its ``info`` argument; any other may need the real one, which only graphql-core builds."""
    check = object_type.is_type_of
    if check is None:
        return _any_object
    if check.__module__ == "strawberry.schema.schema_converter" and check.__name__ == "is_type_of":
        return lambda value: check(value, None) is True  # type: ignore[arg-type]
    return None


def _any_object(value: Any) -> bool:
    return True


def _object_of(
    fields: Complete,
    type_check: Callable[[Any], bool],
    is_awaitable: Callable[[Any], bool],
    *,
    read: Complete | None = None,
    non_null: bool = False,
    attribute: str | None = None,
) -> Complete:
    """Checks as graphql-core would, then completes the fields. Strawberry's ``is_type_of`` and graphql-core's
    awaitable check look at the type, plus two instance attributes (a ``strawberry.cast`` mark, ``__await__``):
    once a value of a type passed, later values of that type only have those two looked up. With ``read``, a
    field's completer (as ``_leaf``'s): the value is read from the source, and refused when ``non_null``; with
    ``attribute`` too, described (``_INLINE``) for ``_dict_of`` to write out, as a leaf is."""
    trusted: set[type] = set()

    def complete(value: Any) -> Any:
        kind = type(value)
        if kind in trusted:
            own = value.__dict__
            if _CAST not in own and "__await__" not in own:
                return fields(value)
        if value is None or value is Undefined:
            return None
        if isinstance(value, Exception) or is_awaitable(value) or not type_check(value):
            raise _Abandon
        if isinstance(getattr(value, "__dict__", None), dict) and not (
            hasattr(kind, _CAST) or hasattr(kind, "__await__") or issubclass(kind, (GeneratorType, CoroutineType))
        ):
            trusted.add(kind)
        return fields(value)

    if read is None:
        return complete
    if not non_null:
        return lambda source: complete(read(source))

    def present(value: Any) -> Any:
        if type(value) in trusted:
            own = value.__dict__
            if _CAST not in own and "__await__" not in own:
                return fields(value)
        if value is None or value is Undefined:
            raise _Abandon
        return complete(value)

    def field(source: Any) -> Any:
        return present(read(source))

    if attribute is not None:
        setattr(field, _INLINE, _InlineObject(attribute=attribute, trusted=trusted, fields=fields, present=present))
    return field
