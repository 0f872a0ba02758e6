"""``GET /audio/{track_id}``: a track's stored audio, with HTTP Range, for the page's ``<audio>`` player.

A browser's media element cannot send ``Authorization``, so the page plays the short-lived signed link that
``Track.audioUrl`` hands out (``?client=&expires=&signature=``); scripts may send their bearer token instead.
Either way the track is read as that client: another client's track is NOT_FOUND, like everywhere else.
Ranges follow RFC 9110: one ``bytes=a-b``, ``a-`` or ``-n`` range gets 206 with ``Content-Range``; an
unsatisfiable one 416 with ``Content-Range: bytes */size``; several ranges, or none, get the whole file (200).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from api.graphql_view import error_response
from services.clients.identities import Clients
from services.errors import DomainError, Unauthenticated
from services.tracks.audio_links import AudioBlob, AudioLinks

CHUNK_BYTES = 256 * 1024
_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


class Unsatisfiable(Exception):
    """The Range header names no byte of the file."""


def parse_range(header: str | None, *, size: int) -> tuple[int, int] | None:
    """The inclusive ``(first, last)`` byte of a single range, or None to send the whole file.

    Raises ``Unsatisfiable`` when the range starts past the end (or asks for zero bytes of a suffix).
    """
    if not header:
        return None
    match = _RANGE.fullmatch(header.strip())
    if match is None or (not match[1] and not match[2]):
        return None  # several ranges or another unit: a full 200 answer is allowed
    if not match[1]:
        suffix = int(match[2])
        if suffix == 0 or size == 0:
            raise Unsatisfiable
        return max(0, size - suffix), size - 1
    first = int(match[1])
    last = int(match[2]) if match[2] else size - 1
    if first >= size or last < first:
        raise Unsatisfiable
    return first, min(last, size - 1)


class AudioRoute:
    """The ASGI endpoint; built once in ``create_app`` with the links service and the client authenticator."""

    def __init__(self, *, links: AudioLinks, clients: Clients) -> None:
        self._links = links
        self._clients = clients

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.respond(Request(scope, receive))
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        try:
            track_id = int(request.path_params["track_id"])
            owner_id = await self._client(request, track_id)
            blob = await self._links.blob(owner_id=owner_id, track_id=track_id)
        except DomainError as error:
            return error_response(_status(error.code), str(error), code=error.code)
        except ValueError:
            return error_response(404, "Track not found.", code="NOT_FOUND")
        headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, max-age=300"}
        try:
            wanted = parse_range(request.headers.get("range"), size=blob.size_bytes)
        except Unsatisfiable:
            return Response(status_code=416, headers=headers | {"Content-Range": f"bytes */{blob.size_bytes}"})
        first, last = wanted or (0, blob.size_bytes - 1)
        headers["Content-Length"] = str(last - first + 1)
        if wanted is not None:
            headers["Content-Range"] = f"bytes {first}-{last}/{blob.size_bytes}"
        body = None if request.method == "HEAD" else self._chunks(blob, first=first, last=last)
        status = 206 if wanted is not None else 200
        if body is None:
            return Response(status_code=status, headers=headers, media_type=blob.content_type)
        return StreamingResponse(body, status_code=status, headers=headers, media_type=blob.content_type)

    async def _client(self, request: Request, track_id: int) -> int:
        query = request.query_params
        if "signature" not in query:
            return await self._clients.authenticate(request.headers.get("authorization"))
        client, expires = query.get("client", ""), query.get("expires", "")
        if not (client.isdigit() and expires.isdigit()):
            raise Unauthenticated("The audio link is not valid; ask the API for a new one (`Track.audioUrl`).")
        return await self._links.verify(
            track_id=track_id, client_id=int(client), expires=int(expires), signature=query["signature"]
        )

    async def _chunks(self, blob: AudioBlob, *, first: int, last: int) -> AsyncIterator[bytes]:
        position = first
        while position <= last:
            chunk = await self._links.read(blob, start=position, length=min(CHUNK_BYTES, last - position + 1))
            if not chunk:
                return
            position += len(chunk)
            yield chunk


def _status(code: str) -> int:
    return {"UNAUTHENTICATED": 401, "NOT_FOUND": 404}.get(code, 400)
