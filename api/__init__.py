"""The edge: ASGI app factory, settings, routes, static UI and CLI. May import ``schema`` and ``services``."""
