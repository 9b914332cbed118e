"""Pipecat video service for self-hosted Avatars: `tts → AvatarsVideoService → transport.output()`."""

from .api import AvatarsAPIError, LiveSession
from .version import __version__
from .video import AvatarSessionMetricsData, AvatarsVideoService

__all__ = ["AvatarsAPIError", "AvatarSessionMetricsData", "AvatarsVideoService", "LiveSession", "__version__"]
