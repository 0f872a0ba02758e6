"""GraphiQL at ``GET /graphql`` from vendored assets (``api/static/graphiql``): nothing loads from a CDN.

Strawberry's template references react, graphiql, its explorer plugin and js-cookie on unpkg.com, with Subresource
Integrity hashes. The vendored files are those exact bytes, so only the URLs change and the hashes still hold (a
browser refuses a file that does not match). The page gets its own Content-Security-Policy: the app's policy plus
the hash of the template's one inline script, and inline styles, which GraphiQL's editor sets on its elements.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.http.ides import get_graphql_ide_html

from api.graphql_view import GraphQLView
from api.headers import FRAME_ANCESTORS

ASSETS_PATH = "/graphiql"  # where ``api/static/graphiql`` is served (the static mount at "/")
ASSETS = {
    "https://unpkg.com/react@18.2.0/umd/react.production.min.js": "react/react.production.min.js",
    "https://unpkg.com/react-dom@18.2.0/umd/react-dom.production.min.js": "react_dom/react-dom.production.min.js",
    "https://unpkg.com/js-cookie@3.0.5/dist/js.cookie.min.js": "js_cookie/js.cookie.min.js",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.css": "graphiql/graphiql.min.css",
    "https://unpkg.com/graphiql@3.8.3/graphiql.min.js": "graphiql/graphiql.min.js",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/style.css": "plugin_explorer/style.css",
    "https://unpkg.com/@graphiql/plugin-explorer@1.0.2/dist/index.umd.js": "plugin_explorer/index.umd.js",
}
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@functools.cache
def graphiql_page() -> tuple[str, str]:
    """The template with local asset URLs, and its Content-Security-Policy.

    Raises ``RuntimeError`` when the template no longer references a vendored asset (a Strawberry upgrade changed
    it): re-vendor as ``api/static/graphiql/README.md`` says.
    """
    html = get_graphql_ide_html("graphiql")
    for cdn, local in ASSETS.items():
        if cdn not in html:
            raise RuntimeError(f"Strawberry's GraphiQL template no longer loads {cdn}; re-vendor its assets.")
        html = html.replace(cdn, f"{ASSETS_PATH}/{local}")
    hashes = " ".join(f"'sha256-{_sha256(script)}'" for script in _INLINE_SCRIPT.findall(html))
    policy = (
        f"default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; "
        f"{FRAME_ANCESTORS}"
    )
    return html, policy


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


class LocalGraphiQLView(GraphQLView):
    """The GraphQL view, with GraphiQL served from this server's own assets."""

    async def render_graphql_ide(self, request: Request) -> Response:
        html, policy = graphiql_page()
        return HTMLResponse(html, headers={"Content-Security-Policy": policy})
