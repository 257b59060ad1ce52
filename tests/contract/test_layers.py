"""The house rules of imports, read from the code with `ast`: layers only point down, and domains use one another
only where the README's architecture section says they may.

    core <- models <- auth <- services <- schema <- api

Inside `services/`, `common` (role policies, pagination, SQL) is shared ground; any other import across domains
must be in `SERVICE_DOMAINS`. Inside `schema/`, `base` is a leaf, `context` gathers the domains' loaders, and a
domain reaches another domain's types and inputs only, and the services its namesake may use.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers.servers import REPO

LAYERS = ("core", "models", "auth", "services", "schema", "api")
# Which other service domains each domain may import. Keep in step with the README's architecture section.
SERVICE_DOMAINS: dict[str, frozenset[str]] = {
    "accounts": frozenset({"audit", "events"}),
    "agencies": frozenset({"audit", "reference", "reports"}),
    "audit": frozenset(),
    "common": frozenset(),
    "custody": frozenset(),  # below reports and media, which record into it; handed the store, never imports it
    "demo": frozenset({"custody", "reference", "reports", "routing", "statistics"}),
    "dossiers": frozenset({"custody", "downloads", "media", "reports"}),  # the evidence dossier: a producer
    "downloads": frozenset({"custody", "media"}),  # a producer is handed the store and the evidence key
    "events": frozenset(),
    "exports": frozenset({"downloads", "reports", "statistics"}),
    "handoff": frozenset({"accounts", "reference", "reports"}),
    "intake": frozenset({"notifications", "reports"}),
    "letters": frozenset({"downloads", "events", "reports"}),
    "hotspots": frozenset({"statistics"}),  # the role rules of `statistics` (resolve_scope)
    "media": frozenset({"custody", "reports"}),
    "monitoring": frozenset(),
    "nodes": frozenset({"media", "reports"}),
    "notifications": frozenset(),
    "open311": frozenset({"media", "reports"}),
    "reference": frozenset({"audit", "events"}),  # the reference cache follows changes on the bus
    "reports": frozenset({"custody", "events", "notifications", "reference", "routing", "statistics"}),
    "routing": frozenset({"audit", "reference"}),
    "statistics": frozenset(),
}
SHARED_SERVICES = ("services.common",)
# What a schema domain may take from another schema domain: its types and inputs, never its resolvers or loaders.
SCHEMA_SHARED_FILES = frozenset({"types", "inputs"})
WEB_FRAMEWORKS = ("strawberry", "starlette")
# api.multiprocess hands prometheus-client's metrics directory to `phananh serve`'s workers (not a setting).
ENVIRONMENT_READERS = {"core.settings", "api.multiprocess"}


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int = 0


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(dotted: str) -> bool:
    path = REPO.joinpath(*dotted.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node but those under `if TYPE_CHECKING:`: what is imported for the type checker only is no dependency."""
    pending = [tree]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            pending.extend(node.orelse)
            continue
        pending.extend(ast.iter_child_nodes(node))


def imports_in(path: Path) -> Iterator[Import]:
    """Every import the file runs, at module level or not: `from package import module` names the module."""
    source = module_name(path)
    for node in runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(source, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                yield Import(source, submodule if is_module(submodule) else node.module, node.lineno)


def reads_environment(path: Path) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "os"
        and node.attr in ("environ", "getenv")
    ]


def layer(module: str) -> int | None:
    top = module.split(".")[0]
    return LAYERS.index(top) if top in LAYERS else None


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(f"{package}.")


