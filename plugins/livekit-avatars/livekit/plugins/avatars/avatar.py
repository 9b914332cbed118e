from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from typing import Any, Literal

import httpx
from avatars import expression
from avatars.types import Emotion

from livekit import api, rtc
from livekit.agents import (
    DEFAULT_API_CONNECT_OPTIONS,
    NOT_GIVEN,
    AgentSession,
    APIConnectOptions,
    NotGivenOr,
    get_job_context,
)
from livekit.agents.types import ATTRIBUTE_PUBLISH_ON_BEHALF
from livekit.agents.voice.avatar import AvatarSession as BaseAvatarSession

from .api import DEFAULT_START_TIMEOUT, AvatarsAPI, LiveKitSession
from .errors import AvatarsError
from .log import logger
from .words import AvatarsAudioOutput, attach_words

_AVATAR_AGENT_IDENTITY = "avatars-avatar-agent"
_AVATAR_AGENT_NAME = "avatars-avatar-agent"

# The rendering container plays speech at 24 kHz (its lip-sync analyzer's rate). It also takes 16 and 48 kHz, but a
# TTS speaking at any other rate (espeak's 22050 Hz, say) would be refused, so the agent session resamples to this.
SAMPLE_RATE = 24000

# The agent's participant attribute its avatar reads for the emotion to show (contract/livekit-avatar.ts):
# "happy", or "happy:0.8" with an intensity from 0 to 1.
ATTRIBUTE_EXPRESSION = "lk.expression"


def expression_attribute(name: Emotion, intensity: float = 1.0) -> str:
    """The value of ``lk.expression`` for an emotion (``neutral`` clears it); ValueError for one the avatar would
    refuse."""
    checked = expression(name, intensity)["intensity"]
    return name if checked == 1 else f"{name}:{checked:.3f}".rstrip("0").rstrip(".")


def mint_avatar_token(
    *,
    api_key: str,
    api_secret: str,
    room_name: str,
    avatar_identity: str,
    agent_identity: str,
    avatar_name: str | None = None,
    ttl: datetime.timedelta | None = None,
) -> str:
    """A room token for the avatar worker, as LiveKit's avatar contract has it: an ``agent`` participant allowed into
    ``room_name`` only, whose ``lk.publish_on_behalf`` attribute names the agent it speaks for (front ends show its
    tracks in the agent's place)."""
    token = (
        api.AccessToken(api_key=api_key, api_secret=api_secret)
        .with_kind("agent")
        .with_identity(avatar_identity)
        .with_name(avatar_name or avatar_identity)
        .with_grants(api.VideoGrants(room_join=True, room=room_name))
        .with_attributes({ATTRIBUTE_PUBLISH_ON_BEHALF: agent_identity})
    )
    if ttl is not None:
        token = token.with_ttl(ttl)
    return token.to_jwt()


def _setting(value: NotGivenOr[str | None], env: str) -> str | None:
    """An argument, else its environment variable; empty counts as missing."""
    if isinstance(value, str) and value:
        return value
    return os.getenv(env) or None


def _required(value: NotGivenOr[str | None], what: str, argument: str, env: str) -> str:
    """An argument, else its environment variable, else an error naming both."""
    setting = _setting(value, env)
    if setting is None:
        raise AvatarsError(
            f"{what} is not set: pass {argument}= or set the {env} environment variable",
            status=None,
            code="missing-configuration",
        )
    return setting


