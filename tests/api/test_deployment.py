"""docker-compose.yml cannot be run here (no Docker engine), so what production relies on is checked piece by piece:
the api service's environment through `Settings`, the URLs phones get, the secrets, the proxy and MinIO set-up, the
image and its lock files, and the monitoring files against the metrics the API really exposes. (`make lint` checks
the compose file against the Compose Specification's schema.)"""

from __future__ import annotations

import fnmatch
import ipaddress
import json
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app, open_clients
from api.storage import open_storage
from core.settings import Settings
from tests.helpers.environment import make_settings
from tests.helpers.factories import Caller
from tests.helpers.graphql import only_data
from tests.helpers.media_calls import complete, create_upload, post_form
from tests.helpers.media_env import BUCKET
from tests.helpers.media_files import photo, sha256
from tests.helpers.servers import REPO
from tests.helpers.tcp_proxy import tcp_proxy

DEPLOY = REPO / "deploy"
SECRETS_MOUNT = "/run/secrets/"


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    return loaded


def _substitute(value: object) -> str:
    """Compose's `${VAR:?message}` gets a stand-in value, `${VAR:-default}` its default."""
    text = re.sub(r"\$\{(\w+):\?[^}]*\}", lambda m: STAND_INS[m.group(1)], str(value))
    return re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", text)


STAND_INS = {"CITY_APP_HANDOFF_URL": "https://ihanoi.example/handoff"}


def _make_secrets(directory: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(DEPLOY / "secrets.sh")],
        env={**os.environ, "SECRETS_DIR": str(directory)},
        capture_output=True,
        text=True,
        check=True,
    )


def _api_environment(tmp_path: Path) -> dict[str, str]:
    """The api service's environment as its container sees it, with the secrets `make secrets` writes."""
    secrets = tmp_path / "secrets"
    _make_secrets(secrets)
    env = {key: _substitute(value) for key, value in _compose()["services"]["api"]["environment"].items()}
    return {key: value.replace(SECRETS_MOUNT, f"{secrets}/") for key, value in env.items()}


