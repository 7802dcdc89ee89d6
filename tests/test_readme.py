"""Every query in the README's "Try" section runs against the demo content and returns data:
no errors, no missing object, no empty list."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import GraphQLClient

README = Path(__file__).resolve().parent.parent / "README.md"


def try_queries() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\nTry ") : text.index("\n## Configuration")]
    return re.findall(r"```graphql\n(.*?)```", section, flags=re.DOTALL)


def empty_places(value: Any, path: str = "data") -> list[str]:
    """Paths of null objects and empty lists below ``value`` (scalars may be null)."""
    if isinstance(value, list):
        if not value:
            return [path]
        return [p for i, item in enumerate(value) for p in empty_places(item, f"{path}[{i}]")]
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if item is None:
                found.extend([f"{path}.{key}"] if key in OBJECT_FIELDS else [])
            else:
                found.extend(empty_places(item, f"{path}.{key}"))
        return found
    return []


# Fields whose value is an object: null there means the README points at nothing.
OBJECT_FIELDS = {"event", "region", "article", "corrected", "retracted", "agency", "person"}


def test_the_readme_has_try_queries() -> None:
    assert len(try_queries()) >= 3


@pytest.mark.parametrize("number", range(len(try_queries())))
async def test_try_query_returns_data(full_demo: str, gql: GraphQLClient, number: int) -> None:
    data = await gql(try_queries()[number])
    assert data, "no data"
    assert empty_places(data) == [], data
    assert all(value is not None for value in data.values()), data
