"""Import direction is part of the design: api → schema → services, with pure leaves below.

Parsing the source with ``ast`` (instead of importing it) keeps this test fast and free of side effects.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("api", "schema", "services")


def _modules() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py") if "migrations" not in p.parts)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _violations(*, where: str, forbidden: tuple[str, ...], allowed_in: tuple[str, ...] = ()) -> list[str]:
    found = []
    for path in _modules():
        rel = _rel(path)
        if not rel.startswith(where) or rel.startswith(allowed_in or ("\0",)):
            continue
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{rel} imports {name}")
    return found


@pytest.mark.parametrize(
    ("where", "forbidden", "allowed_in"),
    [
        ("services/", ("api", "schema", "strawberry", "starlette", "uvicorn"), ()),
        ("schema/", ("api",), ()),
        ("services/", ("tortoise",), ("services/store/",)),
        ("schema/", ("tortoise", "openai"), ()),
        ("services/", ("openai",), ("services/llm/",)),
        (
            "services/analysis/",
            ("services.store", "services.llm", "services.diagnosis", "services.prompts", "asyncio", "anyio"),
            (),
        ),
        ("services/diagnosis/", ("services.store", "services.llm", "asyncio"), ()),
        ("services/prompts/", ("services.store", "services.llm", "asyncio"), ()),
        ("services/lookups/", ("services.store", "services.llm", "services.prompts", "asyncio", "anyio"), ()),
    ],
)
def test_architecture_imports_point_down(where: str, forbidden: tuple[str, ...], allowed_in: tuple[str, ...]) -> None:
    assert _violations(where=where, forbidden=forbidden, allowed_in=allowed_in) == []


def test_architecture_settings_are_built_only_at_the_edge() -> None:
    offenders = [_rel(p) for p in _modules() if not _rel(p).startswith("api/") and "api.settings" in _imports(p)]
    assert offenders == []
