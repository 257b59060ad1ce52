"""Cost control before execution (issue 14: finding 1, and introspection and suggestions in production).

Every attack of the finding is sent anonymously to the endpoint of an app in production settings and refused with
BAD_USER_INPUT naming the limit, before any resolver runs; what the frontends and the README ask passes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import GraphQLError, OperationDefinitionNode, get_introspection_query, parse

from api.signin import token_codec
from auth.tokens import TokenCodec
from core.settings import Settings, SettingsError
from models.enums import Role
from schema import schema
from schema.base.cost import estimate
from schema.base.limits import measure
from services.statistics import figures
from tests.helpers.auth_flows import client_for
from tests.helpers.environment import PRODUCTION_ENV, make_settings
from tests.helpers.factories import Caller, make_report, make_user, token_for
from tests.helpers.graphql import assert_refused, gql, only_data
from tests.helpers.live_server import live_server
from tests.helpers.servers import REPO
from tests.helpers.statistics_api import STATISTICS
from tests.helpers.ws import console, error_codes

DEFAULTS = Settings()
HEAVY_STATISTICS = (
    "statistics { series(interval: DAY) { start received } responseTimeHours { median p90 } byWard { key } }"
)


def nested_agencies(levels: int) -> str:
    """`agencies { parent { children { parent { children { code } } } } }` for levels=2."""
    return "{ agencies { " + "parent { children { " * levels + "code" + " } }" * levels + " } }"


def fragment_bomb(doublings: int) -> str:
    """A short document whose fragments each spread the previous one twice: 2^doublings fields once expanded."""
    fragments = ["fragment F0 on Statistics { received }"]
    fragments += [f"fragment F{n} on Statistics {{ ...F{n - 1} ...F{n - 1} }}" for n in range(1, doublings + 1)]
    return f"{{ statistics {{ ...F{doublings} }} }} " + " ".join(fragments)


# The finding's attacks, each with the limit that refuses it and that limit's default.
ATTACKS: dict[str, tuple[Callable[[], str], str, int]] = {
    "agencies-parent-children-twice": (lambda: nested_agencies(2), "cost", DEFAULTS.graphql_cost_anonymous),
    "agencies-parent-children-thrice": (lambda: nested_agencies(3), "cost", DEFAULTS.graphql_cost_anonymous),
    "5000-statistics-aliases": (
        lambda: "{ " + " ".join(f"a{n}: statistics {{ received }}" for n in range(5000)) + " }",
        "length",
        DEFAULTS.graphql_max_query_length,
    ),
    "50-heavy-statistics-aliases": (
        lambda: "{ " + " ".join(f"a{n}: {HEAVY_STATISTICS}" for n in range(50)) + " }",
        "aliases",
        DEFAULTS.graphql_max_aliases,
    ),
    "3-heavy-statistics-aliases": (
        lambda: "{ " + " ".join(f"a{n}: {HEAVY_STATISTICS}" for n in range(3)) + " }",
        "cost",
        DEFAULTS.graphql_cost_anonymous,
    ),
    "15-MB-of-1.6-million-tokens": (
        lambda: "{ statistics { " + "received " * 1_600_000 + "} }",
        "length",
        DEFAULTS.graphql_max_query_length,
    ),
    "a-field-3000-times": (
        lambda: "{ statistics { " + "received " * 3000 + "} }",
        "tokens",
        DEFAULTS.graphql_max_tokens,
    ),
    "a-field-300-times": (
        lambda: "{ statistics { " + "received " * 300 + "} }",
        "fields",
        DEFAULTS.graphql_max_fields,
    ),
    "fragments-doubling-20-times": (lambda: fragment_bomb(20), "fields", DEFAULTS.graphql_max_fields),
    "depth-50": (
        lambda: "{ agencies { " + "parent { " * 48 + "code" + " }" * 48 + " } }",
        "depth",
        DEFAULTS.graphql_max_depth,
    ),
}

CONSOLE_PAGE = """
query Console($filter: ReportFilter, $first: Int, $after: String) {
  reports(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id code status description occurredAt submittedAt updatedAt plateNumber channel dueAt overdue
      location { latitude longitude address ward { code name } }
      category { code name kind serviceLevelHours }
      agency { id code name }
      assignee { id fullName }
      reporter { id fullName phone }
      media { id kind status contentType url thumbnailUrl capturedAt latitude longitude }
      decisions { id outcome responseToCitizen fineAmountVnd vehicleImpounded legalBasis decidedAt note }
      timeline { kind at outcome reason actor { id fullName } }
      possibleDuplicateOf { id code }
    } }
  }
}
"""
CITIZEN_HOME = """
query Home($first: Int) {
  me { id role fullName }
  categories { code name kind serviceLevelHours }
  wards { code name kind latitude longitude }
  myReports(first: $first) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node {
      id code status description occurredAt submittedAt updatedAt plateNumber channel dueAt overdue
      location { latitude longitude address ward { code name } }
      category { code name } agency { code name phone }
      media { id kind url thumbnailUrl }
      decisions { outcome responseToCitizen fineAmountVnd decidedAt }
      timeline { kind at outcome reason }
    } }
  }
}
"""
REFERENCE = """
query Reference {
  categories { code name kind serviceLevelHours }
  wards { code name kind latitude longitude }
  agencies { id code name kind parent { code name } }
}
"""
AGENCIES = "{ agencies(includeInactive: true) { id code parent { id } } }"
CHILDREN = "query($id: ID!, $first: Int) { agency(id: $id) { children(first: $first) { code } } }"


@pytest.fixture(scope="module")
def production(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return make_settings(database_url, tmp_path_factory.mktemp("production"), **PRODUCTION_ENV)


@pytest.fixture(scope="module")
async def public(production: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with client_for(production) as http:
        yield http


@pytest.fixture(scope="module")
def production_codec(production: Settings) -> TokenCodec:
    return token_codec(production)


@pytest.fixture
def no_statistics_run(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """What reached the statistics service: nothing, when the operation was refused before any resolver ran."""
    reached: list[object] = []

    async def record(*args: object) -> None:
        reached.append(args)
        raise AssertionError("a refused operation reached the statistics service")

    monkeypatch.setattr(figures, "summarize", record)
    return reached


@pytest.mark.parametrize("attack", ATTACKS, ids=str)
async def test_each_attack_of_the_finding_is_refused_before_it_runs(
    public: httpx.AsyncClient, no_statistics_run: list[object], attack: str
) -> None:
    document, limit, most = ATTACKS[attack]
    response = await public.post("/graphql", json={"query": document()})
    unknown_field = await public.post("/graphql", json={"query": "{ nope }"})
    assert response.status_code == unknown_field.status_code == 200, response.text
    assert_refused(response.json(), "BAD_USER_INPUT", limit=limit, max=most)
    assert no_statistics_run == []


async def test_fragments_spread_past_what_python_can_follow_are_refused(production: Settings, tmp_path: Path) -> None:
    """With the token limit raised far, a chain of 600 fragments would exhaust the interpreter's recursion."""
    chain = " ".join(f"fragment F{n} on Agency {{ ...F{n + 1} }}" for n in range(600))
    document = f"{{ agencies {{ ...F0 }} }} {chain} fragment F600 on Agency {{ code }}"
    generous = make_settings(production.database_url, tmp_path, **PRODUCTION_ENV, GRAPHQL_MAX_TOKENS="100000")
    async with client_for(generous) as http:
        assert_refused(await gql(http, document), "BAD_USER_INPUT", limit="depth", max=DEFAULTS.graphql_max_depth)


