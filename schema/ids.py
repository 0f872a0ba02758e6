"""Opaque Relay global IDs (base64 of ``Type:pk``) in and out, parsed canonically.

Only the exact string this API hands out resolves: standard base64 with its padding, a known type name, and a
primary key written as the API writes it (ASCII digits, no sign, no leading zero, within the column's range).
Anything else — another spelling of the same row, a malformed string, another type, a missing row or another
client's row — is NOT_FOUND with the same message, so IDs can be neither forged nor used to probe.
"""

from __future__ import annotations

import base64
import binascii
import re
from functools import lru_cache

from services.errors import NotFound

MAX_PK = 2**31 - 1  # the id columns are 32-bit
_PK = re.compile(r"[1-9][0-9]{0,9}")


@lru_cache(maxsize=1024)  # a page of messages names its session 50 times
def encode_id(type_name: str, pk: int) -> str:
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode("ascii")


def parse_global_id(value: str) -> tuple[str, int] | None:
    """``(type name, pk)`` for a canonical global ID, else ``None``."""
    if len(value) > 100:
        return None
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True).decode("ascii")
    except (UnicodeError, binascii.Error):
        return None
    type_name, colon, pk_text = raw.partition(":")
    if not colon or not _PK.fullmatch(pk_text) or int(pk_text) > MAX_PK:
        return None
    pk = int(pk_text)
    return (type_name, pk) if encode_id(type_name, pk) == value else None


def decode_id(value: str, *, type_name: str) -> int:
    """The primary key inside a canonical global ID of ``type_name``; NOT_FOUND for anything else."""
    parsed = parse_global_id(value)
    if parsed is None or parsed[0] != type_name:
        raise NotFound(f"{type_name} not found. Check the id: pass an `id` exactly as the API returned it.")
    return parsed[1]


def decode_optional_id(value: str | None, *, type_name: str) -> int | None:
    return None if value is None else decode_id(value, type_name=type_name)
