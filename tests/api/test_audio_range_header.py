"""The Range header parser behind ``GET /audio/{id}``, and the link signature's expiry: pure, known answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.audio_route import Unsatisfiable, parse_range
from services.errors import Unauthenticated
from services.tracks.audio_links import check, sign


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("bytes=0-99", (0, 99)),
        ("bytes=990-", (990, 999)),
        ("bytes=900-5000", (900, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=-5000", (0, 999)),
        ("bytes=0-1,5-9", None),  # several ranges: the whole file is a valid answer
        ("items=0-9", None),
        ("bytes=-", None),
    ],
)
def test_parse_range_reads_single_byte_ranges(header: str | None, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, size=1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=5-4", "bytes=-0"])
def test_parse_range_refuses_ranges_outside_the_file(header: str) -> None:
    with pytest.raises(Unsatisfiable):
        parse_range(header, size=1000)


def test_audio_link_expires_and_is_bound_to_its_client_and_key() -> None:
    key = b"k" * 32
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    expires = int(now.timestamp()) + 60
    signature = sign(key, track_id=7, client_id=3, expires=expires)
    check(key, track_id=7, client_id=3, expires=expires, signature=signature, now=now)
    with pytest.raises(Unauthenticated, match="expired"):
        check(key, track_id=7, client_id=3, expires=expires, signature=signature, now=now + timedelta(seconds=61))
    with pytest.raises(Unauthenticated, match="not valid"):
        check(key, track_id=7, client_id=4, expires=expires, signature=signature, now=now)
    with pytest.raises(Unauthenticated, match="not valid"):
        check(key, track_id=8, client_id=3, expires=expires, signature=signature, now=now)
    with pytest.raises(Unauthenticated, match="not valid"):
        check(b"j" * 32, track_id=7, client_id=3, expires=expires, signature=signature, now=now)
