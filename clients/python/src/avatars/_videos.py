"""``client.videos``: talking videos, an avatar saying an audio file or a text, rendered to an MP4 as a job
(docs/videos.md)."""

from __future__ import annotations

import asyncio
import json
import mimetypes
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ._paging import walk_pages
from ._resources import SourceFile, _id, _query, _read
from .errors import VideoFailedError, VideoWaitTimeoutError
from .types import Expression, Video, VideoList

if TYPE_CHECKING:
    from ._client import AsyncAvatarsClient


def _filename(file: SourceFile, fallback: str) -> str:
    """The name the file part carries: the path's or the open file's own, else ``fallback``."""
    if isinstance(file, (str, os.PathLike)):
        return Path(file).name
    name = getattr(file, "name", None)
    return Path(name).name if isinstance(name, str) and name else fallback


async def _file_part(file: SourceFile, fallback: str) -> tuple[str, bytes, str]:
    name = _filename(file, fallback)
    # The server judges the bytes themselves (ffprobe, the image's magic); the type only names them.
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return name, await _read(file), content_type


def _form_value(value: Any) -> str:
    """A form field is text: the expression as its JSON, a flag as ``true`` or ``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


class VideosResource:
    """Video jobs: ``create`` one for an avatar, follow it with ``get`` or ``wait_until_done``, ``list`` an avatar's,
    ``delete`` one (cancel it, or remove the finished video)."""

    def __init__(self, client: AsyncAvatarsClient) -> None:
        self._client = client

    async def create(
        self,
        avatar_id: str,
        *,
        audio: SourceFile | None = None,
        text: str | None = None,
        voice: str | None = None,
        expression: Expression | None = None,
        background: str | None = None,
        background_image: SourceFile | None = None,
        transparent: bool | None = None,
    ) -> Video:
        """A new video of the avatar saying ``audio`` (bytes, a path or a binary file: WAV, MP3, OGG, FLAC, M4A or
        WebM) or ``text`` (spoken by the server's text-to-speech, espeak-ng; ``voice`` picks one of its voices), one
        of the two (``avatars:write``). The answer is the job, ``queued``: :meth:`wait_until_done` waits for the MP4.

        ``expression`` (``{"name": "happy", "intensity": 0.6}``) is held through the clip. stylized_3d avatars also
        take ``background`` (``#rrggbb``) or ``background_image`` (PNG, JPEG, WebP) behind them, and
        ``transparent=True`` for a WebM with alpha as well. Audio or an image goes up as multipart/form-data, text
        alone as JSON. Bad input is refused before anything is queued: audio that is not audio is
        :class:`~avatars.UnprocessableEntityError`, a VRM without its model :class:`~avatars.ConflictError`.
        """
        if (audio is None) == (text is None):
            raise ValueError("videos.create needs audio=... (a file) or text=..., one of the two")
        fields: dict[str, Any] = {}
        if text is not None:
            fields["text"] = text
        if voice is not None:
            fields["voice"] = voice
        if expression is not None:
            fields["expression"] = expression
        if background is not None:
            fields["background"] = background
        if transparent is not None:
            fields["transparent"] = transparent
        path = f"/api/v1/avatars/{_id(avatar_id)}/videos"
        if audio is None and background_image is None:
            return cast(Video, await self._client.request("POST", path, json=fields))
        files = {}
        if audio is not None:
            files["audio"] = await _file_part(audio, "audio")
        if background_image is not None:
            files["backgroundImage"] = await _file_part(background_image, "background")
        data = {key: _form_value(value) for key, value in fields.items()}
        return cast(Video, await self._client.request("POST", path, files=files, data=data))

    async def get(self, video_id: str) -> Video:
        """The job now: its ``status``, ``progress``, and once ``completed`` its ``url`` (``avatars:read``)."""
        return cast(Video, await self._client.request("GET", f"/api/v1/videos/{_id(video_id)}"))

    async def list(
        self, avatar_id: str, *, limit: int | None = None, after: str | None = None, offset: int | None = None
    ) -> VideoList:
        """One page of the avatar's videos, newest first (``avatars:read``); ``after`` is the previous page's
        ``nextCursor``."""
        return cast(
            VideoList,
            await self._client.request(
                "GET",
                f"/api/v1/avatars/{_id(avatar_id)}/videos",
                params=_query(limit=limit, after=after, offset=offset),
            ),
        )

    def iterate(self, avatar_id: str, *, page_size: int | None = None) -> AsyncIterator[Video]:
        """Every video of the avatar, newest first, page by page."""

        async def page(after: str | None) -> tuple[list[Video], str | None]:
            answer = await self.list(avatar_id, limit=page_size, after=after)
            return answer["videos"], answer["nextCursor"]

        return walk_pages(page)

    async def delete(self, video_id: str) -> None:
        """Cancel a queued or rendering job, or remove a finished video and its files (``avatars:write``)."""
        await self._client.request("DELETE", f"/api/v1/videos/{_id(video_id)}")

    async def wait_until_done(self, video_id: str, *, timeout: float = 600.0, interval: float = 1.0) -> Video:
        """Poll the job until it is ``completed``, and return it (its ``url`` is the MP4).

        Raises :class:`~avatars.VideoFailedError` when it ``failed`` (``error`` says why), and
        :class:`~avatars.VideoWaitTimeoutError` (a TimeoutError, with the last ``video`` seen) after ``timeout`` seconds; the job goes on
        rendering then: wait again, or ``delete`` it. A job deleted meanwhile raises :class:`~avatars.NotFoundError`.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            video = await self.get(video_id)
            if video["status"] == "completed":
                return video
            if video["status"] == "failed":
                raise VideoFailedError(f"Video {video_id} failed: {video['error']}", video)
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise VideoWaitTimeoutError(
                    f"Video {video_id} was not done in {timeout:g} s; last seen: {video['status']}, "
                    f"{video['progress']:.0%} rendered",
                    video,
                )
            await asyncio.sleep(min(interval, remaining))
