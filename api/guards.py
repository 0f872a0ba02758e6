"""HTTP guards in front of the GraphQL endpoint: CSRF protection for uploads and the body size limit.

A ``multipart/form-data`` POST is a CORS "simple request" that a browser sends cross-site without a preflight,
so multipart requests must carry a header no simple request can: ``Apollo-Require-Preflight`` or
``X-Requested-With``. A declared ``Content-Length`` over the limit is refused before anything is read; a body
without one (chunked) is counted as it arrives and refused the moment it crosses the limit. Both refusals are
GraphQL-shaped JSON with ``PAYLOAD_TOO_LARGE``, like every other error a client gets.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_HEADERS = ("apollo-require-preflight", "x-requested-with")
# A query document is at most 50,000 characters (schema.gate) and variables are small: 1 MiB leaves room.
MAX_JSON_BODY_BYTES = 1024 * 1024


def _error(status: int, *, message: str, code: str) -> JSONResponse:
    return JSONResponse({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}, status)


class _BodyTooLarge(Exception):
    """Raised from ``receive`` when a body without a declared length crosses the limit."""


class UploadGuard:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, upload_limit_mb: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.upload_limit_mb = upload_limit_mb

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        rejection = self._rejection(headers)
        if rejection is not None:
            await rejection(scope, receive, send)
            return
        multipart = headers.get("content-type", "").lower().startswith("multipart/")
        limit = self.max_body_bytes if multipart else MAX_JSON_BODY_BYTES
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise _BodyTooLarge
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except _BodyTooLarge:
            if started:
                raise
            await self._too_large(multipart=multipart)(scope, receive, send)

    def _too_large(self, *, multipart: bool = True) -> JSONResponse:
        if not multipart:
            return _error(
                413,
                message=f"The request body is larger than {MAX_JSON_BODY_BYTES // 1024} KB; "
                "send a shorter query and fewer variables.",
                code="PAYLOAD_TOO_LARGE",
            )
        return _error(
            413,
            message=f"The file is larger than the {self.upload_limit_mb:g} MB upload limit; "
            "upload a shorter or compressed file.",
            code="PAYLOAD_TOO_LARGE",
        )

    def _rejection(self, headers: Headers) -> JSONResponse | None:
        if headers.get("content-type", "").lower().startswith("multipart/") and not any(
            headers.get(name) for name in CSRF_HEADERS
        ):
            return _error(
                400,
                message="Multipart requests must carry an `Apollo-Require-Preflight: true` "
                "(or `X-Requested-With`) header; this protects uploads against cross-site request forgery.",
                code="BAD_USER_INPUT",
            )
        length = headers.get("content-length", "")
        multipart = headers.get("content-type", "").lower().startswith("multipart/")
        limit = self.max_body_bytes if multipart else MAX_JSON_BODY_BYTES
        if length.isdigit() and int(length) > limit:
            return self._too_large(multipart=multipart)
        return None