async def test_a_cost_refusal_says_what_the_query_would_cost(public: httpx.AsyncClient) -> None:
    body = await gql(public, nested_agencies(2))
    assert_refused(body, "BAD_USER_INPUT", limit="cost", max=DEFAULTS.graphql_cost_anonymous)
    assert body["errors"][0]["extensions"]["cost"] > 1_000_000  # 300 agencies x 200 children x 200 children


async def test_the_budget_grows_with_the_role(public: httpx.AsyncClient, production_codec: TokenCodec) -> None:
    """Three full statistics dashboards in one request: too much for an anonymous caller, fine for staff."""
    document = "{ " + " ".join(f"a{n}: {HEAVY_STATISTICS}" for n in range(3)) + " }"
    citizen = token_for(production_codec, await make_user(Role.CITIZEN))
    officer = token_for(production_codec, await make_user(Role.OFFICER, "PC08"))
    assert_refused(await gql(public, document), "BAD_USER_INPUT", limit="cost", max=DEFAULTS.graphql_cost_anonymous)
    assert_refused(
        await gql(public, document, token=citizen), "BAD_USER_INPUT", limit="cost", max=DEFAULTS.graphql_cost_citizen
    )
    assert set(only_data(await gql(public, document, token=officer))) == {"a0", "a1", "a2"}


