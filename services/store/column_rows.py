"""Rows of chosen columns, read with SQL written once per shape and converted as Tortoise's ``.values()`` would.

Why: a history read of 50 messages spent a third of its time inside Tortoise's ``.values()``: building the same
SQL through pypika on every request, and parsing each stored datetime with the ``iso8601`` package (SQLite keeps
them as text). Here the statement for a given set of columns is built once, and a datetime stored as text is parsed
with ``datetime.fromisoformat`` before the field's own ``to_python_value`` applies the time zone, so each value
comes out exactly as ``.values()`` returns it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from operator import itemgetter
from typing import Any, TypeVar

from tortoise.fields import DatetimeField
from tortoise.fields.data import CharEnumFieldInstance
from tortoise.models import Model
from tortoise.timezone import get_default_timezone, get_use_tz

Convert = Callable[[Any], Any]
T = TypeVar("T")
Positions = tuple[tuple[int, Convert], ...]
"""Converters by position in a row: ``(index, convert)`` for each column that needs one."""
RowBuilder = Callable[[tuple[str, ...], Positions], Callable[[Sequence[Any]], T]]
"""Given the columns of a row (names in order) and their converters, the function that turns one driver row into
an item. Called once per statement shape; what it returns is kept with the shape."""


def _datetime(field: DatetimeField[Any]) -> Convert:
    """``field.to_python_value``, the common case written out: a UTC value (what both databases give back for what
    the store wrote) under ``use_tz`` is moved to the default time zone, as the field does after checking it is
    not naive, a third of a row's conversion. Tortoise reads both settings through cached functions, as here."""
    convert = field.to_python_value

    def parse(value: Any) -> Any:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                return convert(value)  # an unusual spelling: the field parses it
        if type(value) is datetime and value.tzinfo is UTC and get_use_tz():
            return value.astimezone(get_default_timezone())
        return convert(value)

    return parse


def _enum(field: CharEnumFieldInstance) -> Convert:
    """The member for a stored value by one dict lookup: ``Enum(value)`` looks there first too, but through the
    enum metaclass's call, a tenth of the rows' conversion. Anything else (no such member) goes to the field."""
    members = field.enum_type._value2member_map_
    convert = field.to_python_value
    missing = object()

    def member(value: Any) -> Any:
        if type(value) is str:
            found = members.get(value, missing)
            if found is not missing:
                return found
        return convert(value)

    return member


def _marks(dialect: str) -> Callable[[], str]:
    """The next parameter placeholder, in the order the statement's text names them."""
    if dialect != "postgres":
        return lambda: "?"
    marks = iter(range(1, 100))
    return lambda: f"${next(marks)}"


def _converters(model: type[Model], columns: tuple[str, ...]) -> tuple[tuple[str, Convert], ...]:
    """What ``.values()`` applies to each of ``columns`` after the driver (none for a column it returns as is)."""
    meta = model._meta
    native = {model_field for _, model_field, _ in meta.db_native_fields}
    converters: list[tuple[str, Convert]] = []
    for name in columns:
        field = meta.fields_map[name]
        if isinstance(field, DatetimeField):
            converters.append((name, _datetime(field)))
        elif isinstance(field, CharEnumFieldInstance):
            converters.append((name, _enum(field)))
        elif name not in native:
            converters.append((name, field.to_python_value))
    return tuple(converters)


@lru_cache(maxsize=64)
def _shape(
    model: type[Model], columns: tuple[str, ...], keys: tuple[str, ...], *, dialect: str, after: bool, paged: bool
) -> tuple[str, tuple[tuple[str, Convert], ...]]:
    """The statement (``WHERE k1 = p1 AND ... [AND pk > p] [ORDER BY pk LIMIT p]``) and the columns to convert.
    Keyed by dialect too: one process may open SQLite, then PostgreSQL (the test suite does)."""
    meta = model._meta
    mark = _marks(dialect)
    converters = _converters(model, columns)
    listed = ", ".join(f'"{meta.fields_db_projection[name]}" AS "{name}"' for name in columns)
    pk = meta.db_pk_column
    where = [f'"{meta.fields_db_projection[key]}" = {mark()}' for key in keys]
    if after:
        where.append(f'"{pk}" > {mark()}')
    sql = f'SELECT {listed} FROM "{meta.db_table}" WHERE {" AND ".join(where)}'
    if paged:
        sql += f' ORDER BY "{pk}" LIMIT {mark()}'
    return sql, converters


async def _rows(model: type[Model], sql: str, converters: tuple[tuple[str, Convert], ...], values: list[Any]) -> Any:
    rows = await model._meta.db.execute_query_dict(sql, values)
    for row in rows:
        for name, convert in converters:
            row[name] = convert(row[name])
    return rows


async def page_rows(
    model: type[Model], *, columns: Collection[str], key: str, key_value: int, after_id: int | None, limit: int
) -> list[dict[str, Any]]:
    """``model.filter(key=key_value, pk__gt=after_id).order_by("pk").limit(limit).values(*columns)``."""
    dialect = model._meta.db.capabilities.dialect
    after = after_id is not None
    sql, converters = _shape(model, tuple(sorted(columns)), (key,), dialect=dialect, after=after, paged=True)
    values: list[Any] = [key_value, after_id] if after else [key_value]
    rows: list[dict[str, Any]] = await _rows(model, sql, converters, [*values, limit])
    return rows


