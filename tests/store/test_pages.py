from __future__ import annotations

import pytest

from services.errors import BadUserInput
from services.store.pages import check_page_size, decode_cursor, encode_cursor


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
