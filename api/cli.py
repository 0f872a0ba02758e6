"""The ``mixcoach`` command: one dispatcher, one module per subcommand under ``api/commands``.

Each command module exposes ``register(subparsers)`` and sets ``func`` on its parser; heavy imports (librosa,
uvicorn, openai) happen inside the command, so ``mixcoach --help`` stays instant.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

_COMMAND_MODULES = ("api.commands.serve", "api.commands.analyze", "api.commands.feedback")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mixcoach", description="AI mixing and mastering coach.")
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    return func(args)


if __name__ == "__main__":
    sys.exit(main())