async def first_row(model: type[Model], *, columns: Collection[str], **equal: int) -> dict[str, Any] | None:
    """``model.filter(**equal).values(*columns)``'s first row, for lookups by a unique key (``id``)."""
    dialect = model._meta.db.capabilities.dialect
    keys = tuple(sorted(equal))
    sql, converters = _shape(model, tuple(sorted(columns)), keys, dialect=dialect, after=False, paged=False)
    rows = await _rows(model, sql, converters, [equal[key] for key in keys])
    return rows[0] if rows else None


@lru_cache(maxsize=64)
def _joined_shape(
    parent: type[Model],
    parent_columns: tuple[str, ...],
    keys: tuple[str, ...],
    child: type[Model],
    child_columns: tuple[str, ...],
    link: str,
    *,
    dialect: str,
    after: bool,
    build: RowBuilder[Any],
) -> tuple[str, Positions, Callable[[Sequence[Any]], Any]]:
    """The parent's row, then the children's page, as one ``UNION ALL`` of rows (child columns, parent columns):
    ``SELECT nulls, parent columns FROM parent WHERE k1 = p1 AND ... UNION ALL (SELECT child columns, nulls FROM
    child WHERE link = p [AND pk > p] ORDER BY pk LIMIT p)``, parameters in that order. The parent's row is the one
    whose child pk is null. (A join repeats the parent's columns on every row, and SQLite took twice as long.)
    The parent's converters are keyed by position in the row; a child row is made by what ``build`` returns."""
    pmeta, cmeta = parent._meta, child._meta
    mark = _marks(dialect)
    children = [f'"{cmeta.fields_db_projection[name]}"' for name in child_columns]
    parents = [f'"{pmeta.fields_db_projection[name]}"' for name in parent_columns]
    where = " AND ".join(f'"{pmeta.fields_db_projection[key]}" = {mark()}' for key in keys)
    cpk = cmeta.db_pk_column
    page_where = f'"{cmeta.fields_db_projection[link]}" = {mark()}'
    if after:
        page_where += f' AND "{cpk}" > {mark()}'
    page = (
        f'SELECT {", ".join(children + ["NULL"] * len(parents))} FROM "{cmeta.db_table}" WHERE {page_where} '
        f'ORDER BY "{cpk}" LIMIT {mark()}'
    )
    # PostgreSQL types each null by the other branch's column only when the page is a branch itself; SQLite takes
    # a branch with its own ORDER BY and LIMIT only as a subquery.
    branch = f"({page})" if dialect == "postgres" else f"SELECT * FROM ({page}) AS page"
    listed = ", ".join(["NULL"] * len(children) + parents)
    sql = f'SELECT {listed} FROM "{pmeta.db_table}" WHERE {where} UNION ALL {branch}'
    width = len(child_columns)
    where_of = {name: i for i, name in enumerate(child_columns)}
    child_converters = tuple((where_of[name], convert) for name, convert in _converters(child, child_columns))
    parent_at = {name: width + i for i, name in enumerate(parent_columns)}
    parent_converters = tuple((parent_at[name], convert) for name, convert in _converters(parent, parent_columns))
    return sql, parent_converters, build(child_columns, child_converters)


def dict_rows(names: tuple[str, ...], converters: Positions) -> Callable[[Sequence[Any]], dict[str, Any]]:
    """A ``RowBuilder``: each row as the dict ``.values()`` gives (only the first ``len(names)`` values are its)."""
    if not converters:
        return lambda row: dict(zip(names, row, strict=False))

    def build(row: Sequence[Any]) -> dict[str, Any]:
        converted = list(row)
        for at, convert in converters:
            converted[at] = convert(converted[at])
        return dict(zip(names, converted, strict=False))

    return build


async def row_and_page(
    parent: type[Model],
    *,
    columns: Collection[str],
    child: type[Model],
    child_columns: Collection[str],
    link: str,
    key_of_link: str,
    after_id: int | None,
    limit: int,
    build: RowBuilder[T],
    **equal: int,
) -> tuple[dict[str, Any] | None, list[T]]:
    """``first_row(parent, columns=columns, **equal)`` and, when there is one, ``page_rows(child,
    columns=child_columns, key=link, key_value=equal[key_of_link], after_id=after_id, limit=limit)``, in one
    statement: a second round trip to the database was a fifteenth of a session read. ``child_columns`` must
    include the child's pk. Each child row becomes an item through ``build`` (``dict_rows`` gives ``page_rows``'s
    dicts): a caller that wants records makes them from the row at once, without a dict in between. ``build``
    should be one long-lived function, as it keys the statement cache."""
    db = parent._meta.db  # looked up once: each lookup checks the running loop (1 % of a session read)
    dialect = db.capabilities.dialect
    keys = tuple(sorted(equal))
    after = after_id is not None
    parent_names, child_names = tuple(sorted(columns)), tuple(sorted(child_columns))
    sql, parent_converters, make = _joined_shape(
        parent, parent_names, keys, child, child_names, link, dialect=dialect, after=after, build=build
    )
    values: list[Any] = [*(equal[k] for k in keys), equal[key_of_link]]
    if after:
        values.append(after_id)
    _, rows = await db.execute_query(sql, [*values, limit])
    pk_at = child_names.index(child._meta.pk_attr)
    width = len(child_names)
    found: dict[str, Any] | None = None
    children: list[Any] = []  # driver rows (typed as dicts by Tortoise, tuples or records in fact)
    for row in rows:
        if row[pk_at] is None:  # the parent's row
            converted = list(row)
            for at, convert in parent_converters:
                converted[at] = convert(converted[at])
            found = dict(zip(parent_names, converted[width:], strict=True))
        else:
            children.append(row)
    if found is None:
        return None, []
    children.sort(key=itemgetter(pk_at))  # a UNION ALL promises no order; the page's is kept (in order)
    return found, [make(row) for row in children]
