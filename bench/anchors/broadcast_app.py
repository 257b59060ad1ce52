"""The anchor of `bench.live`: a raw websocket broadcast. Every socket that connects to /ws is kept; POST /broadcast
sends the request's body, unchanged, to each of them in turn and answers 204 once the last is sent; GET /consoles
says how many it holds. No protocol, no authentication, no database, no event bus: the floor of a push to N
consoles with this stack on this machine.

    uvicorn bench.anchors.broadcast_app:app
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

consoles: set[WebSocket] = set()


async def console(websocket: WebSocket) -> None:
    await websocket.accept()
    consoles.add(websocket)
    try:
        while True:
            await websocket.receive_text()
    except WebSocketDisconnect:
        consoles.discard(websocket)


async def broadcast(request: Request) -> Response:
    message = (await request.body()).decode()
    for websocket in list(consoles):
        await websocket.send_text(message)
    return Response(status_code=204)


async def healthz(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def count(request: Request) -> JSONResponse:
    return JSONResponse(len(consoles))


app = Starlette(
    routes=[
        WebSocketRoute("/ws", console),
        Route("/broadcast", broadcast, methods=["POST"]),
        Route("/consoles", count),
        Route("/healthz", healthz),
    ]
)
