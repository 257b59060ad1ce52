"""GraphiQL without internet, in development only: its pinned assets fetched from an npm registry with both checks
(the registry's sha512 of the tarball, the page's sha384 of the file), then served by the API itself."""

from __future__ import annotations

import io
import tarfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from api.app import create_app, open_clients
from api.routes import graphiql
from api.routes.graphiql import Asset, AssetCheckFailed, fetch_assets, sri
from tests.helpers.environment import PRODUCTION_ENV, make_settings
from tests.helpers.fake_http import JsonHandler, serving

REACT_URL = next(a.url for a in graphiql.assets() if a.package == "react")
CONTENT = b"window.React = {};"


def tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def registry() -> Iterator[tuple[str, dict[str, bytes]]]:
    """A registry on 127.0.0.1 serving one package, `react@18.2.0`; tests may swap the tarball it serves."""
    packed = {"tarball": tarball({"umd/react.production.min.js": CONTENT})}
    integrity = {"value": sri(packed["tarball"], "sha512")}

    class Registry(JsonHandler):
        def do_GET(self) -> None:
            if self.path.endswith(".tgz"):
                self.send_response(200)
                self.send_header("content-length", str(len(packed["tarball"])))
                self.end_headers()
                self.wfile.write(packed["tarball"])
                return
            base = f"http://{self.headers['host']}"
            self.reply(200, {"dist": {"tarball": f"{base}/react/-/react-18.2.0.tgz", "integrity": integrity["value"]}})

    with serving(Registry) as url:
        yield url, packed


def react(integrity: str) -> Asset:
    return Asset(REACT_URL, "react", "18.2.0", "umd/react.production.min.js", integrity)


def test_assets_are_fetched_only_when_both_checks_pass(registry: tuple[str, dict[str, bytes]], tmp_path: Path) -> None:
    url, packed = registry
    assert fetch_assets(tmp_path, url, [react(sri(CONTENT))]) == ["react@18.2.0_umd_react.production.min.js"]
    assert (tmp_path / "react@18.2.0_umd_react.production.min.js").read_bytes() == CONTENT
    assert fetch_assets(tmp_path, url, [react(sri(CONTENT))]) == []  # already there and verified
    with pytest.raises(AssetCheckFailed, match="pinned integrity"):
        fetch_assets(tmp_path / "other", url, [react(sri(b"something else"))])
    packed["tarball"] = tarball({"umd/react.production.min.js": b"tampered"})
    with pytest.raises(AssetCheckFailed, match="sha512"):
        fetch_assets(tmp_path / "third", url, [react(sri(CONTENT))])
    assert not (tmp_path / "third" / "react@18.2.0_umd_react.production.min.js").exists()


@pytest.fixture
async def dev_client(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[httpx.AsyncClient]:
    asset = react(sri(CONTENT))
    monkeypatch.setattr(graphiql, "assets", lambda: [asset])
    (tmp_path / "graphiql").mkdir()
    (tmp_path / "graphiql" / asset.name).write_bytes(CONTENT)
    graphiql._local_html.cache_clear()
    settings = make_settings(database_url, tmp_path)
    app = create_app(settings)
    async with (
        open_clients(app, settings, workers=False),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http,
    ):
        yield http
    graphiql._local_html.cache_clear()


async def test_graphiql_loads_its_assets_from_the_api(dev_client: httpx.AsyncClient) -> None:
    page = await dev_client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert REACT_URL not in page.text
    local = "/graphiql/assets/react@18.2.0_umd_react.production.min.js"
    assert f'src="{local}"' in page.text
    asset = await dev_client.get(local)
    assert asset.content == CONTENT
    assert asset.headers["content-type"].startswith("text/javascript")
    assert (await dev_client.get("/graphiql/assets/..%2F..%2Fdb.sqlite3")).status_code == 404
    assert (await dev_client.get("/graphiql/assets/unknown.js")).json()["errors"][0]["extensions"][
        "code"
    ] == "NOT_FOUND"


async def test_production_serves_neither_page_nor_assets(database_url: str, tmp_path: Path) -> None:
    settings = make_settings(database_url, tmp_path, **PRODUCTION_ENV)
    app = create_app(settings)
    async with (
        open_clients(app, settings, workers=False),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as http,
    ):
        assert (await http.get("/graphql", headers={"accept": "text/html"})).status_code == 404
        name = graphiql.assets()[0].name
        assert (await http.get(f"/graphiql/assets/{name}")).status_code == 404


def test_the_pinned_page_lists_seven_assets() -> None:
    pinned = graphiql.assets()
    assert len(pinned) == 7
    assert all(a.integrity.startswith("sha384-") for a in pinned)
    assert all("/" not in a.name for a in pinned)
