from __future__ import annotations

from pathlib import Path

from schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_schema_file_matches_the_code() -> None:
    """``make schema`` regenerates the committed SDL; this fails when it drifts."""
    assert SCHEMA_FILE.read_text(encoding="utf-8").strip() == schema.as_str().strip()
