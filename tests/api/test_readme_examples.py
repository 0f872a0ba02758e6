"""The README's GraphQL examples are part of the product: each one must validate against the real schema."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import DocumentNode, OperationDefinitionNode, parse, validate

from schema import schema

README = Path(__file__).resolve().parents[2] / "README.md"


def _operations() -> list[OperationDefinitionNode]:
    blocks = re.findall(r"```graphql\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.DOTALL)
    return [d for block in blocks for d in parse(block).definitions if isinstance(d, OperationDefinitionNode)]


def test_readme_has_graphql_examples() -> None:
    kinds = {op.operation.value for op in _operations()}
    assert kinds == {"query", "mutation", "subscription"}


@pytest.mark.parametrize(
    "operation", _operations(), ids=lambda op: op.loc.source.body[op.loc.start : op.loc.start + 60]
)
def test_readme_example_validates_against_schema(operation: OperationDefinitionNode) -> None:
    errors = validate(schema._schema, DocumentNode(definitions=(operation,)))
    assert [e.message for e in errors] == []
