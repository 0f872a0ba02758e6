"""Keyset pagination shared by the list queries: opaque cursors over primary keys.

Cursors encode the row id so a page stays stable while rows are added at the other end, which offset paging
cannot promise.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar, overload

from services.domain import Page
from services.errors import BadUserInput

T = TypeVar("T")
R = TypeVar("R")

MAX_PAGE_SIZE = 100
_MAX_ROW_ID = 2**31 - 1  # id columns are 32-bit


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def encode_cursor(kind: str, row_id: int) -> str:
    """``base64.urlsafe_b64encode`` of ``kind:row_id``, written out: a page encodes one cursor per row."""
    return binascii.b2a_base64(f"{kind}:{row_id}".encode(), newline=False).translate(_URLSAFE).decode()


class EncodedCursors(Sequence[str]):
    """A page's cursors, each encoded (``encode_cursor``) when it is read, not when the page is built.

    Why: a reader of a page of messages rarely asks for the cursor of every edge (a history read asks for none),
    and encoding 50 of them was a fiftieth of a session read. Reads as the list of encoded cursors would: same
    items, same length, equal to that list."""

    __slots__ = ("_ids", "_kind")

    def __init__(self, kind: str, ids: list[int]) -> None:
        self._kind = kind
        self._ids = ids

    def __len__(self) -> int:
        return len(self._ids)

    @overload
    def __getitem__(self, at: int) -> str: ...

    @overload
    def __getitem__(self, at: slice) -> list[str]: ...

    def __getitem__(self, at: int | slice) -> str | list[str]:
        if isinstance(at, slice):
            return [encode_cursor(self._kind, row_id) for row_id in self._ids[at]]
        return encode_cursor(self._kind, self._ids[at])

    def __iter__(self) -> Iterator[str]:
        kind = self._kind
        return (encode_cursor(kind, row_id) for row_id in self._ids)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EncodedCursors):
            return self._kind == other._kind and self._ids == other._ids
        if isinstance(other, (list, tuple)):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to a list, which has none

    def __repr__(self) -> str:
        return repr(list(self))


def decode_cursor(kind: str, cursor: str | None) -> int | None:
    """The row id inside ``cursor``, or ``None`` for the first page."""
    if cursor is None:
        return None
    try:
        prefix, _, raw_id = base64.urlsafe_b64decode(cursor.encode("ascii")).decode("ascii").partition(":")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise BadUserInput("The `after` cursor is not valid; pass a cursor from a previous page.") from exc
    if not (raw_id.isascii() and raw_id.isdigit() and 0 < len(raw_id) <= 10 and int(raw_id) <= _MAX_ROW_ID):
        raise BadUserInput("The `after` cursor is not valid; pass a cursor from a previous page.")
    row_id = int(raw_id)
    if prefix != kind:
        raise BadUserInput("The `after` cursor belongs to another list; pass a cursor from this list.")
    return row_id


def check_page_size(first: int) -> int:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise BadUserInput(f"`first` must be between 1 and {MAX_PAGE_SIZE}.")
    return first


def build_page(
    rows: Sequence[R],
    *,
    first: int,
    kind: str,
    after: int | None,
    row_id: Callable[[R], int],
    convert: Callable[[R], T],
) -> Page[T]:
    """Turn ``first + 1`` fetched rows into a page; the extra row only tells whether another page exists."""
    shown = list(rows[:first])
    return Page(
        items=[convert(row) for row in shown],
        has_next_page=len(rows) > first,
        has_previous_page=after is not None,
        cursors=EncodedCursors(kind, [row_id(row) for row in shown]),
    )
