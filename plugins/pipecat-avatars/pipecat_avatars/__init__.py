"""Pipecat video service for self-hosted Avatars: `tts → AvatarsVideoService → transport.output()`."""

from .api import AvatarsAPIError, LiveSession
from .frames import AvatarExpressionFrame
from .version import __version__
from .video import AvatarSessionMetricsData, AvatarsVideoService

__all__ = [
    "AvatarExpressionFrame",
    "AvatarsAPIError",
    "AvatarSessionMetricsData",
    "AvatarsVideoService",
    "LiveSession",
    "__version__",
]
