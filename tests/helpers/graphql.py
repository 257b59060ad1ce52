"""Helpers for talking to the endpoint the way a frontend does."""

from __future__ import annotations

from typing import Any

import httpx


async def gql(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    """POST one operation; return the whole response body (data and errors) after checking it is GraphQL."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.headers["content-type"].startswith("application/json"), response.text
    body: dict[str, Any] = response.json()
    return body


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def only_data(body: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in body, body["errors"]
    data: dict[str, Any] = body["data"]
    return data


def assert_refused(body: dict[str, Any], *codes: str, **extensions: object) -> None:
    """The operation was refused with exactly these `extensions.code`s, in order, and none of what was refused came
    back as data. Keyword arguments are further extensions the first error must carry (`field`, `reason`...)."""
    assert error_codes(body) == list(codes), body
    data = body.get("data")
    for error in body["errors"]:
        path = error.get("path") or []
        if len(path) == 1:
            assert data is None or data.get(path[0]) is None, body
        elif not path:
            assert data is None, body
    for name, value in extensions.items():
        assert body["errors"][0]["extensions"].get(name) == value, body