async def test_what_the_frontends_ask_passes(public: httpx.AsyncClient, production_codec: TokenCodec) -> None:
    citizen = await make_user(Role.CITIZEN)
    officer = await make_user(Role.OFFICER, "PC08")
    for _ in range(3):
        await make_report(citizen)
    console = only_data(await gql(public, CONSOLE_PAGE, {"first": 100}, token_for(production_codec, officer)))
    assert console["reports"]["totalCount"] == 3
    home = only_data(await gql(public, CITIZEN_HOME, {"first": 100}, token_for(production_codec, citizen)))
    assert len(home["myReports"]["edges"]) == 3
    assert len(only_data(await gql(public, REFERENCE))["wards"]) == 126
    dashboard = only_data(await gql(public, STATISTICS, {"filter": {}, "interval": "DAY"}))
    assert dashboard["statistics"]["audience"] == "PUBLIC"


def readme_examples() -> list[str]:
    return re.findall(r"```graphql\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.DOTALL)


def parses(block: str) -> bool:
    try:
        parse(block)
    except GraphQLError:
        return False
    return True


def readme_operations() -> list[tuple[str, str]]:
    """Every operation of the README's ```graphql examples, by block and name."""
    return [
        (block, f"{number}:{definition.name.value if definition.name else '-'}")
        for number, block in enumerate(readme_examples())
        if parses(block)
        for definition in parse(block).definitions
        if isinstance(definition, OperationDefinitionNode)
    ]


def test_every_readme_example_is_graphql() -> None:
    """An example that does not parse can be neither copied nor checked against the limits below."""
    assert [block for block in readme_examples() if not parses(block)] == []


@pytest.mark.parametrize(("block", "name"), readme_operations(), ids=[name for _, name in readme_operations()])
def test_every_readme_example_fits_the_smallest_budget(block: str, name: str) -> None:
    """Whatever role an example is for, it fits the anonymous budget, so it passes for every caller."""
    document = parse(block)
    shape = measure(document)
    assert shape.aliases <= DEFAULTS.graphql_max_aliases
    assert shape.depth <= DEFAULTS.graphql_max_depth
    assert shape.fields <= DEFAULTS.graphql_max_fields
    wanted = name.split(":", 1)[1]
    operation = next(
        node
        for node in document.definitions
        if isinstance(node, OperationDefinitionNode) and (node.name.value if node.name else "-") == wanted
    )
    assert estimate(schema._schema, document, operation, {}) <= DEFAULTS.graphql_cost_anonymous


async def test_limits_hold_on_the_websocket_too(app: Any, admin: Caller) -> None:
    """Over a socket, a query past the staff budget is refused as over HTTP."""
    async with (
        live_server(app) as url,
        console(url.removesuffix("/graphql").replace("ws://", "http://"), admin.token) as ws,
    ):
        message = await ws.next(await ws.subscribe(nested_agencies(2), sync=False))
    assert error_codes(message) == ["BAD_USER_INPUT"]
    errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
    assert errors[0]["extensions"]["limit"] == "cost"


async def test_introspection_is_off_in_production_and_on_elsewhere(
    public: httpx.AsyncClient, client: httpx.AsyncClient
) -> None:
    full = get_introspection_query(descriptions=True, specified_by_url=True, directive_is_repeatable=True)
    for document in (full, '{ __type(name: "Report") { fields { name } } }'):
        refused = await gql(public, document)
        assert refused["data"] is None
        assert {error["extensions"]["code"] for error in refused["errors"]} == {"BAD_USER_INPUT"}
        assert "introspection has been disabled" in refused["errors"][0]["message"]
    assert only_data(await gql(client, full))["__schema"]["queryType"] == {"name": "Query", "kind": "OBJECT"}
    assert only_data(await gql(public, "{ __typename }")) == {"__typename": "Query"}


SUGGESTED = [
    "{ agencie { code } }",
    "{ reports(frist: 1) { totalCount } }",
    "{ statistics { series(interval: DAYS) { start } } }",
    "query($f: ReportFiltr) { reports(filter: $f) { totalCount } }",
]


@pytest.mark.parametrize("document", SUGGESTED)
async def test_production_errors_suggest_no_names(
    public: httpx.AsyncClient, client: httpx.AsyncClient, document: str
) -> None:
    """Elsewhere graphql-core's hint helps; in production it would spell out the schema one guess at a time."""
    assert "Did you mean" in str((await gql(client, document))["errors"])
    refused = await gql(public, document)
    assert refused["errors"]
    assert all(error["extensions"]["code"] == "BAD_USER_INPUT" for error in refused["errors"])
    assert "Did you mean" not in str(refused["errors"])


async def test_children_are_capped(public: httpx.AsyncClient) -> None:
    """A tree of agencies is read through `parent` (every agency under one parent at once costs what it holds);
    one agency's `children` are at most 200, fewer when asked."""
    agencies = only_data(await gql(public, AGENCIES))["agencies"]
    parents = Counter(agency["parent"]["id"] for agency in agencies if agency["parent"])
    busiest, count = parents.most_common(1)[0]
    children = only_data(await gql(public, CHILDREN, {"id": busiest}))["agency"]["children"]
    codes = [child["code"] for child in children]
    assert len(codes) == count > 100  # the city police: every ward's police
    assert codes == sorted(codes)
    two = only_data(await gql(public, CHILDREN, {"id": busiest, "first": 2}))["agency"]["children"]
    assert [child["code"] for child in two] == codes[:2]
    for first in (0, 201):
        assert_refused(await gql(public, CHILDREN, {"id": busiest, "first": first}), "BAD_USER_INPUT", field="first")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"GRAPHQL_INTROSPECTION": "flase"}, "GRAPHQL_INTROSPECTION must be true or false"),
        ({"GRAPHQL_MAX_DEPTH": "0"}, "GRAPHQL_MAX_DEPTH must be positive"),
        ({"GRAPHQL_COST_ANONYMOUS": "-1"}, "GRAPHQL_COST_ANONYMOUS must be positive"),
        ({"REQUEST_TIMEOUT_SECONDS": "0"}, "REQUEST_TIMEOUT_SECONDS must be positive"),
        ({"DB_STATEMENT_TIMEOUT_MS": "-5"}, "DB_STATEMENT_TIMEOUT_MS must not be negative"),
    ],
)
def test_settings_refuse_unusable_limits(tmp_path: Path, overrides: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        make_settings("sqlite://:memory:", tmp_path, **overrides)


def test_introspection_defaults_to_off_in_production_only(tmp_path: Path) -> None:
    assert make_settings("sqlite://:memory:", tmp_path).graphql_introspection
    assert not make_settings("sqlite://:memory:", tmp_path, **PRODUCTION_ENV).graphql_introspection
    opened = make_settings("sqlite://:memory:", tmp_path, **PRODUCTION_ENV, GRAPHQL_INTROSPECTION="true")
    assert opened.graphql_introspection
