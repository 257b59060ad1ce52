"""`GET /downloads/{token}`: the files GraphQL hands out links to (`services.downloads`), streamed.

The ticket in the path is the whole authorisation (a link works in a browser tab or `<a download>`, where no bearer
header is sent): it names the user, whose current role and agency the producer checks. Refusals are JSON in GraphQL's
error shape like every other answer of this API; the file itself is never cached by anyone on the way.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from api.errors import error_response
from api.routes.evidence_key import PATH as EVIDENCE_KEY_PATH
from auth.authentication import current_principal
from core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound, Unauthenticated
from core.settings import Settings
from services.dossiers import export as dossiers
from services.downloads import DownloadSigner, InvalidTicket, Producer, Resources
from services.exports import reports as report_exports
from services.exports import statistics as statistics_exports
from services.letters import answers as letters

# Which producer makes each kind of file; a kind not listed here cannot be downloaded, whatever a ticket says.
PRODUCERS: dict[str, Producer] = {
    dossiers.KIND: dossiers.produce,
    letters.KIND: letters.produce_letter,
    report_exports.KIND: report_exports.produce,
    statistics_exports.KIND: statistics_exports.produce,
}

STATUS_OF: tuple[tuple[type[DomainError], int], ...] = (
    (Unauthenticated, 403),
    (Forbidden, 403),
    (NotFound, 404),
    (InvalidInput, 400),
    (Conflict, 409),
)


def download_signer(settings: Settings) -> DownloadSigner:
    return DownloadSigner(settings.download_secret, settings.download_url_ttl_seconds, settings.public_url)


def resources(request: Request) -> Resources:
    """The store and the evidence key this app built; the key's public half is published beside the API."""
    state = request.app.state
    return Resources(state.storage, state.evidence_signer, f"{state.settings.public_url}{EVIDENCE_KEY_PATH}")


def _attachment(filename: str) -> str:
    """RFC 6266 with RFC 8187: an ASCII fallback and the exact (Vietnamese) name for browsers that read it."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


async def download(request: Request) -> Response:
    signer: DownloadSigner = request.app.state.downloads
    try:
        ticket = signer.read(request.path_params["token"])
    except InvalidTicket as exc:
        return error_response(403, Forbidden.code, str(exc))
    producer = PRODUCERS.get(ticket.kind)
    if producer is None:
        return error_response(404, NotFound.code, "Nothing of this kind can be downloaded.")
    try:
        principal = await current_principal(ticket.user_id)
        produced = await producer(ticket.params, principal, resources(request))
    except (Unauthenticated, Forbidden, NotFound, InvalidInput, Conflict) as refusal:
        status = next(status for kind, status in STATUS_OF if isinstance(refusal, kind))
        return error_response(status, refusal.code, str(refusal))
    headers = {
        "Content-Disposition": _attachment(produced.filename),
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
    }
    return StreamingResponse(produced.chunks, media_type=produced.content_type, headers=headers)
