"""Security headers on every HTTP response, as a pure ASGI middleware.

- ``Content-Security-Policy``: only the app's own origin, and ``frame-ancestors 'none'`` (no page may frame the
  app, a clickjacking guard that a ``<meta>`` policy cannot express). ``api/static/index.html`` repeats the same
  policy, minus ``frame-ancestors``, in a meta tag; a test keeps the two equal. A response that sets its own policy
  (the GraphiQL page, see ``api.graphiql``) keeps it.
- ``X-Content-Type-Options: nosniff``: browsers use the declared type, never a guessed one.
- ``Referrer-Policy: no-referrer``: URLs (which can hold ids) are never sent to other sites.
- ``X-Frame-Options: DENY``: ``frame-ancestors`` for browsers too old to know it.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

FRAME_ANCESTORS = "frame-ancestors 'none'"
APP_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'"
)
CONTENT_SECURITY_POLICY = f"{APP_POLICY}; {FRAME_ANCESTORS}"
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
