"""HTTP guards in front of the GraphQL endpoint: CSRF protection for uploads and an early size check.

A ``multipart/form-data`` POST is a CORS "simple request" that a browser sends cross-site without a preflight,
so multipart requests must carry a header no simple request can: ``Apollo-Require-Preflight`` or
``X-Requested-With``. A declared ``Content-Length`` over the limit is refused before anything is read; bodies
without one are capped by Starlette's ``max_body_size`` on the route.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

CSRF_HEADERS = ("apollo-require-preflight", "x-requested-with")


def _error(status: int, *, message: str, code: str) -> JSONResponse:
    return JSONResponse({"data": None, "errors": [{"message": message, "extensions": {"code": code}}]}, status)


class UploadGuard:
    def __init__(self, app: ASGIApp, *, max_body_bytes: int, upload_limit_mb: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.upload_limit_mb = upload_limit_mb

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            rejection = self._rejection(Headers(scope=scope))
            if rejection is not None:
                await rejection(scope, receive, send)
                return
        await self.app(scope, receive, send)

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
        if length.isdigit() and int(length) > self.max_body_bytes:
            return _error(
                413,
                message=f"The file is larger than the {self.upload_limit_mb:g} MB upload limit; "
                "upload a shorter or compressed file.",
                code="PAYLOAD_TOO_LARGE",
            )
        return None
