from __future__ import annotations

import pytest

from services.domain import Page
from services.errors import BadUserInput
from services.store.pages import EncodedCursors, build_page, check_page_size, decode_cursor, encode_cursor


def test_pages_cursor_round_trips_and_is_bound_to_its_list() -> None:
    assert decode_cursor("track", encode_cursor("track", 42)) == 42
    assert decode_cursor("track", None) is None
    with pytest.raises(BadUserInput, match="another list"):
        decode_cursor("session", encode_cursor("track", 42))
    with pytest.raises(BadUserInput, match="not valid"):
        decode_cursor("track", "@@@")


@pytest.mark.parametrize("first", [0, -1, 101])
def test_pages_size_outside_bounds_is_refused(first: int) -> None:
    with pytest.raises(BadUserInput):
        check_page_size(first)


def test_encoded_cursors_read_as_the_list_of_encoded_cursors() -> None:
    ids = [3, 17, 2**31 - 1, 250]
    eager = [encode_cursor("message", i) for i in ids]
    lazy = EncodedCursors("message", ids)
    assert lazy == eager and eager == lazy and lazy == tuple(eager)
    assert lazy == EncodedCursors("message", list(ids)) and lazy != EncodedCursors("track", ids)
    assert lazy != eager[:-1] and lazy != "not a list"
    assert list(lazy) == eager and len(lazy) == len(eager) and repr(lazy) == repr(eager)
    assert [lazy[i] for i in range(-len(ids), len(ids))] == eager[-len(ids) :] + eager
    assert lazy[1:3] == eager[1:3] and lazy[::-1] == eager[::-1]
    assert bool(EncodedCursors("message", [])) is False and EncodedCursors("message", []) == []
    with pytest.raises(IndexError):
        lazy[len(ids)]


def test_a_built_page_reads_like_one_with_its_cursors_listed() -> None:
    rows = [{"id": i} for i in (4, 5, 6)]
    page = build_page(rows, first=2, kind="message", after=3, row_id=lambda r: r["id"], convert=lambda r: r["id"])
    assert page == Page(
        items=[4, 5],
        has_next_page=True,
        has_previous_page=True,
        cursors=[encode_cursor("message", 4), encode_cursor("message", 5)],
    )
    assert decode_cursor("message", page.cursors[-1]) == 5
