"""Files the API produces on demand (exports, letters, evidence dossiers), fetched through short-lived signed URLs.

GraphQL only hands out the link: a mutation or field calls `DownloadSigner.issue(kind, params, user_id)` (through
`schema.base.downloads.download_link`), and the client GETs `/downloads/{token}` (`api.routes.downloads`). The route
checks the signature and the deadline, loads the user named in the ticket as they are now (a user disabled or moved
to another agency since loses what they may see), and calls the producer registered for the ticket's kind in
`api.routes.downloads.PRODUCERS`:

    async def produce(params: Mapping[str, str], principal: Principal, resources: Resources) -> Download

A producer checks what the principal may read and raises the usual domain errors (`NotFound`, `Forbidden`,
`InvalidInput`) before it returns; the bytes are then streamed from `Download.chunks`, never held whole, so a producer
must not fail half-way for a reason it could have checked first.
"""

from services.downloads.base import Download, Producer, Resources
from services.downloads.tickets import DownloadLink, DownloadSigner, DownloadTicket, InvalidTicket

__all__ = ["Download", "DownloadLink", "DownloadSigner", "DownloadTicket", "InvalidTicket", "Producer", "Resources"]