def test_compose_runs_the_production_stack() -> None:
    services = _compose()["services"]
    assert {"proxy", "api", "migrate", "postgres", "redis", "minio", "minio-init"} <= set(services)
    api = services["api"]
    assert api["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert api["depends_on"]["minio-init"]["condition"] == "service_completed_successfully"
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"


def test_the_api_healthcheck_is_liveness_so_a_database_outage_restarts_nothing() -> None:
    check = " ".join(_compose()["services"]["api"]["healthcheck"]["test"])
    assert "/healthz" in check
    assert "/readyz" not in check


def test_the_api_is_reached_only_through_the_proxy_whose_address_it_trusts() -> None:
    compose = _compose()
    services = compose["services"]
    assert "ports" not in services["api"]
    assert {"80:80", "443:443"} <= set(services["proxy"]["ports"])
    proxy_address = ipaddress.ip_address(_substitute(services["proxy"]["networks"]["default"]["ipv4_address"]))
    subnet = ipaddress.ip_network(_substitute(compose["networks"]["default"]["ipam"]["config"][0]["subnet"]))
    assert proxy_address in subnet
    assert _substitute(services["api"]["environment"]["FORWARDED_ALLOW_IPS"]) == str(proxy_address)


def test_compose_environment_is_valid_production_settings(tmp_path: Path) -> None:
    settings = Settings.from_env(_api_environment(tmp_path))
    secrets = tmp_path / "secrets"
    password = (secrets / "postgres_password").read_text(encoding="utf-8").strip()
    assert settings.is_production
    assert settings.database_url == f"postgres://phananh:{password}@postgres:5432/phananh"
    assert settings.storage_url == "s3://phananh-media"
    assert settings.s3_endpoint_url == "http://minio:9000"
    assert settings.s3_public_endpoint_url == "https://media.localhost"
    assert settings.public_url == "https://localhost"
    assert settings.aws_secret_access_key == (secrets / "s3_api_secret_key").read_text(encoding="utf-8").strip()
    assert settings.jwt_secret == (secrets / "jwt_secret").read_text(encoding="utf-8").strip()
    assert settings.metrics_token == (secrets / "metrics_token").read_text(encoding="utf-8").strip()
    assert settings.events_url.startswith("redis://")
    assert settings.web_concurrency == 2
    assert settings.notifier == "disabled"


async def test_presigned_urls_of_the_compose_environment_use_the_public_endpoint(tmp_path: Path) -> None:
    """The bug this replaces: forms and URLs signed for http://minio:9000, which no phone can reach."""
    settings = Settings.from_env(_api_environment(tmp_path))
    async with open_storage(settings) as storage:
        form = await storage.presigned_post("uploads/a.jpg", "image/jpeg", 1000, 600)
        url = await storage.signed_url("media/a.jpg", 300, "image/jpeg")
    assert form.url.startswith("https://media.localhost/phananh-media")
    assert url.startswith("https://media.localhost/phananh-media/media/a.jpg?")
    assert "minio" not in form.url + url


async def test_phones_upload_and_read_through_the_public_endpoint(
    moto_endpoint: str, database_url: str, tmp_path: Path, citizen: Caller
) -> None:
    """The store (moto) is behind a forwarder standing for the reverse proxy: phones get its address, and the API
    keeps using the internal one, even while the public address is cut."""
    port = int(moto_endpoint.rsplit(":", 1)[1])
    async with tcp_proxy(port) as public:
        settings = _s3_settings(database_url, tmp_path, moto_endpoint, f"http://localhost:{public.port}")
        app = create_app(settings)
        api_url = "http://127.0.0.1:8000"
        async with (
            open_clients(app, settings, workers=False),
            httpx.AsyncClient(base_url=api_url, mounts={api_url: httpx.ASGITransport(app=app)}) as http,
        ):
            data = photo(size=(120, 90))
            upload = only_data(await create_upload(http, citizen.token, "image/jpeg", len(data), sha256(data)))
            form = upload["createMediaUpload"]
            assert form["url"].startswith(f"http://localhost:{public.port}/")
            posted = await post_form(http, form, data, "evidence.jpg")
            assert posted.status_code in (200, 201, 204), posted.text

            await public.cut()
            media = only_data(await complete(http, citizen.token, form["media"]["id"]))["completeMediaUpload"]
            assert media["status"] == "READY"
            assert media["url"].startswith(f"http://localhost:{public.port}/")

            await public.restore()
            served = await http.get(media["url"])
            assert (served.status_code, served.headers["content-type"]) == (200, "image/jpeg")


def _s3_settings(database_url: str, tmp_path: Path, internal: str, public: str) -> Settings:
    return make_settings(
        database_url,
        tmp_path,
        STORAGE_URL=f"s3://{BUCKET}",
        S3_ENDPOINT_URL=internal,
        S3_PUBLIC_ENDPOINT_URL=public,
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_REGION="us-east-1",
    )


def test_each_service_gets_only_the_secrets_it_needs(tmp_path: Path) -> None:
    compose = _compose()
    declared = compose["secrets"]
    made = tmp_path / "secrets"
    _make_secrets(made)
    for name, secret in declared.items():
        assert secret["file"] == f"./deploy/secrets/{name}"
        assert (made / name).is_file(), f"deploy/secrets.sh does not write {name}"
    services = compose["services"]
    for name, service in services.items():
        mounted = set(service.get("secrets", []))
        assert mounted <= set(declared), f"{name} mounts an undeclared secret"
        for used in re.findall(rf"{SECRETS_MOUNT}(\w+)", json.dumps(service)):
            assert used in mounted, f"{name} reads {used} without mounting it"
    assert not {"minio_root_password", "postgres_password"} & set(services["api"]["secrets"])
    assert services["minio"]["secrets"] == ["minio_root_password"]
    assert services["migrate"]["secrets"] == services["api"]["secrets"]
    assert not re.search(r"(PASSWORD|SECRET|TOKEN)\w*:\s*\$\{", (REPO / "docker-compose.yml").read_text())


def test_the_secrets_script_writes_each_secret_once_and_keeps_it_private(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets"
    first = _make_secrets(secrets)
    assert first.stdout.count("created") == len(_compose()["secrets"])
    values = {path.name: path.read_text(encoding="utf-8") for path in secrets.iterdir()}
    assert len(set(values.values())) == len(values)
    assert values["database_url"].strip().endswith(f":{values['postgres_password'].strip()}@postgres:5432/phananh")
    assert len(values["jwt_secret"].strip()) >= 64
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o700

    again = _make_secrets(secrets)
    assert again.stdout == ""
    assert {path.name: path.read_text(encoding="utf-8") for path in secrets.iterdir()} == values
    assert (DEPLOY / "secrets" / ".gitignore").read_text(encoding="utf-8").splitlines()[1:] == ["*", "!.gitignore"]


def test_minio_gives_the_api_its_own_least_privilege_user() -> None:
    services = _compose()["services"]
    init = services["minio-init"]
    api = services["api"]["environment"]
    bucket = api["STORAGE_URL"].removeprefix("s3://")
    assert init["environment"]["BUCKET"] == bucket
    assert init["environment"]["API_ACCESS_KEY"] == api["AWS_ACCESS_KEY_ID"]
    assert api["AWS_ACCESS_KEY_ID"] != services["minio"]["environment"]["MINIO_ROOT_USER"]

    policy = json.loads((DEPLOY / "minio" / "api-policy.json").read_text(encoding="utf-8"))
    allowed = {
        (action, resource)
        for statement in policy["Statement"]
        if statement["Effect"] == "Allow"
        for action in statement["Action"]
        for resource in statement["Resource"]
    }
    bucket_arn = f"arn:aws:s3:::{bucket}"
    assert allowed == {
        ("s3:GetBucketLocation", bucket_arn),
        ("s3:ListBucket", bucket_arn),
        ("s3:GetObject", f"{bucket_arn}/*"),
        ("s3:PutObject", f"{bucket_arn}/*"),
        ("s3:DeleteObject", f"{bucket_arn}/*"),
    }
    script = (DEPLOY / "minio" / "init.sh").read_text(encoding="utf-8")
    for step in ("mc mb --ignore-existing", "mc anonymous set none", "mc admin policy create", "mc admin user add"):
        assert step in script
    assert "mc admin policy attach store phananh-api --user" in script


def test_caddy_serves_the_api_and_the_bucket_over_tls_under_the_names_the_api_signs_for() -> None:
    services = _compose()["services"]
    proxy_env = {key: _substitute(value) for key, value in services["proxy"]["environment"].items()}
    api_env = {key: _substitute(value) for key, value in services["api"]["environment"].items()}
    assert api_env["PUBLIC_URL"] == f"https://{proxy_env['API_DOMAIN']}"
    assert api_env["S3_PUBLIC_ENDPOINT_URL"] == f"https://{proxy_env['MEDIA_DOMAIN']}"
    assert proxy_env["TLS_ISSUER"] == "internal"
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in services["proxy"]["volumes"]

    sites = _caddy_sites((DEPLOY / "Caddyfile").read_text(encoding="utf-8"))
    assert set(sites) == {"{$API_DOMAIN:localhost}", "{$MEDIA_DOMAIN:media.localhost}"}
    api, media = sites["{$API_DOMAIN:localhost}"], sites["{$MEDIA_DOMAIN:media.localhost}"]
    assert "tls {$TLS_ISSUER:internal}" in api
    assert "tls {$TLS_ISSUER:internal}" in media
    assert "dynamic a api 8000 {" in api, "every replica of the api service"
    assert "reverse_proxy minio:9000" in media


def _caddy_sites(text: str) -> dict[str, list[str]]:
    """The lines inside each top-level block of a Caddyfile, by site address."""
    sites: dict[str, list[str]] = {}
    site, depth = "", 0
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if depth == 0 and line.endswith("{"):
            site = line.removesuffix("{").strip()
            sites[site] = []
        elif depth == 1 and line == "}":
            site = ""
        else:
            sites[site].append(line)
        depth += line.endswith("{") - (line == "}")
    return sites


@pytest.mark.skipif(shutil.which("caddy") is None, reason="caddy is not installed (apt-get install caddy)")
def test_caddy_accepts_the_caddyfile(tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)}
    caddyfile = ["--config", str(DEPLOY / "Caddyfile"), "--adapter", "caddyfile"]
    valid = subprocess.run(["caddy", "validate", *caddyfile], env=env, capture_output=True, text=True, check=False)
    assert valid.returncode == 0, valid.stderr
    done = subprocess.run(["caddy", "adapt", *caddyfile], env=env, capture_output=True, text=True, check=True)
    adapted = json.loads(done.stdout)
    routes = adapted["apps"]["http"]["servers"]["srv0"]["routes"]
    assert sorted(route["match"][0]["host"][0] for route in routes) == ["localhost", "media.localhost"]
    assert adapted["apps"]["tls"]["automation"]["policies"][0]["issuers"][0]["module"] == "internal"
    assert '"dynamic_upstreams":{"name":"api","port":"8000"' in done.stdout.replace(" ", "")


def test_images_are_pinned_to_exact_versions() -> None:
    images = [service["image"] for service in _compose()["services"].values() if "image" in service]
    images += re.findall(r"^FROM (\S+)", (REPO / "Dockerfile").read_text(encoding="utf-8"), re.M)
    # major.minor.patch, or a dated release; PostgreSQL's releases have two parts (16.11).
    exact = re.compile(
        r"(postgres:\d+\.\d+|[^:]+:(v?\d+\.\d+\.\d+|RELEASE\.[\dTZ-]+))([-.][\w.-]+)?(@sha256:[0-9a-f]{64})?"
    )
    for image in images:
        assert exact.fullmatch(image), f"{image} is not pinned to an exact version"


def test_the_image_installs_the_locked_dependencies_then_the_project_without_resolving_again() -> None:
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    steps = [line for line in dockerfile.splitlines() if line.startswith(("COPY", "RUN"))]
    assert steps[:2] == ["COPY requirements.lock ./", "RUN pip install --require-hashes -r requirements.lock"]
    assert "pip install --no-deps ." in steps[-1]
    assert 'CMD ["phananh", "serve"]' in dockerfile


def test_the_image_holds_every_package_the_app_installs() -> None:
    """A package added to the project but not copied into the image starts fine here and fails in production."""
    installed = re.search(r"include = \[([^\]]*)\]", (REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert installed is not None
    packages = {name.strip().strip('"').rstrip("*") for name in installed.group(1).split(",")}
    copied = set(re.findall(r"^COPY (\w+) \./\1$", (REPO / "Dockerfile").read_text(encoding="utf-8"), re.M))
    assert packages == copied, packages ^ copied


def test_the_build_context_leaves_out_secrets_and_local_state_but_not_what_the_image_copies() -> None:
    patterns = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        return any(fnmatch.fnmatch(path, pattern) or path.startswith(f"{pattern}/") for pattern in patterns)

    for kept_out in (".git", ".venv", "var", "deploy/secrets/jwt_secret", ".env", "tests", "api/__pycache__"):
        assert ignored(kept_out), kept_out
    copied = re.findall(r"^COPY (.+) \S+$", (REPO / "Dockerfile").read_text(encoding="utf-8"), re.M)
    for sources in copied:
        for source in sources.split():
            assert not ignored(source), f"the Dockerfile copies {source}, which .dockerignore leaves out"


def _locked(requirements: str) -> dict[str, str]:
    return {
        _normalise(name): version
        for name, version in re.findall(r"^([A-Za-z0-9][\w.\-]*)==([^\s;\\]+)", requirements, re.M)
    }


def _pinned(project: str, section: str) -> dict[str, str]:
    listed = re.search(rf"^{section} = \[(.*?)^\]", project, re.M | re.S)
    assert listed is not None, section
    return {
        _normalise(name): version
        for name, version in re.findall(r'"([A-Za-z0-9][\w.\-]*)(?:\[[^\]]*\])?==([^"]+)"', listed.group(1))
    }


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_lock_files_pin_every_dependency_of_pyproject_with_hashes() -> None:
    """A dependency added to pyproject.toml but not locked would be missing from the image: run `make lock`."""
    project = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    runtime = _pinned(project, "dependencies") | _pinned(project, "tracing")
    dev = _pinned(project, "dev")
    lock = (REPO / "requirements.lock").read_text(encoding="utf-8")
    dev_lock = (REPO / "requirements-dev.lock").read_text(encoding="utf-8")
    locked, dev_locked = _locked(lock), _locked(dev_lock)
    stale = {name: version for name, version in runtime.items() if locked.get(name) != version}
    stale |= {name: version for name, version in (runtime | dev).items() if dev_locked.get(name) != version}
    assert not stale, f"pyproject.toml pins {stale}, which the lock files do not: run `make lock`"
    assert not {"pytest", "ruff", "mypy", "moto", "uv", "check-jsonschema"} & set(locked), (
        "the image's lock has dev tools"
    )
    assert {name: dev_locked.get(name) for name in locked} == locked, "the two lock files disagree: run `make lock`"
    for text in (lock, dev_lock):
        entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
        assert all("--hash=sha256:" in entry for entry in entries if "==" in entry)


def test_the_install_stamp_changes_when_the_lock_changes(tmp_path: Path) -> None:
    """`make install` reinstalls when either pyproject.toml or the lock changed, never from a stale environment."""
    for name in ("Makefile", "pyproject.toml", "requirements-dev.lock"):
        shutil.copy(REPO / name, tmp_path / name)

    def stamp() -> str:
        done = subprocess.run(["make", "-n", "install"], cwd=tmp_path, capture_output=True, text=True, check=True)
        assert "--require-hashes -r requirements-dev.lock" in done.stdout
        assert "--no-deps -e ." in done.stdout
        found = re.search(r"touch (\.venv/\.installed-\d+)", done.stdout)
        assert found is not None, done.stdout
        return found.group(1)

    before = stamp()
    with (tmp_path / "requirements-dev.lock").open("a", encoding="utf-8") as lock:
        lock.write("# changed\n")
    assert stamp() != before


def test_monitoring_is_provisioned_by_the_compose_file() -> None:
    services = _compose()["services"]
    prometheus, grafana = services["prometheus"], services["grafana"]
    assert prometheus["profiles"] == grafana["profiles"] == ["monitoring"]
    assert "./deploy/prometheus:/etc/prometheus:ro" in prometheus["volumes"]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    assert "./deploy/grafana/dashboards:/etc/grafana/dashboards:ro" in grafana["volumes"]

    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"))
    assert config["rule_files"] == ["/etc/prometheus/alerts.yml"]
    (job,) = config["scrape_configs"]
    assert job["authorization"]["credentials_file"] == f"{SECRETS_MOUNT}metrics_token"
    assert "metrics_token" in prometheus["secrets"]
    assert job["dns_sd_configs"][0]["names"] == ["api"]

    datasources = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text(encoding="utf-8")
    )
    (datasource,) = datasources["datasources"]
    assert datasource["url"] == "http://prometheus:9090"
    providers = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "dashboards" / "phananh.yml").read_text(encoding="utf-8")
    )
    assert providers["providers"][0]["options"]["path"] == "/etc/grafana/dashboards"
    for panel in _dashboard()["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == datasource["uid"], panel["title"]
            assert panel["targets"], panel["title"]


def _dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DEPLOY / "grafana" / "dashboards" / "phananh.json").read_text("utf-8"))
    return loaded


