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
        # measuring is pure: no storage, no web, no model, no coaching, no event loop
        (
            "services/analysis/",
            (
                "services.store",
                "services.llm",
                "services.diagnosis",
                "services.coaching",
                "services.tracks",
                "services.runtime",
                "services.clients",
                "tortoise",
                "redis",
                "obstore",
                "procrastinate",
                "asyncio",
                "anyio",
            ),
            (),
        ),
        ("services/diagnosis/", ("services.store", "services.llm", "services.coaching", "asyncio"), ()),
        ("services/genres/", ("services.store", "services.llm", "services.coaching", "services.diagnosis"), ()),
        # llm is transport only: it carries a prompt to a model and text back, and knows nothing of coaching
        (
            "services/llm/",
            ("services.coaching", "services.tracks", "services.store", "services.runtime", "services.clients"),
            (),
        ),
        # the store keeps rows and audio; it calls nothing that uses it
        (
            "services/store/",
            ("services.coaching", "services.tracks", "services.llm", "services.runtime", "services.clients"),
            (),
        ),
        # prompts are pure text: they may use the request records of services.llm, never its transport
        (
            "services/coaching/prompts/",
            (
                "services.store",
                "services.llm.base",
                "services.llm.remote",
                "services.llm.rounds",
                "services.llm.failures",
                "services.llm.sse",
                "asyncio",
            ),
            (),
        ),
        (
            "services/coaching/lookups/",
            ("services.store", "services.llm", "services.coaching.prompts", "asyncio", "anyio"),
            (),
        ),
        ("services/coaching/builtin/", ("services.store", "services.runtime"), ()),
        # a track's life knows nothing of what is said about it; who calls knows neither
        ("services/tracks/", ("services.coaching", "services.llm"), ()),
        ("services/clients/", ("services.coaching", "services.tracks", "services.llm"), ()),
    ],
)
def test_architecture_imports_point_down(where: str, forbidden: tuple[str, ...], allowed_in: tuple[str, ...]) -> None:
    assert _violations(where=where, forbidden=forbidden, allowed_in=allowed_in) == []


def test_architecture_settings_are_built_only_at_the_edge() -> None:
    offenders = [_rel(p) for p in _modules() if not _rel(p).startswith("api/") and "api.settings" in _imports(p)]
    assert offenders == []


def test_architecture_services_top_level_is_folders() -> None:
    """A behaviour is found by folder name: beside the folders, only the shared vocabulary sits in services/."""
    loose = sorted(p.name for p in (ROOT / "services").glob("*.py"))
    assert loose == ["__init__.py", "domain.py", "errors.py"]
