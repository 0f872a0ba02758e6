"""CLI subcommands: each module has ``register(subparsers)``; ``api.cli`` dispatches."""
