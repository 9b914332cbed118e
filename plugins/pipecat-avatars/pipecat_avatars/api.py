"""The two API routes the service needs, called with the API's Python client (avatars): start a WebSocket session on
a realtime_lipsync avatar, and end it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
from pipecat.utils.errors import ErrorCategory, classify_http_status_code

from avatars import AsyncAvatarsClient, AvatarsConnectionError, AvatarsError, AvatarsTimeoutError, NotFoundError


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


@asynccontextmanager
async def _client(base_url: str, api_key: str, what: str, timeout: float) -> AsyncIterator[AsyncAvatarsClient]:
    """The API's Python client, whose error answers come out as AvatarsAPIError (`what` failed). No answer at all stays
    the client's error, one of UNREACHABLE."""
    async with AsyncAvatarsClient(api_key, base_url, timeout=timeout) as client:
        try:
            yield client
        except AvatarsError as e:
            if e.status is None:
                raise
            raise AvatarsAPIError(what, e.status, e.body if isinstance(e.body, dict) else None) from e


async def start_session(base_url: str, api_key: str, avatar_id: str, *, timeout: float) -> LiveSession:
    """POST /api/v1/avatars/{id}/sessions. An on-demand avatar is deployed by this call, which can take tens of
    seconds; `timeout` bounds it."""
    what = f"Starting a session on avatar {avatar_id}"
    async with _client(base_url, api_key, what, timeout) as client:
        # No transport: a WHEP session, the one whose socket speaks and (with `output`) sends frames back.
        body: Any = await client.sessions.start(avatar_id)
    if not isinstance(body, dict):
        raise AvatarsAPIError(what, 201, None)  # an answer that is not the session ("no error message")
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
        raise AvatarsAPIError(f"{what}: the 201 answer has no {missing}", 201, body) from None


async def end_session(base_url: str, api_key: str, session_id: str, *, timeout: float) -> bool:
    """DELETE /api/v1/sessions/{id}: True if it ended now, False if it had already ended (404)."""
    async with _client(base_url, api_key, f"Ending session {session_id}", timeout) as client:
        try:
            await client.sessions.end(session_id)
        except NotFoundError:
            return False
    return True


# What a call (or the session's socket) may raise besides AvatarsAPIError when the API cannot be reached or does not
# answer in time.
UNREACHABLE = (aiohttp.ClientError, asyncio.TimeoutError, OSError, AvatarsConnectionError, AvatarsTimeoutError)
