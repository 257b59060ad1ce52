"""The committed `schema.graphql` is the contract: it must be exactly what the code serves, and it only breaks a
client on purpose, with the reason written in `CONTRACT-CHANGES.md`."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import build_schema, find_breaking_changes

from schema import schema

REPO = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO / "schema.graphql"
CHANGELOG = REPO / "CONTRACT-CHANGES.md"
# A listed change: `- `<change>`: <reason>` (a dash or an em dash also separates), the reason a sentence's worth.
LISTED = re.compile(r"^- `(?P<change>[^`]+)`\s*[:—-]\s*(?P<reason>\S.{9,})$", re.MULTILINE)


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


def listed_changes(changelog: str) -> set[str]:
    return {match["change"].strip() for match in LISTED.finditer(changelog)}


def unlisted_breaking_changes(previous_sdl: str, current_sdl: str, changelog: str) -> list[str]:
    """The breaking changes from `previous_sdl` to `current_sdl` that the changelog does not list with a reason."""
    changes = find_breaking_changes(build_schema(previous_sdl), build_schema(current_sdl))
    listed = listed_changes(changelog)
    return [f"{change.type.name}: {change.description}" for change in changes if change.description not in listed]


def committed_contract() -> str:
    """`schema.graphql` as of the last commit: what the frontends in the field were built against."""
    git = shutil.which("git")
    if git is None or not (REPO / ".git").exists():
        pytest.skip("no git checkout: nothing committed to compare the contract with")
    shown = subprocess.run(
        [git, "show", "HEAD:schema.graphql"], cwd=REPO, capture_output=True, text=True, encoding="utf-8", check=False
    )
    if shown.returncode != 0:
        pytest.skip(f"no committed schema.graphql to compare with: {shown.stderr.strip()}")
    return shown.stdout


def test_no_unlisted_breaking_change_since_the_last_commit() -> None:
    unlisted = unlisted_breaking_changes(committed_contract(), schema.as_str(), CHANGELOG.read_text(encoding="utf-8"))
    assert not unlisted, (
        "schema.graphql breaks clients built against the last commit. Keep the old field or type beside the new one, "
        "or list each change in CONTRACT-CHANGES.md with its reason:\n" + "\n".join(unlisted)
    )


BEFORE = """
type Query { report(id: ID!): Report  reports(first: Int): [Report!]! }
type Report { id: ID!  code: String!  status: Status! }
enum Status { ROUTED ACCEPTED }
"""


@pytest.mark.parametrize(
    ("after", "change"),
    [
        (BEFORE.replace("code: String!", ""), "Report.code was removed."),
        (BEFORE.replace("code: String!", "code: Int!"), "Report.code changed type from String! to Int!."),
        (BEFORE.replace("first: Int", "first: Int!"), "first"),
        (BEFORE.replace("ROUTED ACCEPTED", "ROUTED"), "Status.ACCEPTED was removed."),
        (BEFORE.replace("report(id: ID!): Report", ""), "Query.report was removed."),
    ],
)
def test_a_breaking_change_fails_unless_listed_with_a_reason(after: str, change: str) -> None:
    unlisted = unlisted_breaking_changes(BEFORE, after, "")
    assert len(unlisted) == 1
    assert change in unlisted[0]
    description = unlisted[0].split(": ", 1)[1]
    assert unlisted_breaking_changes(BEFORE, after, f"- `{description}`") == unlisted  # no reason, not listed
    listed = f"## 2027.1\n- `{description}`: the consoles stopped reading it in 2026.12; a migration note went out.\n"
    assert unlisted_breaking_changes(BEFORE, after, listed) == []


def test_growing_the_contract_needs_no_entry() -> None:
    grown = BEFORE.replace("code: String!", "code: String!  overdue: Boolean  node(id: ID): Report").replace(
        "reports(first: Int)", "reports(first: Int, last: Int, before: String)"
    )
    assert unlisted_breaking_changes(BEFORE, grown, "") == []
