"""The local store's two endpoints, standing in for S3: form uploads under a signed policy, and signed GETs.

They exist only when `STORAGE_URL` is `file://`; with S3 the clients talk to the bucket and these answer 404.
Like S3, an upload is accepted on the policy alone; the API checks the bytes when the client completes the upload.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from services.media.storage.local import CHUNK_BYTES, LocalStorage, ObjectTooLarge
from services.media.storage.signing import InvalidSignature, decode_policy, verify_url

SERVED_HEADERS = {
    "Cache-Control": "private, max-age=60",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Content-Disposition": "inline",
}


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def _local_storage(request: Request) -> LocalStorage | None:
    storage = getattr(request.app.state, "storage", None)
    return storage if isinstance(storage, LocalStorage) else None


async def upload(request: Request) -> Response:
    """Accept one file under a policy from createMediaUpload; answers 204 like S3's default."""
    storage = _local_storage(request)
    if storage is None:
        return _error(404, "NotFound", "Uploads go to the object store.")
    async with request.form(max_files=1, max_fields=10) as form:
        file = form.get("file")
        policy_field, signature = form.get("policy"), form.get("signature")
        if not isinstance(file, UploadFile) or not isinstance(policy_field, str) or not isinstance(signature, str):
            return _error(400, "InvalidArgument", "Send the form fields from createMediaUpload, then `file`.")
        try:
            policy = decode_policy(storage.secret, policy_field, signature)
        except InvalidSignature as exc:
            return _error(403, "AccessDenied", str(exc))
        if form.get("key") != policy.key or form.get("Content-Type") != policy.content_type:
            return _error(403, "AccessDenied", "key and Content-Type must be sent exactly as given.")

        async def chunks() -> AsyncIterator[bytes]:
            while chunk := await file.read(CHUNK_BYTES):
                yield chunk

        try:
            size = await storage.accept_upload(policy.key, chunks(), policy.max_bytes)
        except ObjectTooLarge:
            return _error(413, "EntityTooLarge", f"The file may be at most {policy.max_bytes} bytes.")
    if size == 0:
        await storage.delete([policy.key])
        return _error(400, "EntityTooSmall", "The file is empty.")
    return Response(status_code=204)


async def download(request: Request) -> Response:
    """Serve one object to the holder of a URL signed by `LocalStorage.signed_url`, until it expires."""
    storage = _local_storage(request)
    if storage is None:
        return _error(404, "NotFound", "Media is served by the object store.")
    key = request.path_params["key"]
    content_type = request.query_params.get("type", "")
    expires = request.query_params.get("expires", "")
    try:
        if not expires.isdigit():
            raise InvalidSignature("missing expiry")
        verify_url(storage.secret, key, content_type, int(expires), request.query_params.get("signature", ""))
        path = storage.path_of(key)
    except InvalidSignature as exc:
        return _error(403, "AccessDenied", str(exc))
    except FileNotFoundError:
        return _error(404, "NotFound", "No such object.")
    if not path.is_file():
        return _error(404, "NotFound", "No such object.")
    return FileResponse(path, media_type=content_type, headers=SERVED_HEADERS)
