"""A typed client for the Avatars API.

    from avatars import AsyncAvatarsClient

    async with AsyncAvatarsClient(api_key="sk_...", base_url="http://localhost:3000") as client:
        avatar = await client.avatars.create(name="Support Agent", tier="stylized_3d")

``AvatarsClient`` is the same API, blocking.
"""

from . import errors, types
from ._client import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, AsyncAvatarsClient
from ._resources import NOT_GIVEN, AvatarSettings, AvatarsResource, KeysResource, NotGiven, SessionsResource, SourceFile
from ._sync import AvatarsClient
from ._version import __version__
from ._videos import VideosResource
from ._webhooks import WebhooksResource
from .errors import *  # every exception of the package: errors.__all__
from .expressions import expression
from .webhook_verifier import WebhookVerifier, verify_webhook

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "NOT_GIVEN",
    "AsyncAvatarsClient",
    "AvatarSettings",
    "AvatarsClient",
    "AvatarsResource",
    "KeysResource",
    "NotGiven",
    "SessionsResource",
    "SourceFile",
    "VideosResource",
    "WebhookVerifier",
    "WebhooksResource",
    "__version__",
    "expression",
    "types",
    "verify_webhook",
]
__all__ += errors.__all__
