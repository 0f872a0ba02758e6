"""The ``mixcoach`` command: one dispatcher, one module per subcommand under ``api/commands``.

Each command module exposes ``register(subparsers)`` and sets ``func`` on its parser; heavy imports (librosa,
uvicorn, openai) happen inside the command, so ``mixcoach --help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

_COMMAND_MODULES = {
    "serve": "api.commands.serve",
    "analyze": "api.commands.analyze",
    "feedback": "api.commands.feedback",
    "findings": "api.commands.findings",
    "worker": "api.commands.worker",
    "migrate": "api.commands.migrate",
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """Every subcommand, or only the one ``argv`` names: a cold ``mixcoach analyze`` need not import the
    others (``feedback`` pulls in asyncio, ~40 ms of a one-second run); ``--help`` and typos still see all."""
    parser = argparse.ArgumentParser(prog="mixcoach", description="AI mixing and mastering coach.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    named = _COMMAND_MODULES.get(argv[0]) if argv else None
    for name in [named] if named else _COMMAND_MODULES.values():
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    return func(args)


if __name__ == "__main__":
    sys.exit(main())
