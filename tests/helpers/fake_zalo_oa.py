"""A stand-in for Zalo's OA APIs on 127.0.0.1: the OAuth refresh (`POST /v4/oa/access_token`) and the consultation
message (`POST /v3.0/oa/message/cs`). Like Zalo, a refresh token works once and a refresh needs the app's secret key;
it records every call, so tests can tell which OA's credentials and tokens were used."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qs

from tests.helpers.fake_http import JsonHandler, serving

# app id -> (secret key, the first refresh token the operator got), as in the settings of `oa_env`.
APPS = {"police-app": ("police-secret", "police-r0"), "mt-app": ("mt-secret", "mt-r0")}


@dataclass
class OaState:
    refresh_calls: list[dict[str, str]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    # refresh token -> app id, while unused; access token -> app id
    live_refresh: dict[str, str] = field(default_factory=lambda: {seed: app for app, (_, seed) in APPS.items()})
    live_access: dict[str, str] = field(default_factory=dict)
    refresh_delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


class FakeZaloOa(JsonHandler):
    state: ClassVar[OaState] = OaState()

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        raw = self.rfile.read(length)
        if self.path == "/v4/oa/access_token":
            self.reply(200, self._refresh({k: v[0] for k, v in parse_qs(raw.decode()).items()}))
        elif self.path == "/v3.0/oa/message/cs":
            self.reply(200, self._message(json.loads(raw)))
        else:
            self.reply(404, {"error": 404})

    def _refresh(self, form: dict[str, str]) -> dict[str, Any]:
        state = FakeZaloOa.state
        time.sleep(state.refresh_delay)
        with state.lock:
            app, token = form.get("app_id", ""), form.get("refresh_token", "")
            secret_key = self.headers.get("secret_key", "")
            state.refresh_calls.append({"app_id": app, "secret_key": secret_key, "token": token})
            secret = APPS.get(app, ("", ""))[0]
            if self.headers.get("secret_key") != secret or state.live_refresh.pop(token, None) != app:
                return {"error": -14014, "error_name": "Invalid refresh token", "error_description": "invalid"}
            n = len(state.refresh_calls)
            access, refresh = f"{app}-access-{n}", f"{app}-refresh-{n}"
            state.live_access[access] = app
            state.live_refresh[refresh] = app
            return {"access_token": access, "refresh_token": refresh, "expires_in": "90000"}

    def _message(self, body: dict[str, Any]) -> dict[str, Any]:
        state = FakeZaloOa.state
        token = self.headers.get("access_token", "")
        with state.lock:
            app = state.live_access.get(token)
            state.messages.append({"app": app, "token": token, **body})
        if app is None:
            return {"error": -216, "message": "Access token is invalid"}
        return {"error": 0, "message": "Success"}


@contextmanager
def fake_zalo_oa() -> Iterator[str]:
    """The fake's base URL, with a fresh state."""
    FakeZaloOa.state = OaState()
    with serving(FakeZaloOa) as url:
        yield url


def oa_env(url: str) -> dict[str, str]:
    """Settings of two OAs through the fake: the traffic police's (the default) and the maintenance board's."""
    return {
        "NOTIFIER": "zalo-oa",
        "ZALO_OA_API_URL": f"{url}/v3.0/oa",
        "ZALO_OAUTH_URL": f"{url}/v4",
        "ZALO_APP_ID": "police-app",
        "ZALO_APP_SECRET": APPS["police-app"][0],
        "ZALO_OA_REFRESH_TOKEN": APPS["police-app"][1],
        "ZALO_OAS": "maintenance",
        "ZALO_OA_MAINTENANCE_APP_ID": "mt-app",
        "ZALO_OA_MAINTENANCE_SECRET_KEY": APPS["mt-app"][0],
        "ZALO_OA_MAINTENANCE_REFRESH_TOKEN": APPS["mt-app"][1],
    }
