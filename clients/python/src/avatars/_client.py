from __future__ import annotations

import os
from types import TracebackType
from typing import Any, Self

import httpx

from ._resources import AvatarsResource, KeysResource, SessionsResource
from ._version import __version__
from ._videos import VideosResource
from ._webhooks import WebhooksResource
from .errors import AvatarsConnectionError, AvatarsError, AvatarsTimeoutError, error_from_response

DEFAULT_BASE_URL = "http://localhost:3000"
# Starting a session may deploy an on-demand avatar first (SESSION_START_TIMEOUT_MS, 60 s by default) and a Tier 2/3
# preview renders a clip (PREVIEW_TIMEOUT_MS, 30 s): the read timeout sits above both, so the server answers first.
DEFAULT_TIMEOUT = httpx.Timeout(120.0, connect=10.0)

_API_PREFIX = "/api/v1"


class AsyncAvatarsClient:
    """The Avatars API, async (httpx).

    ``api_key`` falls back to ``AVATARS_API_KEY``, ``base_url`` to ``AVATARS_API_URL`` and then
    ``http://localhost:3000`` (the server's root; a trailing ``/api/v1`` is accepted too).

    Use it as ``async with AsyncAvatarsClient() as client:``, or call :meth:`aclose` when done. An ``http_client`` you
    pass stays yours: it is not closed, and its own timeout applies.
    """

    def __init__(
        self,
        api_key: str | None = None,
        base_url: str | None = None,
        *,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        key = api_key if api_key is not None else os.environ.get("AVATARS_API_KEY")
        if not key:
            raise ValueError(
                "No API key: pass api_key=... or set AVATARS_API_KEY (make one with `avatars keys create`)."
            )
        url = (base_url if base_url is not None else os.environ.get("AVATARS_API_URL")) or DEFAULT_BASE_URL
        url = url.rstrip("/")
        url = url.removesuffix(_API_PREFIX)
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http:// or https:// URL; got {url!r}.")
        self.base_url = url
        self._api_key = key
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.AsyncClient(timeout=timeout)
        self.avatars = AvatarsResource(self)
        self.sessions = SessionsResource(self)
        self.keys = KeysResource(self)
        self.videos = VideosResource(self)
        self.webhooks = WebhooksResource(self)

    def __repr__(self) -> str:
        # The key never appears: reprs end up in logs.
        return f"AsyncAvatarsClient(base_url={self.base_url!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str | int] | None = None,
        json: Any = None,
        content: bytes | None = None,
        files: dict[str, tuple[str, bytes, str]] | None = None,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float | httpx.Timeout | None = None,
    ) -> Any:
        """One call of the API (``path`` from ``/api/v1/...``): its JSON answer, None for an empty one.

        The resource methods are built on this; use it directly only for what they do not cover. ``files``
        (``{field: (filename, bytes, content_type)}``) and ``data`` (text fields) send multipart/form-data. An error
        answer raises the :class:`AvatarsError` subclass of its status. ``timeout`` replaces the client's for this
        call.
        """
        sent = {
            "X-API-Key": self._api_key,
            "Accept": "application/json",
            "User-Agent": f"avatars-python/{__version__}",
            **(headers or {}),
        }
        try:
            response = await self._http.request(
                method,
                self.base_url + path,
                params=params,
                json=json,
                content=content,
                files=files,
                data=data,
                headers=sent,
                timeout=httpx.USE_CLIENT_DEFAULT if timeout is None else timeout,
            )
        except httpx.TimeoutException as e:
            raise AvatarsTimeoutError(
                None, "timeout", f"The Avatars API did not answer {method} {path} in time ({type(e).__name__})"
            ) from e
        except httpx.TransportError as e:
            raise AvatarsConnectionError(
                None, "connection-failed", f"Could not reach the Avatars API at {self.base_url}: {e}"
            ) from e
        if response.status_code >= 400:
            raise error_from_response(response)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise AvatarsError(
                response.status_code,
                "invalid-response",
                f"The Avatars API answered {method} {path} with a body that is not JSON",
                body=response.text,
            ) from None
