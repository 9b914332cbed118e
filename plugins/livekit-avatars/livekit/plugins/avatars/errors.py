from __future__ import annotations

from typing import Any

from avatars import AvatarsError as ClientError
from livekit.agents import APIError


class AvatarsError(ClientError, APIError):
    """An error from the Avatars API, or from reaching it: the Python client's ``avatars.AvatarsError``
    (``status``, ``code``, ``message``, ``reason``, ``details``, ``retry_after``, ``body``, and its ``str``) that is also
    a ``livekit.agents.APIError``, so the agent framework sees whether a retry may help.

    Attributes:
        status: the HTTP status the API answered with; ``None`` when no answer came (connection failure, timeout)
            or when the plugin's own configuration is wrong.
        code: the API's machine-readable ``code`` (``validation-failed``, ``not-found``, ``service-unavailable``...),
            or one of the plugin's own: ``missing-configuration``, ``connection-failed``, ``timeout``,
            ``invalid-response``.
        message: the API's ``error`` sentence (or the plugin's).
        reason: the API's ``reason`` sentence when it gave one (e.g. why the LiveKit server refused the token).
        details: the API's ``details`` list (e.g. which fields failed validation); empty when it gave none.
        retryable: only a missing answer or a 5xx may succeed on a second try; a 4xx says the request itself is wrong.
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
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, code, message, details, reason, retry_after=retry_after, body=body)
        self.retryable = code == "connection-failed" or (status is not None and status >= 500)

    @classmethod
    def of(cls, error: ClientError, code: str | None = None) -> AvatarsError:
        """The client's error as the plugin's (``code`` replacing its own)."""
        return cls(
            error.message,
            status=error.status,
            code=code or error.code,
            reason=error.reason,
            details=list(error.details),
            body=error.body,
            retry_after=error.retry_after,
        )
