"""The two API routes the service needs, called with aiohttp (which pipecat already depends on): start a WebSocket
session on a realtime_lipsync avatar, and end it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import aiohttp
from pipecat.utils.errors import ErrorCategory, classify_http_status_code


@dataclass(frozen=True)
class LiveSession:
    """The API's 201 answer to POST /api/v1/avatars/{id}/sessions (a WHEP session: the agent speaks on `url`)."""

    session_id: str
    token: str  # the agent token: speaks on the socket; keep it with the agent
    viewer_token: str
    url: str  # ws://…/api/v1/sessions/<id>/speech, without the token
    whep_url: str
    expires_at: str


class AvatarsAPIError(Exception):
    """The API refused a call: its status, its `code` and its sentence (plus `reason` on a 503)."""

    def __init__(self, what: str, status: int, body: dict[str, Any] | None):
        self.status = status
        self.code: str = str((body or {}).get("code") or "unknown")
        self.error: str = str((body or {}).get("error") or "no error message")
        self.reason: str | None = (body or {}).get("reason")
        reason = f" ({self.reason})" if self.reason else ""
        super().__init__(f"{what}: the API answered {status} {self.code}: {self.error.rstrip('.')}{reason}")

    @property
    def category(self) -> ErrorCategory:
        # 409 is "not a realtime_lipsync avatar" (a request that will keep failing) or "too many sessions" (which
        # clears once others end); only the first is permanent.
        if self.status == 409 and "already has" in self.error:
            return ErrorCategory.RATE_LIMIT
        if self.status == 409:
            return ErrorCategory.INVALID_REQUEST
        return classify_http_status_code(self.status)


async def _json(response: aiohttp.ClientResponse) -> dict[str, Any] | None:
    try:
        body = await response.json(content_type=None)
    except (ValueError, aiohttp.ContentTypeError):
        return None
    return body if isinstance(body, dict) else None


async def start_session(
    http: aiohttp.ClientSession, base_url: str, api_key: str, avatar_id: str, *, timeout: float
) -> LiveSession:
    """POST /api/v1/avatars/{id}/sessions. An on-demand avatar is deployed by this call, which can take tens of
    seconds; `timeout` bounds it."""
    url = f"{base_url}/api/v1/avatars/{avatar_id}/sessions"
    what = f"Starting a session on avatar {avatar_id}"
    # An empty JSON body: a WHEP session, the one whose socket speaks and (with `output`) sends frames back.
    async with http.post(
        url, json={}, headers={"X-API-Key": api_key}, timeout=aiohttp.ClientTimeout(total=timeout)
    ) as response:
        body = await _json(response)
        if response.status != 201 or body is None:
            raise AvatarsAPIError(what, response.status, body)
        try:
            return LiveSession(
                session_id=str(body["sessionId"]),
                token=str(body["token"]),
                viewer_token=str(body["viewerToken"]),
                url=str(body["url"]),
                whep_url=str(body["whepUrl"]),
                expires_at=str(body["expiresAt"]),
            )
        except KeyError as missing:
            raise AvatarsAPIError(f"{what}: the 201 answer has no {missing}", response.status, body) from None


async def end_session(http: aiohttp.ClientSession, base_url: str, api_key: str, session_id: str, *, timeout: float) -> bool:
    """DELETE /api/v1/sessions/{id}: True if it ended now, False if it had already ended (404)."""
    url = f"{base_url}/api/v1/sessions/{session_id}"
    async with http.delete(
        url, headers={"X-API-Key": api_key}, timeout=aiohttp.ClientTimeout(total=timeout)
    ) as response:
        if response.status == 204:
            return True
        if response.status == 404:
            return False
        raise AvatarsAPIError(f"Ending session {session_id}", response.status, await _json(response))


# What a call may raise besides AvatarsAPIError when the API cannot be reached or does not answer in time.
UNREACHABLE = (aiohttp.ClientError, asyncio.TimeoutError, OSError)
