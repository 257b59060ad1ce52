"""GraphiQL without internet, in development only: its assets served by the API itself.

strawberry's GraphiQL page loads seven files from a public CDN, each pinned to a version with a `sha384` integrity.
`phananh graphiql-assets` (run by `make run`) fetches each file once from the npm registry into `var/graphiql/`,
checking the package tarball against the registry's `sha512` and the file against the page's pinned `sha384`; the
page is then served with those URLs pointing at `/graphiql/assets/...` (the browser checks the same integrity again).
Without the files (never fetched, or a check failed) the page falls back to the CDN. Production serves neither.
"""

from __future__ import annotations

import base64
import hashlib
import io
import re
import tarfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import httpx
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from strawberry.http.ides import get_graphql_ide_html

from core.settings import Settings

NPM_REGISTRY = "https://registry.npmjs.org"
CDN_ASSET = re.compile(
    r'(?:src|href)="(?P<url>https://unpkg\.com/(?P<package>@?[^@"]+)@(?P<version>[^/"]+)/(?P<path>[^"]+))"'
    r'\s+integrity="(?P<integrity>sha384-[^"]+)"'
)
ASSETS_PATH = "/graphiql/assets"
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css"}


class AssetCheckFailed(Exception):
    """A downloaded tarball or file is not what the registry or the pinned integrity says."""


@dataclass(frozen=True)
class Asset:
    url: str
    package: str
    version: str
    path: str
    integrity: str

    @property
    def name(self) -> str:
        """The local file name: package, version and path, flattened."""
        return f"{self.package}@{self.version}/{self.path}".replace("/", "_").lstrip("@")


def assets() -> list[Asset]:
    """The files the pinned strawberry page loads, with their pinned integrity."""
    return [Asset(**match.groupdict()) for match in CDN_ASSET.finditer(get_graphql_ide_html("graphiql"))]


def assets_dir(settings: Settings) -> Path:
    return settings.var_dir / "graphiql"


def sri(data: bytes, algorithm: str = "sha384") -> str:
    return f"{algorithm}-{base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


def _verified(directory: Path, asset: Asset) -> bool:
    file = directory / asset.name
    return file.is_file() and sri(file.read_bytes()) == asset.integrity


@cache
def _local_html(directory: Path) -> str | None:
    """The page with local URLs, once every file is there and matches its integrity (checked once per process)."""
    html = get_graphql_ide_html("graphiql")
    for asset in assets():
        if not _verified(directory, asset):
            return None
        html = html.replace(asset.url, f"{ASSETS_PATH}/{asset.name}")
    return html


def graphiql_html(settings: Settings) -> str:
    return _local_html(assets_dir(settings)) or get_graphql_ide_html("graphiql")


def graphiql_routes(settings: Settings) -> list[Route]:
    if settings.is_production:
        return []
    directory = assets_dir(settings)
    names = {asset.name: asset for asset in assets()}

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in names or not (directory / name).is_file():
            return JSONResponse(
                {"errors": [{"message": "No such GraphiQL asset.", "extensions": {"code": "NOT_FOUND"}}]},
                status_code=404,
            )
        return FileResponse(
            directory / name,
            media_type=MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream"),
            headers={"cache-control": "public, max-age=31536000, immutable"},
        )

    return [Route(f"{ASSETS_PATH}/{{name}}", asset, methods=["GET"])]


def fetch_assets(directory: Path, registry: str = NPM_REGISTRY, wanted: list[Asset] | None = None) -> list[str]:
    """Downloads what is missing into `directory`; returns the names written. Raises `AssetCheckFailed` on any
    mismatch (nothing unchecked is written)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    with httpx.Client(timeout=60, follow_redirects=True) as http:
        for asset in wanted if wanted is not None else assets():
            if _verified(directory, asset):
                continue
            data = _file_from_registry(http, registry, asset)
            (directory / asset.name).write_bytes(data)
            written.append(asset.name)
    _local_html.cache_clear()
    return written


def _file_from_registry(http: httpx.Client, registry: str, asset: Asset) -> bytes:
    metadata = http.get(f"{registry.rstrip('/')}/{asset.package}/{asset.version}")
    metadata.raise_for_status()
    dist = metadata.json()["dist"]
    tarball = http.get(dist["tarball"])
    tarball.raise_for_status()
    if sri(tarball.content, "sha512") != dist["integrity"]:
        raise AssetCheckFailed(f"{asset.package}@{asset.version}: the tarball does not match the registry's sha512")
    with tarfile.open(fileobj=io.BytesIO(tarball.content), mode="r:gz") as archive:
        try:
            member = archive.extractfile(f"package/{asset.path}")
        except KeyError:
            member = None
        if member is None:
            raise AssetCheckFailed(f"{asset.package}@{asset.version} has no file {asset.path}")
        data = member.read()
    if sri(data) != asset.integrity:
        raise AssetCheckFailed(f"{asset.name} does not match its pinned integrity {asset.integrity}")
    return data
