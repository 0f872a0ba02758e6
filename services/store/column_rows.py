"""Rows of chosen columns, read with SQL written once per shape and converted as Tortoise's ``.values()`` would.

Why: a history read of 50 messages spent a third of its time inside Tortoise's ``.values()``: building the same
SQL through pypika on every request, and parsing each stored datetime with the ``iso8601`` package (SQLite keeps
them as text). Here the statement for a given set of columns is built once, and a datetime stored as text is parsed
with ``datetime.fromisoformat`` before the field's own ``to_python_value`` applies the time zone, so each value
comes out exactly as ``.values()`` returns it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from functools import lru_cache
from typing import Any

from tortoise.fields import DatetimeField
from tortoise.fields.data import CharEnumFieldInstance
from tortoise.models import Model

Convert = Callable[[Any], Any]


def _datetime(field: DatetimeField[Any]) -> Convert:
    convert = field.to_python_value

    def parse(value: Any) -> Any:
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value)
            except ValueError:
                pass  # an unusual spelling: the field parses it
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


@lru_cache(maxsize=64)
def _shape(
    model: type[Model], columns: tuple[str, ...], keys: tuple[str, ...], *, dialect: str, after: bool, paged: bool
) -> tuple[str, tuple[tuple[str, Convert], ...]]:
    """The statement (``WHERE k1 = p1 AND ... [AND pk > p] [ORDER BY pk LIMIT p]``) and the columns to convert.
    Keyed by dialect too: one process may open SQLite, then PostgreSQL (the test suite does)."""
    meta = model._meta
    numbered = dialect == "postgres"
    marks = iter(range(1, len(keys) + 3))
    mark: Callable[[], str] = (lambda: f"${next(marks)}") if numbered else (lambda: "?")
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
    listed = ", ".join(f'"{meta.fields_db_projection[name]}" AS "{name}"' for name in columns)
    pk = meta.db_pk_column
    where = [f'"{meta.fields_db_projection[key]}" = {mark()}' for key in keys]
    if after:
        where.append(f'"{pk}" > {mark()}')
    sql = f'SELECT {listed} FROM "{meta.db_table}" WHERE {" AND ".join(where)}'
    if paged:
        sql += f' ORDER BY "{pk}" LIMIT {mark()}'
    return sql, tuple(converters)


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