class AvatarSession(BaseAvatarSession[Literal["metrics_collected"]]):
    """A self-hosted Avatars avatar (a ``realtime_lipsync`` portrait) that joins the agent's LiveKit room and speaks
    the agent session's audio.

    Args:
        avatar_id: the avatar to show (``avt_...``); else ``AVATARS_AVATAR_ID``.
        api_url: where the Avatars API is (``https://avatars.example.com``); else ``AVATARS_API_URL``.
        api_key: an API key with the ``avatars:write`` scope; else ``AVATARS_API_KEY``.
        avatar_participant_identity: the avatar's identity in the room (default ``avatars-avatar-agent``).
        avatar_participant_name: its display name (default: the identity).
        conn_options: retries and the connect timeout of the API calls. Only connection failures and 5xx answers are
            retried.
        start_timeout: how long starting the session may take; the API answers once the avatar has joined the room,
            and an on-demand avatar is deployed first (tens of seconds).
        http_session: an ``httpx.AsyncClient`` for the API calls, which go through the API's Python client
            (``avatars``); left open. One is made per call otherwise.
    """

    def __init__(
        self,
        *,
        avatar_id: NotGivenOr[str] = NOT_GIVEN,
        api_url: NotGivenOr[str] = NOT_GIVEN,
        api_key: NotGivenOr[str] = NOT_GIVEN,
        avatar_participant_identity: NotGivenOr[str] = NOT_GIVEN,
        avatar_participant_name: NotGivenOr[str] = NOT_GIVEN,
        conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS,
        start_timeout: float = DEFAULT_START_TIMEOUT,
        http_session: httpx.AsyncClient | None = None,
    ) -> None:
        super().__init__()
        resolved_avatar_id = _required(avatar_id, "The avatar id", "avatar_id", "AVATARS_AVATAR_ID")
        resolved_api_url = _required(api_url, "The Avatars API URL", "api_url", "AVATARS_API_URL")
        resolved_api_key = _required(api_key, "The Avatars API key", "api_key", "AVATARS_API_KEY")
        if not resolved_api_url.startswith(("http://", "https://")):
            raise AvatarsError(
                f"The Avatars API URL must start with http:// or https://, not {resolved_api_url!r}",
                status=None,
                code="missing-configuration",
            )
        if start_timeout <= 0:
            raise ValueError("start_timeout must be positive")

        self._avatar_id = resolved_avatar_id
        self._api = AvatarsAPI(
            api_url=resolved_api_url, api_key=resolved_api_key, conn_options=conn_options, http_session=http_session
        )
        self._avatar_participant_identity = (
            avatar_participant_identity if isinstance(avatar_participant_identity, str) and avatar_participant_identity
            else _AVATAR_AGENT_IDENTITY
        )
        self._avatar_participant_name = (
            avatar_participant_name if isinstance(avatar_participant_name, str) and avatar_participant_name
            else self._avatar_participant_identity
        )
        self._start_timeout = start_timeout
        self._session: LiveKitSession | None = None
        self._room: rtc.Room | None = None
        self._detach_words: Callable[[], None] | None = None

    @property
    def avatar_identity(self) -> str:
        return self._avatar_participant_identity

    @property
    def provider(self) -> str:
        return "avatars"

    @property
    def avatar_id(self) -> str:
        return self._avatar_id

    @property
    def api_url(self) -> str:
        return self._api.api_url

    @property
    def session_id(self) -> str | None:
        """The Avatars session (``ses_...``), once ``start()`` returned."""
        return self._session.session_id if self._session else None

    @property
    def expires_at(self) -> str | None:
        """When the Avatars session ends at the latest (ISO 8601), once ``start()`` returned."""
        return self._session.expires_at if self._session else None

    @property
    def api(self) -> AvatarsAPI:
        """The API client this session uses (e.g. to read the session: ``await avatar.api.get_session(...)``)."""
        return self._api

    async def start(
        self,
        agent_session: AgentSession[Any],
        room: rtc.Room,
        *,
        livekit_url: NotGivenOr[str] = NOT_GIVEN,
        livekit_api_key: NotGivenOr[str] = NOT_GIVEN,
        livekit_api_secret: NotGivenOr[str] = NOT_GIVEN,
    ) -> None:
        """Has the avatar join ``room`` and routes ``agent_session``'s audio to it.

        Call it before ``agent_session.start(...)``. It returns once the avatar is in the room (the API waits for
        that); raises ``AvatarsError`` when the API refuses (the message says why) or cannot be reached.
        ``livekit_url`` is the address the avatar's rendering container dials (it must reach it); the key and secret
        sign its room token. They default to ``LIVEKIT_URL``, ``LIVEKIT_API_KEY`` and ``LIVEKIT_API_SECRET``.
        """
        if self._session is not None:
            raise RuntimeError("AvatarSession.start() may be called once; make another AvatarSession for another room")

        url = _required(livekit_url, "The LiveKit server URL", "livekit_url", "LIVEKIT_URL")
        key = _required(livekit_api_key, "The LiveKit API key", "livekit_api_key", "LIVEKIT_API_KEY")
        secret = _required(livekit_api_secret, "The LiveKit API secret", "livekit_api_secret", "LIVEKIT_API_SECRET")

        # Inside an agent job the job knows the agent's identity; outside one (a script, a test) the connected room
        # does.
        job_ctx = get_job_context(required=False)
        if job_ctx is not None:
            agent_identity = job_ctx.local_participant_identity
        elif room.isconnected():
            agent_identity = room.local_participant.identity
        else:
            raise RuntimeError("AvatarSession.start() needs an agent job context or a connected room")

        await super().start(agent_session, room)
        self._room = room

        token = mint_avatar_token(
            api_key=key,
            api_secret=secret,
            room_name=room.name,
            avatar_identity=self._avatar_participant_identity,
            avatar_name=self._avatar_participant_name,
            agent_identity=agent_identity,
        )
        logger.debug("starting avatar session", extra={"avatar_id": self._avatar_id, "room": room.name})
        try:
            self._session = await self._api.create_livekit_session(
                self._avatar_id, livekit_url=url, livekit_token=token, timeout=self._start_timeout
            )
        except BaseException:
            # No avatar is coming: stop the base class's wait for it (and its hooks on the session and room).
            await super().aclose()
            raise
        if self._session.participant_identity != self._avatar_participant_identity:
            # The API reads the identity from our token, so this only happens if something rewrote it on the way.
            logger.warning(
                "the Avatars API reports another participant identity than the token's",
                extra={"expected": self._avatar_participant_identity, "got": self._session.participant_identity},
            )

        audio = AvatarsAudioOutput(
            room,
            destination_identity=self._avatar_participant_identity,
            sample_rate=SAMPLE_RATE,
            # Speech waits for the avatar's video: sent earlier, it would play before anyone sees the face.
            wait_remote_track=rtc.TrackKind.KIND_VIDEO,
        )
        agent_session.output.replace_audio_tail(audio)
        # The segments' word timings, when the session has them (use_tts_aligned_transcript), drive the avatar's mouth.
        self._detach_words = attach_words(agent_session, audio)

    async def set_expression(self, name: Emotion, intensity: float = 1.0) -> None:
        """Shows an emotion on the avatar's face from now on, blended with its speech: ``happy``, ``sad``,
        ``surprised``, ``angry`` or ``thinking`` at ``intensity`` 0..1; ``neutral`` clears it.

        It sets the agent's ``lk.expression`` participant attribute, which the avatar follows (eased in over a
        quarter second). Call it after ``start()``; raises ValueError for an unknown emotion or an intensity out of
        range.
        """
        value = expression_attribute(name, intensity)
        if self._room is None:
            raise RuntimeError("AvatarSession.set_expression() needs start() first: the emotion is set in its room")
        await self._room.local_participant.set_attributes({ATTRIBUTE_EXPRESSION: value})

    async def aclose(self) -> None:
        """Ends the Avatars session (the avatar leaves the room), then releases what ``start()`` set up.

        Best effort, as it runs at job shutdown: a failure is logged, not raised.
        """
        session, self._session = self._session, None
        detach_words, self._detach_words = self._detach_words, None
        if detach_words is not None:
            detach_words()
        try:
            if session is not None:
                try:
                    await self._api.end_session(session.session_id)
                except AvatarsError as e:
                    if e.status == 404:
                        logger.debug("avatar session already ended", extra={"session_id": session.session_id})
                    else:
                        logger.warning(
                            "failed to end the avatar session", extra={"session_id": session.session_id, "error": str(e)}
                        )
        finally:
            await super().aclose()
