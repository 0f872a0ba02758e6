"""``mixcoach serve``: run the API with uvicorn (GraphQL and GraphiQL at /graphql, the web app at /)."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser("serve", help="Serve the GraphQL API and the web app.")
    parser.add_argument("--host", default=None, help="Interface to bind (default: HOST, else 127.0.0.1).")
    parser.add_argument("--port", type=int, default=None, help="Port (default: PORT, else 8000).")
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    parser.set_defaults(func=serve)


def serve(args: argparse.Namespace) -> int:
    import logging

    import uvicorn

    from api.app import create_app
    from api.commands.exit import leave
    from api.settings import Settings

    settings = Settings()
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        lambda: create_app(settings),
        factory=True,
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=args.log_level,
        ws="websockets-sansio",
        proxy_headers=False,  # api.proxies resolves forwarded addresses, from MIXCOACH_TRUSTED_PROXIES only
    )
    return leave(0, used_object_store=settings.s3_bucket is not None)
