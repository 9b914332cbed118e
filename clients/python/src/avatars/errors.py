"""What the client raises: the API's JSON errors (``{error, code, details?, reason?}``) as exceptions.

Every exception of this package is an :class:`AvatarsError`. One per common status lets callers catch what they can
act on (``except NotFoundError``) without comparing numbers; ``code`` is the API's own finer word
(``validation-failed``, ``scope-required``, ``livekit-unreachable``...).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from .types import Avatar, ErrorDetail, Video

# The package's exceptions, all of which `avatars` exports.
__all__ = [
    "AvatarFailedError",
    "AvatarsConnectionError",
    "AvatarsError",
    "AvatarsTimeoutError",
    "BadGatewayError",
    "BadRequestError",
    "ConflictError",
    "ForbiddenError",
    "NotFoundError",
    "PayloadTooLargeError",
    "RateLimitedError",
    "ServerError",
    "ServiceUnavailableError",
    "UnauthorizedError",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
    "VideoFailedError",
    "VideoWaitTimeoutError",
    "WaitTimeoutError",
    "WebhookVerificationError",
]


class AvatarsError(Exception):
    """An error answer of the API, or (``status`` None) no answer at all."""

    def __init__(
        self,
        status: int | None,
        code: str,
        message: str,
        details: list[ErrorDetail] | None = None,
        reason: str | None = None,
        *,
        retry_after: float | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details: list[ErrorDetail] = details or []
        self.reason = reason
        """Why, where ``message`` is a fixed sentence (the contract's 503 for a rendering container)."""
        self.retry_after = retry_after
        """Seconds to wait before trying again, from ``Retry-After`` (429, and a 503 of a store that is down)."""
        self.body = body
        """The answer's body as received (parsed JSON, or text when it was not JSON)."""

    def __str__(self) -> str:
        where = f"{self.status} {self.code}" if self.status is not None else self.code
        text = f"{self.message} ({where})"
        if self.reason:
            text += f": {self.reason}"
        return text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, message={self.message!r})"


class BadRequestError(AvatarsError):
    """400: ``validation-failed`` (``details`` says where), ``invalid-json``, ``livekit-refused``."""


class UnauthorizedError(AvatarsError):
    """401: no key, or a key that is unknown, revoked or expired."""


class ForbiddenError(AvatarsError):
    """403: ``scope-required`` (the key lacks the scope) or ``forbidden`` (not the owner; not your organization)."""


class NotFoundError(AvatarsError):
    """404: no such object, or one of another tenant (the API does not tell them apart)."""


class ConflictError(AvatarsError):
    """409: the object's state forbids it (deploying a stylized_3d avatar, a session past the avatar's limit...)."""


class PayloadTooLargeError(AvatarsError):
    """413: an upload over the server's limit."""


class UnsupportedMediaTypeError(AvatarsError):
    """415: an upload whose content type is not a source file's."""


class UnprocessableEntityError(AvatarsError):
    """422 ``invalid-source``: the uploaded file is not a valid VRM model or portrait."""


class RateLimitedError(AvatarsError):
    """429: too many requests for this key (or uploads being checked); wait ``retry_after`` seconds."""


class ServerError(AvatarsError):
    """5xx."""


class BadGatewayError(ServerError):
    """502: a service the API relies on did not answer (``livekit-unreachable``)."""


class ServiceUnavailableError(ServerError):
    """503: the rendering container is not deployed or not reachable (``reason`` says which), or the store is down."""


class AvatarsConnectionError(AvatarsError):
    """The API could not be reached (refused, DNS, TLS, reset): nothing was answered."""


class AvatarsTimeoutError(AvatarsError):
    """No answer within the client's timeout. The server may still have done it (a POST may have taken effect)."""


class WaitTimeoutError(AvatarsError, TimeoutError):
    """``avatars.wait_until`` gave up: the avatar did not reach the state in time. ``avatar`` is the last one seen."""

    def __init__(self, message: str, avatar: Avatar) -> None:
        super().__init__(None, "wait-timeout", message)
        self.avatar = avatar


class AvatarFailedError(AvatarsError):
    """``avatars.wait_until`` stopped: the avatar's status became ``failed`` (its ``error`` says why)."""

    def __init__(self, message: str, avatar: Avatar) -> None:
        super().__init__(None, "avatar-failed", message)
        self.avatar = avatar


class VideoWaitTimeoutError(AvatarsError, TimeoutError):
    """``videos.wait_until_done`` gave up: the video was not done in time (it goes on rendering). ``video`` is the last
    one seen."""

    def __init__(self, message: str, video: Video) -> None:
        super().__init__(None, "wait-timeout", message)
        self.video = video


class VideoFailedError(AvatarsError):
    """``videos.wait_until_done`` stopped: the video job ``failed`` (``video["error"]`` says why)."""

    def __init__(self, message: str, video: Video) -> None:
        super().__init__(None, "video-failed", message)
        self.video = video


class WebhookVerificationError(AvatarsError):
    """A delivery a receiver got is not one the API signed with this secret: a missing or malformed header, a
    signature that does not match the body, or a timestamp more than 5 minutes off. Answer it 4xx and drop it."""

    def __init__(self, message: str) -> None:
        super().__init__(None, "invalid-signature", message)


_BY_STATUS: dict[int, type[AvatarsError]] = {
    400: BadRequestError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    422: UnprocessableEntityError,
    429: RateLimitedError,
    502: BadGatewayError,
    503: ServiceUnavailableError,
}


def _retry_after(response: httpx.Response) -> float | None:
    raw = response.headers.get("retry-after")
    if raw is None:
        return None
    try:
        return max(0.0, float(raw))
    except ValueError:
        # An HTTP date: this API sends seconds, so a date comes from something in front of it; not worth parsing.
        return None


def error_from_response(response: httpx.Response) -> AvatarsError:
    """The exception for an error answer: the API's JSON when it is one, else what can be said of the body."""
    status = response.status_code
    cls = _BY_STATUS.get(status) or (ServerError if status >= 500 else AvatarsError)
    retry_after = _retry_after(response)
    text = response.text
    try:
        body: Any = json.loads(text) if text else None
    except ValueError:
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        code = body.get("code")
        reason = body.get("reason")
        details = body.get("details")
        return cls(
            status,
            code if isinstance(code, str) else f"http-{status}",
            body["error"],
            details if isinstance(details, list) else None,
            reason if isinstance(reason, str) else None,
            retry_after=retry_after,
            body=body,
        )
    # Not the API's error shape: a proxy in front of it, or something else listening at that address.
    message = f"The Avatars API answered {status} {response.reason_phrase}".rstrip()
    snippet = text.strip()[:200]
    if snippet:
        message += f": {snippet}"
    return cls(status, f"http-{status}", message, retry_after=retry_after, body=text or None)
