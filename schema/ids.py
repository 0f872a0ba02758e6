"""Opaque Relay global IDs (base64 of ``Type:pk``) in and out.

A malformed ID is the caller's mistake (BAD_USER_INPUT); a well-formed ID of the wrong type, of a missing row or
of another client's row is NOT_FOUND, so IDs reveal nothing about other clients.
"""

from __future__ import annotations

from strawberry import relay

from services.errors import BadUserInput, NotFound


def encode_id(type_name: str, pk: int) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


def decode_id(value: str, *, type_name: str) -> int:
    """The primary key inside a global ID of ``type_name``."""
    try:
        global_id = relay.GlobalID.from_id(value)
    except (ValueError, TypeError) as exc:
        raise BadUserInput(f"{value!r} is not a valid ID; pass an `id` exactly as the API returned it.") from exc
    if global_id.type_name != type_name or not global_id.node_id.isdigit():
        raise NotFound(f"{type_name} not found. Check the id.")
    return int(global_id.node_id)


def decode_optional_id(value: str | None, *, type_name: str) -> int | None:
    return None if value is None else decode_id(value, type_name=type_name)
