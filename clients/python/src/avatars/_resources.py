"""The API's resources: ``client.avatars``, ``client.sessions``, ``client.keys`` (``client.videos`` and
``client.webhooks`` are in their own modules). Each method is one call and returns the answer's JSON, typed
(avatars.types); each ``iterate`` walks a list's pages to the end."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, TypedDict, Unpack, cast
from urllib.parse import quote

from ._paging import walk_pages
from .errors import AvatarFailedError, WaitTimeoutError
from .types import (
    ApiKey,
    ApiKeyList,
    Avatar,
    AvatarList,
    AvatarStatus,
    AvatarSummary,
    CreatedApiKey,
    DeletedAvatar,
    DeploymentState,
    Expression,
    LiveKitJoin,
    LiveSession,
    OnDemand,
    OnDemandInput,
    Preview,
    RenderConfig,
    RenderConfigInput,
    RenderStyle,
    Resources,
    Scope,
    SessionList,
    StartedSession,
    Tier,
    Transport,
    UploadedSource,
    WhoAmI,
)

if TYPE_CHECKING:
    from ._client import AsyncAvatarsClient


class NotGiven:
    """The default of an argument whose None means something (``description=None`` clears the description)."""

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Final = NotGiven()

SourceFile = bytes | bytearray | memoryview | str | os.PathLike[str] | IO[bytes]
"""A source to upload: its bytes, a path, or a file opened in binary mode."""


def _id(value: str) -> str:
    # An id goes into the path: quoting keeps "../x" or "a/b" one segment, so it can only ever name an object.
    return quote(value, safe="")


def _query(**values: str | int | None) -> dict[str, str | int] | None:
    kept = {k: v for k, v in values.items() if v is not None}
    return kept or None


def _sniff(data: bytes) -> str:
    """A content type the upload route accepts; the server judges the bytes themselves, this only names them."""
    if data.startswith(b"glTF"):
        return "model/gltf-binary"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


async def _read(file: SourceFile) -> bytes:
    if isinstance(file, (bytes, bytearray, memoryview)):
        return bytes(file)
    if isinstance(file, (str, os.PathLike)):
        # Off the event loop: a 64 MiB model would hold it up.
        return await asyncio.to_thread(Path(file).read_bytes)
    return await asyncio.to_thread(file.read)


class AvatarSettings(TypedDict, total=False):
    """The fields ``avatars.create`` and ``avatars.update`` take besides the name and the description, in Python's
    spelling; None (or left out) sends nothing."""

    resources: Resources | None
    config: RenderConfigInput | RenderConfig | None
    render_style: RenderStyle | None
    orb_color: str | None
    orb_size: float | None
    on_demand: OnDemandInput | OnDemand | None


# AvatarSettings' keys under the API's names.
_API_FIELDS: Final = {
    "resources": "resources",
    "config": "config",
    "render_style": "renderStyle",
    "orb_color": "orbColor",
    "orb_size": "orbSize",
    "on_demand": "onDemand",
}


def _avatar_fields(name: str | None, description: str | None | NotGiven, settings: AvatarSettings) -> dict[str, Any]:
    """The request body's fields under the API's names, only those given."""
    body: dict[str, Any] = {}
    if name is not None:
        body["name"] = name
    if not isinstance(description, NotGiven):
        body["description"] = description
    for key, value in settings.items():
        if key not in _API_FIELDS:
            # What a signature of named parameters would say: the settings come as **kwargs.
            raise TypeError(f"unexpected keyword argument {key!r}")
        if value is not None:
            body[_API_FIELDS[key]] = value
    return body


class AvatarsResource:
    """``/api/v1/avatars``: create, read, change and delete avatars; their source, rendering container and preview."""

    def __init__(self, client: AsyncAvatarsClient) -> None:
        self._client = client

    async def list(
        self,
        *,
        name: str | None = None,
        limit: int | None = None,
        after: str | None = None,
        offset: int | None = None,
    ) -> AvatarList:
        """One page of the avatars the key may see, newest first (``avatars:read``): ``limit`` of them (1..200, 50 by
        default) after the cursor ``after`` (the previous page's ``nextCursor``; None on the last page). ``count`` is
        the total, not the page's. ``offset`` is kept for old callers, up to 1000 only; :meth:`iterate` walks them all.
        """
        params = _query(name=name, limit=limit, after=after, offset=offset)
        return cast(AvatarList, await self._client.request("GET", "/api/v1/avatars", params=params))

    def iterate(self, *, name: str | None = None, page_size: int | None = None) -> AsyncIterator[AvatarSummary]:
        """Every avatar the key may see (``name`` filters), newest first, a page of ``page_size`` at a time:
        ``async for avatar in client.avatars.iterate(): ...``. Avatars created or deleted meanwhile move no other one:
        each that exists throughout comes exactly once."""

        async def page(after: str | None) -> tuple[list[AvatarSummary], str | None]:
            answer = await self.list(name=name, limit=page_size, after=after)
            return answer["avatars"], answer["nextCursor"]

        return walk_pages(page)

    async def get(self, avatar_id: str) -> Avatar:
        return cast(Avatar, await self._client.request("GET", f"/api/v1/avatars/{_id(avatar_id)}"))

    async def create(
        self, *, name: str, tier: Tier, description: str | None = None, **settings: Unpack[AvatarSettings]
    ) -> Avatar:
        """A new avatar (``avatars:write``); what is left out comes from the tier's defaults.

        Keyword arguments are the API's fields in Python's spelling (``render_style`` is ``renderStyle``,
        ``on_demand`` is ``onDemand``; the others: ``resources``, ``config``, ``orb_color``, ``orb_size``); the nested
        objects keep the API's keys (``{"frameRate": 30}``), so an avatar's own ``config`` can be passed back as it is.
        """
        body = {"tier": tier, **_avatar_fields(name, description, settings)}
        return cast(Avatar, await self._client.request("POST", "/api/v1/avatars", json=body))

    async def update(
        self,
        avatar_id: str,
        *,
        name: str | None = None,
        description: str | None | NotGiven = NOT_GIVEN,
        **settings: Unpack[AvatarSettings],
    ) -> Avatar:
        """Change what is given, leave the rest (``avatars:write``, the owner only). ``description=None`` clears it;
        the other fields are :meth:`create`'s."""
        body = _avatar_fields(name, description, settings)
        return cast(Avatar, await self._client.request("PUT", f"/api/v1/avatars/{_id(avatar_id)}", json=body))

    async def delete(self, avatar_id: str) -> DeletedAvatar:
        """Delete the avatar, its files and its rendering container (``avatars:write``, the owner only)."""
        return cast(DeletedAvatar, await self._client.request("DELETE", f"/api/v1/avatars/{_id(avatar_id)}"))

    async def upload_source(
        self, avatar_id: str, file: SourceFile, *, content_type: str | None = None
    ) -> UploadedSource:
        """Upload the avatar's source: a VRM model (``stylized_3d``) or a portrait photo (PNG, JPEG, WebP; Tier 2/3).

        ``file`` is the bytes, a path or a binary file. It is sent as the raw body; ``content_type`` defaults to
        what the bytes are (the server judges them too). A VRM is checked at once (the avatar is ``ready`` on
        return); a portrait is preprocessed in the background: ``await avatars.wait_until(id, status="ready")``.
        """
        data = await _read(file)
        return cast(
            UploadedSource,
            await self._client.request(
                "POST",
                f"/api/v1/avatars/{_id(avatar_id)}/source",
                content=data,
                headers={"Content-Type": content_type or _sniff(data)},
            ),
        )

    async def deploy(self, avatar_id: str) -> Avatar:
        """Ask for the avatar's rendering container to run (Tier 2/3, once ``ready``). The answer says ``starting``:
        ``await avatars.wait_until(id, deployment="running")``."""
        return cast(Avatar, await self._client.request("POST", f"/api/v1/avatars/{_id(avatar_id)}/deploy"))

    async def undeploy(self, avatar_id: str) -> Avatar:
        """Ask for the avatar's rendering container to stop."""
        return cast(Avatar, await self._client.request("POST", f"/api/v1/avatars/{_id(avatar_id)}/undeploy"))

    async def preview(self, avatar_id: str, *, expression: Expression | None = None) -> Preview:
        """Tier 1: the VRM's URL (or the orb's colour and size). Tier 2/3: a clip rendered by the running container
        (:class:`~avatars.ServiceUnavailableError` when it is not deployed), showing ``expression`` throughout
        (e.g. ``{"name": "happy", "intensity": 0.8}``; a VRM shows emotions in the browser, so Tier 1 ignores it)."""
        body = None if expression is None else {"expression": expression}
        return cast(Preview, await self._client.request("POST", f"/api/v1/avatars/{_id(avatar_id)}/preview", json=body))

    async def wait_until(
        self,
        avatar_id: str,
        *,
        status: AvatarStatus | None = None,
        deployment: DeploymentState | None = None,
        timeout: float = 120.0,
        interval: float = 0.5,
    ) -> Avatar:
        """Poll the avatar until its ``status`` and/or its ``deployment.state`` are the ones given; the avatar then.

        Raises :class:`~avatars.AvatarFailedError` at once when the status becomes ``failed`` (a portrait that
        could not be preprocessed stays so until a new upload), and :class:`~avatars.WaitTimeoutError` after
        ``timeout`` seconds. A deployment that fails is retried by the server, so it is waited out like any other
        state (its ``lastError`` is in the timeout's message).
        """
        if status is None and deployment is None:
            raise ValueError("wait_until needs status=... or deployment=...")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            avatar = await self.get(avatar_id)
            current = avatar.get("deployment")
            state = current["state"] if current is not None else None
            if (status is None or avatar["status"] == status) and (deployment is None or state == deployment):
                return avatar
            if avatar["status"] == "failed" and status is not None and status != "failed":
                raise AvatarFailedError(f"Avatar {avatar_id} failed: {avatar['error']}", avatar)
            if deployment is not None and current is None:
                raise ValueError(f"Avatar {avatar_id} is {avatar['tier']}: it has no rendering container to wait for.")
            remaining = deadline - loop.time()
            if remaining <= 0:
                seen = f"status {avatar['status']}"
                if current is not None:
                    seen += f", deployment {current['state']}"
                    if current["lastError"]:
                        seen += f" ({current['lastError']})"
                wanted = []
                if status is not None:
                    wanted.append(f"status {status}")
                if deployment is not None:
                    wanted.append(f"deployment {deployment}")
                raise WaitTimeoutError(
                    f"Avatar {avatar_id} did not reach {' and '.join(wanted)} in {timeout:g} s; last seen: {seen}",
                    avatar,
                )
            await asyncio.sleep(min(interval, remaining))


class SessionsResource:
    """Live sessions with ``realtime_lipsync`` avatars (docs/live-sessions.md, docs/livekit.md)."""

    def __init__(self, client: AsyncAvatarsClient) -> None:
        self._client = client

    async def start(
        self,
        avatar_id: str,
        *,
        transport: Transport | None = None,
        livekit: LiveKitJoin | None = None,
        expression: Expression | None = None,
    ) -> StartedSession:
        """Start a live session (``avatars:write``); an on-demand avatar is deployed first, and this waits for it.

        WHEP (the default): the agent speaks on ``url`` + ``?token=<token>``, viewers POST SDP offers to
        ``whepUrl`` with ``viewerToken``. LiveKit: pass ``livekit={"url": ..., "token": <room token for the
        avatar>}`` (``transport`` then defaults to ``"livekit"``); the answer comes once the avatar joined the room.
        ``expression`` (``{"name": "happy", "intensity": 0.5}``) is the face's emotion from the first frame, held
        until the agent sets another.
        """
        body: dict[str, Any] = {}
        if livekit is not None:
            body["livekit"] = livekit
            transport = transport or "livekit"
        if transport is not None:
            body["transport"] = transport
        if expression is not None:
            body["expression"] = expression
        return cast(
            StartedSession, await self._client.request("POST", f"/api/v1/avatars/{_id(avatar_id)}/sessions", json=body)
        )

    async def get(self, session_id: str) -> LiveSession:
        """Whether the session is active, why it ended, and its live metrics (``avatars:read``)."""
        return cast(LiveSession, await self._client.request("GET", f"/api/v1/sessions/{_id(session_id)}"))

    async def end(self, session_id: str) -> None:
        """End the session at once (``avatars:write``); ending an ended one changes nothing."""
        await self._client.request("DELETE", f"/api/v1/sessions/{_id(session_id)}")

    async def list(
        self, avatar_id: str, *, limit: int | None = None, after: str | None = None, offset: int | None = None
    ) -> SessionList:
        """One page of the avatar's sessions, newest first, each kept a day past its expiry (``avatars:read``);
        paged as :meth:`AvatarsResource.list` is."""
        return cast(
            SessionList,
            await self._client.request(
                "GET",
                f"/api/v1/avatars/{_id(avatar_id)}/sessions",
                params=_query(limit=limit, after=after, offset=offset),
            ),
        )

    def iterate(self, avatar_id: str, *, page_size: int | None = None) -> AsyncIterator[LiveSession]:
        """Every session of the avatar, newest first, page by page."""

        async def page(after: str | None) -> tuple[list[LiveSession], str | None]:
            answer = await self.list(avatar_id, limit=page_size, after=after)
            return answer["sessions"], answer["nextCursor"]

        return walk_pages(page)


class KeysResource:
    """``/api/v1/auth``: who the key is, and the organization's API keys (``keys:admin``)."""

    def __init__(self, client: AsyncAvatarsClient) -> None:
        self._client = client

    async def whoami(self) -> WhoAmI:
        return cast(WhoAmI, await self._client.request("GET", "/api/v1/auth/whoami"))

    async def create(
        self,
        *,
        scopes: Sequence[Scope],
        user_id: str | None = None,
        name: str | None = None,
        expires_in_days: int | None = None,
    ) -> CreatedApiKey:
        """A new key in the caller's organization, for ``user_id`` (default: the caller's user), with at most the
        caller's scopes. Its secret ``key`` is in this answer only."""
        body: dict[str, Any] = {"scopes": list(scopes)}
        if user_id is not None:
            body["userId"] = user_id
        if name is not None:
            body["name"] = name
        if expires_in_days is not None:
            body["expiresInDays"] = expires_in_days
        return cast(CreatedApiKey, await self._client.request("POST", "/api/v1/auth/api-keys", json=body))

    async def list(
        self, *, limit: int | None = None, after: str | None = None, offset: int | None = None
    ) -> ApiKeyList:
        """One page of the keys of the caller's organization (of its user, for a key without one), without secrets,
        newest first (50 by default, at most 200); paged as :meth:`AvatarsResource.list` is."""
        params = _query(limit=limit, after=after, offset=offset)
        return cast(ApiKeyList, await self._client.request("GET", "/api/v1/auth/api-keys", params=params))

    def iterate(self, *, page_size: int | None = None) -> AsyncIterator[ApiKey]:
        """Every key of the caller's organization, page by page."""

        async def page(after: str | None) -> tuple[list[ApiKey], str | None]:
            answer = await self.list(limit=page_size, after=after)
            return answer["keys"], answer["nextCursor"]

        return walk_pages(page)

    async def revoke(self, key_id: str) -> ApiKey:
        """Revoke a key (by its ``id``, ``ak_...``): it is refused from the next request on."""
        return cast(ApiKey, await self._client.request("DELETE", f"/api/v1/auth/api-keys/{_id(key_id)}"))
