"""Avatars plugin for LiveKit Agents: a self-hosted ``realtime_lipsync`` avatar joins the agent's room and speaks its
audio, as the hosted avatar plugins do.

See README.md in this package's folder.
"""

from avatars.types import Emotion

from .api import AvatarsAPI, LiveKitSession
from .avatar import ATTRIBUTE_EXPRESSION, SAMPLE_RATE, AvatarSession, expression_attribute, mint_avatar_token
from .errors import AvatarsError
from .version import __version__
from .words import WORDS_SEGMENT_ATTRIBUTE, WORDS_TOPIC, AvatarsAudioOutput, WordsTextOutput, attach_words

__all__ = [
    "ATTRIBUTE_EXPRESSION",
    "AvatarSession",
    "AvatarsAPI",
    "AvatarsError",
    "Emotion",
    "LiveKitSession",
    "SAMPLE_RATE",
    "WORDS_SEGMENT_ATTRIBUTE",
    "WORDS_TOPIC",
    "AvatarsAudioOutput",
    "WordsTextOutput",
    "attach_words",
    "expression_attribute",
    "mint_avatar_token",
    "__version__",
]

from livekit.agents import Plugin

from .log import logger


class AvatarsPlugin(Plugin):
    def __init__(self) -> None:
        super().__init__(__name__, __version__, __package__, logger)


Plugin.register_plugin(AvatarsPlugin())
