"""End to end, every part real: `livekit-server --dev`, the Avatars API (`node bin/avatars.js serve`) with a deployed
realtime_lipsync avatar, and an agent in the room that starts the avatar with this plugin.

The first test drives the audio output the plugin installs on the AgentSession (livekit-agents' own
DataStreamAudioOutput) directly, the way livekit-agents' generation code drives it: capture_frame() faster than real
time, flush() per segment, and on an interruption flush() then clear_buffer(). Driven directly, every segment's
timing is the test's own, so positions and delays are measured exactly (and twenty interruptions take seconds). The
second starts the AgentSession as the README does and speaks through session.say() and SpeechHandle.interrupt().
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from avatars import AvatarsClient
from avatars.testing import (
    ESPEAK_RATE,
    LIVEKIT_API_KEY,
    LIVEKIT_API_SECRET,
    PORTRAIT,
    AvatarsServer,
    LiveKitServer,
    avatars_server,
    espeak,
    free_port,
    livekit_server,
    until,
    within,
)
from livekit import rtc
from livekit.agents import Agent, AgentSession, APIConnectOptions, TurnHandlingOptions, room_io
from livekit.agents.voice.avatar import DataStreamAudioOutput
from livekit.agents.voice.io import PlaybackFinishedEvent
from livekit.plugins import avatars

from .support import room_token

# Not square, and not the default 512x512, so a frame at the right size is the avatar's config and nothing else.
WIDTH, HEIGHT, FPS = 320, 240, 25
RATE = avatars.SAMPLE_RATE
FRAME_SAMPLES = RATE // 50  # 20 ms frames, as TTS plugins push them
AVATAR_IDENTITY = "avatars-avatar-agent"


@dataclass
class World:
    livekit: LiveKitServer
    api: AvatarsServer
    key: str
    avatar_id: str


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """A deployed realtime_lipsync avatar on the astronaut, made through the API's Python client."""
    assert PORTRAIT.is_file(), f"the portrait fixture is missing: {PORTRAIT}"
    with livekit_server() as lk, avatars_server() as api_server:
        key = api_server.make_key()
        with AvatarsClient(api_key=key, base_url=api_server.url) as client:
            avatar_id = client.avatars.create(
                name="E2E", tier="realtime_lipsync", config={"resolution": f"{WIDTH}x{HEIGHT}", "frameRate": FPS}
            )["_id"]
            client.avatars.upload_source(avatar_id, PORTRAIT)
            client.avatars.wait_until(avatar_id, status="ready", timeout=60, interval=0.2)
            client.avatars.deploy(avatar_id)
            client.avatars.wait_until(avatar_id, deployment="running", timeout=60, interval=0.2)
        yield World(livekit=lk, api=api_server, key=key, avatar_id=avatar_id)


# --- speech ---