def service_domain(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "services" and len(parts) > 2 else None


def schema_domain(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "schema" or len(parts) < 3 or parts[1] == "base":
        return None
    return parts[1]


def violations(imported: Import) -> list[str]:
    """Why this import breaks a house rule; empty when it keeps them all."""
    source, target = imported.source, imported.target
    found: list[str] = []
    source_layer, target_layer = layer(source), layer(target)
    if source_layer is not None and target_layer is not None and target_layer > source_layer:
        found.append(f"points up: {LAYERS[source_layer]} must not import {LAYERS[target_layer]}")
    if source_layer is not None and source_layer < LAYERS.index("schema") and target.split(".")[0] in WEB_FRAMEWORKS:
        found.append("only schema/ and api/ know GraphQL and HTTP")
    if within(target, "core.settings") and not within(source, "api") and not within(source, "core"):
        found.append("settings are read in api/ only; below it, pass narrow values or built objects")
    found += _service_rules(source, target) + _schema_rules(source, target)
    return found


def _service_rules(source: str, target: str) -> list[str]:
    mine, theirs = service_domain(source), service_domain(target)
    if mine is None or theirs is None or mine == theirs or any(within(target, s) for s in SHARED_SERVICES):
        return []
    if theirs not in SERVICE_DOMAINS[mine]:
        return [f"services/{mine} may not use services/{theirs}"]
    return []


def _schema_rules(source: str, target: str) -> list[str]:
    if within(source, "schema.base") and within(target, "schema") and not within(target, "schema.base"):
        return ["schema/base is under the domains: it imports none of them"]
    if source == "schema.context" and schema_domain(target) and not target.endswith(".loaders"):
        return ["the context gathers the domains' loaders only"]
    mine = schema_domain(source)
    if mine is None:
        return []
    theirs = schema_domain(target)
    if theirs is not None and theirs != mine and target.split(".")[-1] not in SCHEMA_SHARED_FILES:
        return [f"schema/{mine} may take only types and inputs from schema/{theirs}"]
    service = service_domain(target)
    allowed = SERVICE_DOMAINS.get(mine, frozenset()) | {mine}
    if service is not None and service not in allowed and not any(within(target, s) for s in SHARED_SERVICES):
        return [f"schema/{mine} calls its own services (and what they may use), not services/{service}"]
    return []


def our_files() -> list[Path]:
    return sorted(path for top in LAYERS for path in (REPO / top).rglob("*.py") if "migrations" not in path.parts)


def test_every_import_keeps_the_house_rules() -> None:
    broken = [
        f"{imported.source}:{imported.line} imports {imported.target}: {reason}"
        for path in our_files()
        for imported in imports_in(path)
        for reason in violations(imported)
    ]
    assert not broken, "\n".join(broken)


def model_queries_in(path: Path) -> list[str]:
    """Calls on a model class imported from `models` (`Report.filter(...)`, `User.get(...)`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    models = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("models.")
        for alias in node.names
    }
    return [
        f"{node.lineno}: {node.func.value.id}.{node.func.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in models
    ]


def test_the_schema_reads_models_only_through_services() -> None:
    queries = {
        module_name(path): found for path in (REPO / "schema").rglob("*.py") if (found := model_queries_in(path))
    }
    assert not queries, queries


def test_only_the_settings_read_the_environment() -> None:
    readers = {module_name(path): lines for path in our_files() if (lines := reads_environment(path))}
    assert set(readers) <= ENVIRONMENT_READERS, readers


# The upward imports the restructure of issue 13 removed, as they were: each must still be caught.
HISTORICAL = [
    Import("auth.tokens", "api.settings"),
    Import("auth.providers", "api.settings"),
    Import("schema.base.context", "api.settings"),
    Import("services.handoff", "api.settings"),
    Import("services.otp", "api.settings"),
    Import("services.sessions", "api.settings"),
    Import("services.signin", "api.settings"),
    Import("services.notifications", "api.settings"),
    Import("schema.base.errors", "api.request_id"),
    Import("auth.phones", "services.errors"),
]


@pytest.mark.parametrize("imported", HISTORICAL, ids=lambda i: f"{i.source}->{i.target}")
def test_the_old_upward_imports_would_fail(imported: Import) -> None:
    assert violations(imported)


@pytest.mark.parametrize(
    ("imported", "expected"),
    [
        (Import("services.reports.workflow", "services.agencies.views"), "services/reports may not use"),
        (Import("services.handoff.drafts", "services.reports.drafts"), None),
        (Import("services.statistics.figures", "services.common.policies"), None),
        (Import("services.accounts.signin", "core.settings"), "settings are read in api/ only"),
        (Import("services.media.upload", "strawberry"), "only schema/ and api/"),
        (Import("schema.reports.types", "schema.agencies.types"), None),
        (Import("schema.reports.mutations", "schema.agencies.queries"), "only types and inputs"),
        (Import("schema.base.scalars", "schema.context"), "schema/base is under the domains"),
        (Import("schema.media.mutations", "services.statistics.figures"), "calls its own services"),
        (Import("schema.handoff.inputs", "services.reports.drafts"), None),
    ],
)
def test_the_domain_rules(imported: Import, expected: str | None) -> None:
    found = violations(imported)
    assert (not found) if expected is None else any(expected in reason for reason in found), found


def test_services_are_domain_packages_and_every_schema_domain_has_one() -> None:
    loose = sorted(path.name for path in (REPO / "services").glob("*.py") if path.name != "__init__.py")
    assert not loose, f"modules at the top of services/: {loose}"
    domains = {path.name for path in (REPO / "services").iterdir() if (path / "__init__.py").is_file()}
    assert domains == set(SERVICE_DOMAINS), domains ^ set(SERVICE_DOMAINS)
    schema_domains = {
        path.name for path in (REPO / "schema").iterdir() if (path / "__init__.py").is_file() and path.name != "base"
    }
    assert schema_domains <= domains, schema_domains - domains
