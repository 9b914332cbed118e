from __future__ import annotations

from typing import Any

from livekit.agents import APIError


class AvatarsError(APIError):
    """An error from the Avatars API, or from reaching it.

    Attributes:
        status: the HTTP status the API answered with; ``None`` when no answer came (connection failure, timeout)
            or when the plugin's own configuration is wrong.
        code: the API's machine-readable ``code`` (``validation-failed``, ``not-found``, ``service-unavailable``...),
            or one of the plugin's own: ``missing-configuration``, ``connection-failed``, ``timeout``,
            ``invalid-response``.
        message: the API's ``error`` sentence (or the plugin's).
        reason: the API's ``reason`` sentence when it gave one (e.g. why the LiveKit server refused the token).
        details: the API's ``details`` list when it gave one (e.g. which fields failed validation).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None,
        code: str,
        reason: str | None = None,
        details: list[Any] | None = None,
        body: object | None = None,
    ) -> None:
        # Only a missing answer or a 5xx may succeed on a second try; a 4xx says the request itself is wrong.
        retryable = code in ("connection-failed",) or (status is not None and status >= 500)
        super().__init__(message, body=body, retryable=retryable)
        self.status = status
        self.code = code
        self.reason = reason
        self.details = details

    def __str__(self) -> str:
        where = f"{self.status} {self.code}" if self.status is not None else self.code
        text = f"{self.message} ({where})"
        if self.reason:
            text += f": {self.reason}"
        return text

    def __repr__(self) -> str:
        return (
            f"AvatarsError({self.message!r}, status={self.status!r}, code={self.code!r}, reason={self.reason!r})"
        )
