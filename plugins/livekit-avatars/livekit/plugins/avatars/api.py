"""The few calls of the Avatars REST API that a LiveKit agent needs."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

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
    """

    def __init__(
        self,
        *,
        api_url: str,
        api_key: str,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        http_session: aiohttp.ClientSession | None = None,
    ) -> None:
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
        status, body = await self._request(
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
                status=status,
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
        status, body = await self._request("GET", f"/api/v1/sessions/{quote(session_id, safe='')}", timeout=timeout)
        if not isinstance(body, dict):
            raise AvatarsError("The Avatars API answered without a session", status=status, code="invalid-response")
        return body

    async def end_session(self, session_id: str, *, timeout: float = DEFAULT_REQUEST_TIMEOUT) -> None:
        await self._request("DELETE", f"/api/v1/sessions/{quote(session_id, safe='')}", timeout=timeout)

    async def _request(
        self, method: str, path: str, *, json_body: dict[str, Any] | None = None, timeout: float
    ) -> tuple[int, Any]:
        """The status and the JSON body (None when empty) of a 2xx answer; an AvatarsError otherwise."""
        url = self._api_url + path
        headers = {"X-API-Key": self._api_key, "Accept": "application/json"}
        attempts = self._conn_options.max_retry + 1
        session = self._http_session or aiohttp.ClientSession()
        try:
            for attempt in range(attempts):
                try:
                    return await self._once(session, method, url, headers, json_body, timeout)
                except AvatarsError as e:
                    if not e.retryable or attempt == attempts - 1:
                        raise
                    logger.warning(
                        "Avatars API call failed, retrying",
                        extra={"method": method, "path": path, "status": e.status, "error": e.message},
                    )
                await asyncio.sleep(self._conn_options.retry_interval if attempt > 0 else 0.1)
            raise AssertionError("unreachable")  # the last attempt raises or returns
        finally:
            if self._http_session is None:
                await session.close()

    async def _once(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        headers: dict[str, str],
        json_body: dict[str, Any] | None,
        timeout: float,
    ) -> tuple[int, Any]:
        try:
            async with session.request(
                method,
                url,
                headers=headers,
                json=json_body,
                timeout=aiohttp.ClientTimeout(total=timeout, sock_connect=self._conn_options.timeout),
            ) as response:
                text = await response.text()
                if response.status >= 400:
                    raise _error_from_answer(response.status, response.reason, text)
                if not text:
                    return response.status, None
                try:
                    return response.status, json.loads(text)
                except ValueError:
                    raise AvatarsError(
                        f"The Avatars API answered {response.status} with a body that is not JSON",
                        status=response.status,
                        code="invalid-response",
                        body=text,
                    ) from None
        except aiohttp.ConnectionTimeoutError as e:
            # Connecting took longer than conn_options.timeout: nothing reached the server, so a retry is safe.
            raise AvatarsError(
                f"Could not connect to the Avatars API at {url} within {self._conn_options.timeout:g} s",
                status=None,
                code="connection-failed",
            ) from e
        except asyncio.TimeoutError:
            # A timeout is not retried: the request may have reached the server, which may still be starting it.
            raise AvatarsError(
                f"The Avatars API did not answer {method} {url} within {timeout:g} s",
                status=None,
                code="timeout",
            ) from None
        except aiohttp.ClientError as e:
            raise AvatarsError(
                f"Could not reach the Avatars API at {url}: {e}", status=None, code="connection-failed"
            ) from e


def _error_from_answer(status: int, http_reason: str | None, text: str) -> AvatarsError:
    """The API's JSON error (``{error, code, details?, reason?}``), or what can be said of a body that is not one."""
    try:
        body: Any = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        code = body.get("code")
        reason = body.get("reason")
        details = body.get("details")
        return AvatarsError(
            body["error"],
            status=status,
            code=code if isinstance(code, str) else f"http-{status}",
            reason=reason if isinstance(reason, str) else None,
            details=details if isinstance(details, list) else None,
            body=body,
        )
    # Not the API's error shape: a proxy in front of it, or something else listening on that address.
    snippet = text.strip()[:200]
    message = f"The Avatars API answered {status} {http_reason or ''}".rstrip()
    if snippet:
        message += f": {snippet}"
    return AvatarsError(message, status=status, code=f"http-{status}", body=text or None)
