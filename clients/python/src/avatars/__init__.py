"""A typed client for the Avatars API.

    from avatars import AsyncAvatarsClient

    async with AsyncAvatarsClient(api_key="sk_...", base_url="http://localhost:3000") as client:
        avatar = await client.avatars.create(name="Support Agent", tier="stylized_3d")

``AvatarsClient`` is the same API, blocking.
"""

from . import types
from ._client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, AsyncAvatarsClient
from ._resources import NOT_GIVEN, AvatarSettings, AvatarsResource, KeysResource, NotGiven, SessionsResource, SourceFile
from ._sync import AvatarsClient
from ._version import __version__
from .errors import (
    AvatarFailedError,
    AvatarsConnectionError,
    AvatarsError,
    AvatarsTimeoutError,
    BadGatewayError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitedError,
    ServerError,
    ServiceUnavailableError,
    UnauthorizedError,
    UnprocessableEntityError,
    UnsupportedMediaTypeError,
    WaitTimeoutError,
)

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "AsyncAvatarsClient",
    "AvatarsClient",
    "AvatarFailedError",
    "AvatarSettings",
    "AvatarsConnectionError",
    "AvatarsError",
    "AvatarsResource",
    "AvatarsTimeoutError",
    "BadGatewayError",
    "BadRequestError",
    "ConflictError",
    "ForbiddenError",
    "KeysResource",
    "NotFoundError",
    "NotGiven",
    "PayloadTooLargeError",
    "RateLimitedError",
    "ServerError",
    "ServiceUnavailableError",
    "SessionsResource",
    "SourceFile",
    "UnauthorizedError",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
    "WaitTimeoutError",
    "__version__",
    "types",
]