def speech(text: str) -> bytes:
    """int16 mono PCM at RATE: LiveKit's resampler brings espeak-ng's 22050 Hz to the rate the plugin's output asks
    for, as AgentSession does for a TTS at another rate."""
    pcm = espeak(text)
    resampler = rtc.AudioResampler(input_rate=ESPEAK_RATE, output_rate=RATE, num_channels=1)
    frames = resampler.push(rtc.AudioFrame(pcm, ESPEAK_RATE, 1, len(pcm) // 2)) + resampler.flush()
    return b"".join(bytes(f.data) for f in frames)


def seconds_of(pcm: bytes) -> float:
    return len(pcm) / 2 / RATE


async def capture(output: DataStreamAudioOutput, pcm: bytes) -> None:
    for start in range(0, len(pcm), FRAME_SAMPLES * 2):
        chunk = pcm[start : start + FRAME_SAMPLES * 2]
        await output.capture_frame(rtc.AudioFrame(chunk, RATE, 1, len(chunk) // 2))


# --- what the agent sees of the avatar ---


@dataclass
class Watched:
    frame_sizes: list[tuple[int, int]] = field(default_factory=list)
    # (monotonic time, mean absolute sample) per audio frame the avatar published
    audio: list[tuple[float, float]] = field(default_factory=list)
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def level_between(self, start: float, end: float) -> float:
        levels = [level for at, level in self.audio if start <= at < end]
        return sum(levels) / max(1, len(levels))


def watch(room: rtc.Room, watched: Watched) -> None:
    async def frames(track: rtc.Track) -> None:
        async for event in rtc.VideoStream(track):
            watched.frame_sizes.append((event.frame.width, event.frame.height))

    async def audio(track: rtc.Track) -> None:
        async for event in rtc.AudioStream(track, sample_rate=RATE, num_channels=1):
            samples = memoryview(bytes(event.frame.data)).cast("h")
            level = sum(abs(s) for s in samples) / max(1, len(samples))
            watched.audio.append((time.monotonic(), level))

    def on_track(track: rtc.Track, _pub: rtc.RemoteTrackPublication, participant: rtc.RemoteParticipant) -> None:
        if participant.identity != AVATAR_IDENTITY:
            return
        watched.tasks.append(asyncio.create_task(frames(track) if track.kind == rtc.TrackKind.KIND_VIDEO else audio(track)))

    room.on("track_subscribed", on_track)


async def test_the_avatar_joins_speaks_and_survives_interruptions(world: World) -> None:
    room_name = f"e2e-{uuid.uuid4().hex[:8]}"
    agent_identity = "agent-e2e"
    room = rtc.Room()
    watched = Watched()
    watch(room, watched)
    await within(10, "the agent to join the room",
                 room.connect(world.livekit.url, room_token(room_name, agent_identity, kind="agent")))
    agent_session: AgentSession[None] = AgentSession()
    avatar = avatars.AvatarSession(avatar_id=world.avatar_id, api_url=world.api.url, api_key=world.key)
    try:
        # 1. The plugin mints the avatar's token and calls the API, which answers once the avatar is in the room.
        await within(
            60, "avatar.start()",
            avatar.start(agent_session, room, livekit_url=world.livekit.url, livekit_api_key=LIVEKIT_API_KEY,
                         livekit_api_secret=LIVEKIT_API_SECRET),
        )
        assert avatar.session_id is not None and avatar.session_id.startswith("ses_")
        await within(10, "the avatar's video track (wait_for_join)", avatar.wait_for_join(timeout=None))
        participant = room.remote_participants[AVATAR_IDENTITY]
        assert participant.kind == rtc.ParticipantKind.PARTICIPANT_KIND_AGENT
        assert participant.attributes.get("lk.publish_on_behalf") == agent_identity
        await until(10, "the avatar to publish video and audio", lambda: {
            p.kind for p in participant.track_publications.values()
        } >= {rtc.TrackKind.KIND_VIDEO, rtc.TrackKind.KIND_AUDIO})
        sources = {p.kind: p.source for p in participant.track_publications.values()}
        assert sources[rtc.TrackKind.KIND_VIDEO] == rtc.TrackSource.SOURCE_CAMERA
        assert sources[rtc.TrackKind.KIND_AUDIO] == rtc.TrackSource.SOURCE_MICROPHONE
        session_info = await avatar.api.get_session(avatar.session_id)
        assert (session_info["transport"], session_info["state"]) == ("livekit", "active")

        # 2. The idle face arrives before any speech, decoded at the avatar's size.
        await until(15, "ten idle video frames", lambda: len(watched.frame_sizes) >= 10)
        assert watched.frame_sizes[-1] == (WIDTH, HEIGHT), watched.frame_sizes[-5:]

        output = agent_session.output.audio
        assert isinstance(output, DataStreamAudioOutput)
        finished: list[tuple[float, PlaybackFinishedEvent]] = []
        output.on("playback_finished", lambda ev: finished.append((time.monotonic(), ev)))

        async def segment(pcm: bytes, *, interrupt_after: float | None = None,
                          cut_capture: bool = False) -> tuple[PlaybackFinishedEvent, float]:
            """Speaks one segment; returns its playback_finished and how long after clear_buffer() it came (after
            the first frame's capture when there was no clear)."""
            count = len(finished)
            began = time.monotonic()
            if cut_capture:
                # The TTS is cancelled mid-sentence: generation.py flushes, then clears.
                await capture(output, pcm[: len(pcm) // 2 // 2 * 2])
                output.flush()
            else:
                await capture(output, pcm)
                output.flush()
                if interrupt_after is not None:
                    await asyncio.sleep(interrupt_after)
            cleared_at = began
            if cut_capture or interrupt_after is not None:
                cleared_at = time.monotonic()
                output.clear_buffer()
            await within(seconds_of(pcm) + 5, "playback_finished", output.wait_for_playout())
            assert len(finished) == count + 1, f"expected one playback_finished, got {finished[count:]}"
            at, event = finished[-1]
            return event, at - cleared_at

        hello = speech("Hello! I am the astronaut, and I speak for the agent.")
        long = speech("This sentence is long, and it will be cut off before it ends, because the user talks over it.")
        short = speech("One moment, please.")
        last = speech("Still here, and still talking to you.")

        # 3. A whole segment plays to its end: the position is its length.
        spoke_at = time.monotonic()
        event, took = await segment(hello)
        assert not event.interrupted
        assert abs(event.playback_position - seconds_of(hello)) <= 0.1, (event, seconds_of(hello))
        # Pushed faster than real time, it is reported when it has played, not when it arrived.
        assert took > seconds_of(hello) - 0.2, f"playback_finished came {took:.2f} s after the speech was sent"
        assert watched.level_between(spoke_at, time.monotonic()) > 4 * max(1.0, watched.level_between(0, spoke_at))

        # 4. Interrupted part-way: interrupted, at a position short of the end, answered at once (livekit-agents'
        # own fallback would answer only after 2 s, with the whole length as the position).
        event, took = await segment(long, interrupt_after=1.2)
        assert event.interrupted
        assert 0.5 < event.playback_position < seconds_of(long) - 0.5, (event, seconds_of(long))
        assert took < 1.0, f"playback_finished came {took:.2f} s after clear_buffer"

        # 5. Twenty interruptions in a row, half of them while the speech is still being captured.
        for i in range(20):
            event, took = await segment(short, interrupt_after=None if i % 2 else 0.15, cut_capture=bool(i % 2))
            assert event.interrupted, (i, event)
            assert event.playback_position < seconds_of(short), (i, event)
            assert took < 1.0, f"interruption {i}: playback_finished came {took:.2f} s after clear_buffer"

        # 6. Speech after them still plays, to its end, and is heard.
        spoke_at = time.monotonic()
        event, took = await segment(last)
        assert not event.interrupted
        assert abs(event.playback_position - seconds_of(last)) <= 0.1, (event, seconds_of(last))
        assert took > seconds_of(last) - 0.2, f"playback_finished came {took:.2f} s after the speech was sent"
        assert watched.level_between(spoke_at, time.monotonic()) > 1000, "the avatar's audio was silent"
        assert len(finished) == 1 + 1 + 20 + 1

        # 7. The video went on at the avatar's size throughout.
        recent = watched.frame_sizes[-20:]
        assert recent and all(size == (WIDTH, HEIGHT) for size in recent), recent

        # 8. aclose() ends the session: the API says so, and the avatar leaves the room.
        session_id = avatar.session_id
        await within(15, "avatar.aclose()", avatar.aclose())
        info = await avatars.AvatarsAPI(api_url=world.api.url, api_key=world.key).get_session(session_id)
        assert (info["state"], info["endReason"]) == ("ended", "deleted"), info
        await until(10, "the avatar to leave the room", lambda: AVATAR_IDENTITY not in room.remote_participants)
    finally:
        await avatar.aclose()
        for task in watched.tasks:
            task.cancel()
        await room.disconnect()


async def test_a_started_agent_session_speaks_through_the_avatar(world: World) -> None:
    """The README's flow with a started AgentSession: avatar.start() before session.start() with the room's audio
    output off, then session.say() and interruptions. The speech is espeak-ng's, at 22050 Hz, passed as say()'s
    audio (no TTS service needed): the session resamples it to the rate the plugin's output asks for."""
    room_name = f"e2e-{uuid.uuid4().hex[:8]}"
    room = rtc.Room()
    await within(10, "the agent to join the room",
                 room.connect(world.livekit.url, room_token(room_name, "agent-session", kind="agent")))
    session: AgentSession[None] = AgentSession(
        turn_handling=TurnHandlingOptions(interruption={"resume_false_interruption": False})
    )
    avatar = avatars.AvatarSession(avatar_id=world.avatar_id, api_url=world.api.url, api_key=world.key)
    try:
        await within(60, "avatar.start()", avatar.start(
            session, room, livekit_url=world.livekit.url, livekit_api_key=LIVEKIT_API_KEY,
            livekit_api_secret=LIVEKIT_API_SECRET))
        output = session.output.audio
        assert isinstance(output, DataStreamAudioOutput)
        finished: list[PlaybackFinishedEvent] = []
        output.on("playback_finished", finished.append)
        await within(20, "session.start()", session.start(
            agent=Agent(instructions="You are a test."), room=room,
            room_options=room_io.RoomOptions(audio_input=False, text_input=False, audio_output=False),
            record=False))
        # The session kept the avatar's output at the bottom of its audio chain.
        sink: Any = session.output.audio
        while sink is not None and sink is not output:
            sink = sink.next_in_chain
        assert sink is output, session.output.audio

        def spoken(text: str) -> tuple[float, Any]:
            pcm = espeak(text)
            step = ESPEAK_RATE // 50 * 2  # 20 ms
            async def frames() -> Any:
                for start in range(0, len(pcm), step):
                    chunk = pcm[start : start + step]
                    yield rtc.AudioFrame(chunk, ESPEAK_RATE, 1, len(chunk) // 2)
            return len(pcm) / 2 / ESPEAK_RATE, frames()

        seconds, audio = spoken("Hello from a real agent session.")
        handle = session.say("Hello from a real agent session.", audio=audio)
        await within(seconds + 10, "the greeting to play", handle.wait_for_playout())
        assert not handle.interrupted
        assert len(finished) == 1 and not finished[0].interrupted
        assert abs(finished[0].playback_position - seconds) <= 0.1, (finished[0], seconds)

        for i in range(5):
            seconds, audio = spoken("This will be interrupted by the user, again and again.")
            handle = session.say("This will be interrupted.", audio=audio, allow_interruptions=True)
            await asyncio.sleep(0.8 if i == 0 else 0.3)
            handle.interrupt()
            await within(5, f"interruption {i} to settle", handle.wait_for_playout())
            assert handle.interrupted
            assert finished[-1].interrupted and finished[-1].playback_position < seconds - 0.3, finished[-1]

        seconds, audio = spoken("And after all that, I still speak to the end.")
        handle = session.say("And after all that, I still speak to the end.", audio=audio)
        await within(seconds + 10, "the last sentence to play", handle.wait_for_playout())
        assert not handle.interrupted and not finished[-1].interrupted
        assert abs(finished[-1].playback_position - seconds) <= 0.1, (finished[-1], seconds)
        assert len(finished) == 1 + 5 + 1
    finally:
        await session.aclose()
        await avatar.aclose()
        await room.disconnect()


async def test_the_apis_refusals_reach_the_agent_as_avatars_errors(world: World) -> None:
    room = rtc.Room()
    await within(10, "the agent to join the room",
                 room.connect(world.livekit.url, room_token(f"e2e-{uuid.uuid4().hex[:8]}", "agent-x", kind="agent")))
    no_retry = APIConnectOptions(max_retry=0, retry_interval=0, timeout=5)
    try:
        # A token signed with the wrong secret: the LiveKit server refuses it, and the API says why (400).
        avatar = avatars.AvatarSession(avatar_id=world.avatar_id, api_url=world.api.url, api_key=world.key,
                                       conn_options=no_retry)
        with pytest.raises(avatars.AvatarsError) as raised:
            await within(60, "the refusal of a bad token", avatar.start(
                AgentSession(), room, livekit_url=world.livekit.url, livekit_api_key=LIVEKIT_API_KEY,
                livekit_api_secret="not-the-secret-of-this-server"))
        assert raised.value.status == 400, raised.value
        assert raised.value.code == "livekit-refused", raised.value
        assert "refused the avatar's token" in raised.value.message and "signature" in raised.value.message

        # A LiveKit server that is not there: 502.
        avatar = avatars.AvatarSession(avatar_id=world.avatar_id, api_url=world.api.url, api_key=world.key,
                                       conn_options=no_retry)
        with pytest.raises(avatars.AvatarsError) as raised:
            await within(60, "the refusal of an unreachable LiveKit URL", avatar.start(
                AgentSession(), room, livekit_url=f"ws://127.0.0.1:{free_port()}", livekit_api_key=LIVEKIT_API_KEY,
                livekit_api_secret=LIVEKIT_API_SECRET))
        assert raised.value.status == 502, raised.value
        assert raised.value.code == "livekit-unreachable", raised.value
        assert "could not be reached" in raised.value.message

        # An avatar that does not exist, and a key that is not one: 404 and 401, never retried.
        for avatar_id, key, status in (("avt_doesnotexist", world.key, 404), (world.avatar_id, "sk_wrong", 401)):
            avatar = avatars.AvatarSession(avatar_id=avatar_id, api_url=world.api.url, api_key=key)
            with pytest.raises(avatars.AvatarsError) as raised:
                await within(30, f"the {status}", avatar.start(
                    AgentSession(), room, livekit_url=world.livekit.url, livekit_api_key=LIVEKIT_API_KEY,
                    livekit_api_secret=LIVEKIT_API_SECRET))
            assert raised.value.status == status, raised.value
            assert not raised.value.retryable
    finally:
        await room.disconnect()