def _alert_rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text(encoding="utf-8"))["groups"]
    return [rule for group in groups for rule in group["rules"]]


def test_alert_rules_are_well_formed() -> None:
    rules = _alert_rules()
    names = [rule["alert"] for rule in rules]
    assert len(names) == len(set(names))
    for rule in rules:
        assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert rule["labels"]["severity"] in ("page", "ticket"), rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        assert re.fullmatch(r"\d+[smh]", rule.get("for", "0s")), rule["alert"]
        assert rule["expr"].count("(") == rule["expr"].count(")"), rule["alert"]


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed (apt-get install prometheus)")
def test_promtool_accepts_the_alert_rules_and_the_scrape_configuration(tmp_path: Path) -> None:
    rules = subprocess.run(
        ["promtool", "check", "rules", str(DEPLOY / "prometheus" / "alerts.yml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert rules.returncode == 0, rules.stdout + rules.stderr
    assert f"SUCCESS: {len(_alert_rules())} rules found" in rules.stdout
    token = tmp_path / "metrics_token"
    token.write_text("t" * 32, encoding="utf-8")
    config = (DEPLOY / "prometheus" / "prometheus.yml").read_text(encoding="utf-8")
    config = config.replace("/etc/prometheus/alerts.yml", str(DEPLOY / "prometheus" / "alerts.yml"))
    (tmp_path / "prometheus.yml").write_text(config.replace(f"{SECRETS_MOUNT}metrics_token", str(token)), "utf-8")
    checked = subprocess.run(
        ["promtool", "check", "config", str(tmp_path / "prometheus.yml")], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


async def test_dashboards_and_alerts_use_only_metrics_the_api_exposes(client: httpx.AsyncClient) -> None:
    """Renamed metric, empty panel: every series the monitoring files query must be one `/metrics` offers."""
    scraped = await client.get("/metrics")
    assert scraped.status_code == 200, scraped.text
    exposed = {"up"}
    for metric in text_string_to_metric_families(scraped.text):
        suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_sum", "_count"]}.get(metric.type, [""])
        exposed |= {metric.name + suffix for suffix in suffixes}
    alerted = {name for rule in _alert_rules() for name in re.findall(r"\bphananh_\w+", rule["expr"])}
    charted = {
        name
        for panel in _dashboard()["panels"]
        for target in panel.get("targets", [])
        for name in re.findall(r"\bphananh_\w+", target["expr"])
    }
    assert (alerted | charted) <= exposed, (alerted | charted) - exposed

    def family(series: str) -> str:
        return re.sub(r"_(bucket|sum|count)$", "", series)

    ours = {family(name) for name in exposed if name.startswith("phananh_") and not name.endswith("_created")}
    assert ours - {family(name) for name in charted} == set(), "metrics the dashboard does not show"
