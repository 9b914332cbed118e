"""The few calls of the Avatars REST API that a LiveKit agent needs, made with the API's Python client (``avatars``)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from avatars import AsyncAvatarsClient, AvatarsError as ClientError
from livekit.agents import DEFAULT_API_CONNECT_OPTIONS, APIConnectOptions

from .errors import AvatarsError
from .log import logger

# Starting a session waits until the avatar's rendering container has joined the room, and an on-demand avatar is
# deployed first: tens of seconds are normal.
DEFAULT_START_TIMEOUT = 120.0
# Reading or ending a session is quick.
DEFAULT_REQUEST_TIMEOUT = 30.0


@dataclass(frozen=True)
class LiveKitSession:
    """The API's answer to starting a LiveKit session."""

    session_id: str
    participant_identity: str
    expires_at: str | None
    raw: dict[str, Any]


class AvatarsAPI:
    """A small client of the Avatars API (``X-API-Key`` authentication).

    Retries only what may succeed on a second try: a connection that failed and 5xx answers. A 4xx is raised at once,
    and so is a timeout (the server may still be starting the session; a second POST would start a second one).
    ``http_session`` is an ``httpx.AsyncClient`` for the calls, left open (one is made per call otherwise).
    """

    def __init__(
        self,
        *,
        api_url: str,
        api_key: str,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        http_session: httpx.AsyncClient | None = None,
    ) -> None:
        if http_session is not None and not isinstance(http_session, httpx.AsyncClient):
            raise TypeError("http_session must be an httpx.AsyncClient: the plugin calls the API with the avatars client")
        self._api_url = api_url.rstrip("/")
        self._api_key = api_key
        self._conn_options = conn_options
        self._http_session = http_session

    @property
    def api_url(self) -> str:
        return self._api_url

    async def create_livekit_session(
        self, avatar_id: str, *, livekit_url: str, livekit_token: str, timeout: float = DEFAULT_START_TIMEOUT
    ) -> LiveKitSession:
        body = await self._request(
            "POST",
            f"/api/v1/avatars/{quote(avatar_id, safe='')}/sessions",
            json_body={"transport": "livekit", "livekit": {"url": livekit_url, "token": livekit_token}},
            timeout=timeout,
        )
        session_id = body.get("sessionId") if isinstance(body, dict) else None
        identity = body.get("participantIdentity") if isinstance(body, dict) else None
        if not isinstance(session_id, str) or not session_id or not isinstance(identity, str):
            raise AvatarsError(
                "The Avatars API answered without a sessionId and participantIdentity",
                status=201,
                code="invalid-response",
                body=body,
            )
        expires_at = body.get("expiresAt")
        return LiveKitSession(
            session_id=session_id,
            participant_identity=identity,
            expires_at=expires_at if isinstance(expires_at, str) else None,
            raw=body,
        )

    async def get_session(self, session_id: str, *, timeout: float = DEFAULT_REQUEST_TIMEOUT) -> dict[str, Any]:
        body = await self._request("GET", f"/api/v1/sessions/{quote(session_id, safe='')}", timeout=timeout)
        if not isinstance(body, dict):
            raise AvatarsError("The Avatars API answered without a session", status=200, code="invalid-response")
        return body

    async def end_session(self, session_id: str, *, timeout: float = DEFAULT_REQUEST_TIMEOUT) -> None:
        await self._request("DELETE", f"/api/v1/sessions/{quote(session_id, safe='')}", timeout=timeout)

    async def _request(self, method: str, path: str, *, json_body: dict[str, Any] | None = None, timeout: float) -> Any:
        """The JSON body (None when empty) of a 2xx answer; an AvatarsError otherwise."""
        attempts = self._conn_options.max_retry + 1
        # The answer may take `timeout` to come; connecting, conn_options.timeout.
        limits = httpx.Timeout(timeout, connect=self._conn_options.timeout)
        async with AsyncAvatarsClient(self._api_key, self._api_url, http_client=self._http_session) as client:
            for attempt in range(attempts):
                try:
                    return await client.request(method, path, json=json_body, timeout=limits)
                except ClientError as e:
                    # Connecting took longer than conn_options.timeout: nothing reached the server, so a retry is
                    # safe. (A timeout once connected is not retried: the server may still be starting the session.)
                    connect_timeout = isinstance(e.__cause__, httpx.ConnectTimeout)
                    error = AvatarsError.of(e, code="connection-failed" if connect_timeout else None)
                    if not error.retryable or attempt == attempts - 1:
                        raise error from e
                    logger.warning(
                        "Avatars API call failed, retrying",
                        extra={"method": method, "path": path, "status": error.status, "error": error.message},
                    )
                await asyncio.sleep(self._conn_options.retry_interval if attempt > 0 else 0.1)
        raise AssertionError("unreachable")  # the last attempt raises or returns
