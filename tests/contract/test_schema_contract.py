"""The committed `schema.graphql` is the contract: it must be exactly what the code serves."""

from __future__ import annotations

from pathlib import Path

from schema import schema

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    served = schema.as_str() + "\n"
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == served, "schema.graphql is stale: run `make schema` and commit the result"


def test_every_public_field_and_argument_is_described() -> None:
    missing = []
    for type_name, graphql_type in schema._schema.type_map.items():
        if type_name.startswith("__") or not hasattr(graphql_type, "fields"):
            continue
        for field_name, field in graphql_type.fields.items():
            if not field.description:
                missing.append(f"{type_name}.{field_name}")
            missing += [
                f"{type_name}.{field_name}({arg})" for arg, a in getattr(field, "args", {}).items() if not a.description
            ]
    assert missing == []
