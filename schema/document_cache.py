"""Parse and validate each distinct query text once: a front end sends the same few documents over and over, and
graphql-core's parser and validation rules were a fifth of the CPU of a session read.

The cache belongs to the schema (``DocumentCache`` is built once next to it) and is bounded, least recently used
first out, so unique query texts from a hostile client cannot grow memory. What it keeps:

- the parsed document per (query text, parse options): the gate still walks it on every request, because its
  limits depend on the variables;
- which of those documents passed validation. Validation does not depend on variables, so a document that passed
  once passes again; documents with errors are not remembered (they are rare and cheap to refuse again).

Order with the gate (TECH_NOTES part 2): the gate is listed first, so its ``on_parse`` wraps this one and still runs
after the document is known, cached or not; and a request the gate refused already has ``pre_execution_errors``,
which this extension never replaces, so a refused document is never treated as validated.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass

from graphql import DocumentNode
from strawberry.extensions import SchemaExtension

DEFAULT_ENTRIES = 256
MAX_CACHED_QUERY_CHARS = 20_000  # larger documents are parsed each time: the web app's largest is far smaller


@dataclass
class _Entry:
    document: DocumentNode
    validated: bool = False


class DocumentCache:
    """The schema's parsed (and validated) documents, least recently used out first; ``extension()`` is the
    per-request extension factory to list in the schema."""

    def __init__(self, entries: int = DEFAULT_ENTRIES) -> None:
        self._size = entries
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()

    def extension(self) -> Callable[[], SchemaExtension]:
        return lambda: _DocumentCacheExtension(self)

    def get(self, key: Hashable) -> _Entry | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found

    def put(self, key: Hashable, document: DocumentNode) -> _Entry:
        entry = self._entries[key] = _Entry(document)
        self._entries.move_to_end(key)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return entry


class _DocumentCacheExtension(SchemaExtension):
    def __init__(self, cache: DocumentCache) -> None:
        self._cache = cache
        self._entry: _Entry | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        query = context.query
        if not query or len(query) > MAX_CACHED_QUERY_CHARS or context.graphql_document is not None:
            yield
            return
        key = (query, tuple(sorted(context.parse_options.items())))
        entry = self._cache.get(key)
        if entry is not None:
            context.graphql_document = entry.document
        yield
        if entry is None and context.graphql_document is not None and not context.pre_execution_errors:
            entry = self._cache.put(key, context.graphql_document)
        self._entry = entry

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        entry = self._entry
        if entry is not None and entry.validated and context.pre_execution_errors is None:
            context.pre_execution_errors = []  # Strawberry validates only while this is None
        yield
        if entry is not None and context.pre_execution_errors == []:
            entry.validated = True
