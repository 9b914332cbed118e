"""The agent's timed words reach the avatar's mouth, end to end and every part real: an AgentSession with
``use_tts_aligned_transcript`` and this plugin's outputs, livekit-server --dev, the Avatars API and its rendering
container. The avatar's token asks for each frame's mouth on the debug topic (docs/livekit.md), so the test sees what
the face did. The TTS "speaks" a buzz per word with a quiet hiss where its m lies, which the audio alone reads as teeth
together (s), never as pressed lips, and the words are "ma"s, whose m presses them: a frame with the lips pressed is
the words' doing, and where it lies says when. (A silent gap would not do: the analyzer's lip detector reads silence
after a voice as a closure.)
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import uuid
from collections.abc import AsyncIterator
from typing import Any

from avatars.testing import LIVEKIT_API_KEY, LIVEKIT_API_SECRET, within
from livekit import api, rtc
from livekit.agents import AgentSession
from livekit.agents.types import ATTRIBUTE_PUBLISH_ON_BEHALF
from livekit.plugins import avatars

from .support import TimedWordsTTS, room_token, start_in_room
from .test_e2e import World, world  # noqa: F401  (the module's deployed avatar)

AVATAR = "avatars-avatar-agent"
RATE = avatars.SAMPLE_RATE
WORD_SECONDS = 0.4


def buzz(seconds: float) -> bytes:
    """A voice's buzz (a 120 Hz sawtooth) as int16 PCM at RATE, with a quiet hiss for the first 100 ms of every
    WORD_SECONDS: where each word's m lies (the words' m presses the lips only as far as the audio keeps the jaw nearly
    shut, as a hiss does)."""
    noise = random.Random(1)
    out = bytearray()
    last = 0.0
    for i in range(round(seconds * RATE)):
        white = noise.random() - 0.5
        hiss = 0.1 * (white - last)  # white noise's first difference: its energy high up, as an s
        last = white
        value = hiss if (i / RATE) % WORD_SECONDS < 0.1 else 0.3 * ((i * 120 / RATE) % 1) - 0.15
        out += int(32767 * value).to_bytes(2, "little", signed=True)
    return bytes(out)


async def say_as_buzz(word: str) -> tuple[bytes, float]:
    """WORD_SECONDS of buzz for any word, the word timed over its first three quarters."""
    return buzz(WORD_SECONDS), 0.3


async def buzz_frames(seconds: float) -> AsyncIterator[rtc.AudioFrame]:
    pcm = buzz(seconds)
    step = RATE // 50 * 2
    for start in range(0, len(pcm), step):
        chunk = pcm[start : start + step]
        yield rtc.AudioFrame(chunk, RATE, 1, len(chunk) // 2)


async def test_the_words_of_an_agent_session_press_the_avatars_lips_where_they_are_said(world: World) -> None:  # noqa: F811
    room_name = f"words-e2e-{uuid.uuid4().hex[:8]}"
    agent_identity = "agent-words-e2e"
    room = rtc.Room()
    mouths: list[dict[str, Any]] = []

    def on_data(packet: rtc.DataPacket) -> None:
        if packet.topic == "avatars.debug":
            event = json.loads(packet.data)
            if event.get("type") == "mouth" and event.get("speechMs") is not None:
                mouths.append(event)

    room.on("data_received", on_data)
    await within(10, "the agent to join", room.connect(world.livekit.url, room_token(room_name, agent_identity, kind="agent")))
    # The plugin's token, plus the attribute that asks for the mouth on the debug topic.
    token = (
        api.AccessToken(api_key=LIVEKIT_API_KEY, api_secret=LIVEKIT_API_SECRET)
        .with_kind("agent")
        .with_identity(AVATAR)
        .with_grants(api.VideoGrants(room_join=True, room=room_name))
        .with_attributes({ATTRIBUTE_PUBLISH_ON_BEHALF: agent_identity, "avatars.debug": "mouth"})
        .to_jwt()
    )
    client = avatars.AvatarsAPI(api_url=world.api.url, api_key=world.key)
    started = await within(60, "the avatar's session", client.create_livekit_session(
        world.avatar_id, livekit_url=world.livekit.url, livekit_token=token))
    session: AgentSession[None] = AgentSession(tts=TimedWordsTTS(RATE, say_as_buzz), use_tts_aligned_transcript=True)
    audio = avatars.AvatarsAudioOutput(
        room, destination_identity=AVATAR, sample_rate=RATE, wait_remote_track=rtc.TrackKind.KIND_VIDEO
    )
    session.output.audio = audio
    detach = avatars.attach_words(session, audio)
    try:
        await start_in_room(session, room)
        said = "ma ma ma ma"
        handle = session.say(said)
        await within(20, "the words to play", handle.wait_for_playout())
        # The same buzz without timings (its own audio): the mouth on the audio alone.
        handle = session.say(said, audio=buzz_frames(4 * WORD_SECONDS))
        await within(20, "the untimed buzz to play", handle.wait_for_playout())
        await asyncio.sleep(0.3)

        def pressed(m: dict[str, Any]) -> bool:  # the hiss alone reads about 0.2, the words' m in it more than 0.6
            return bool((m.get("consonants") or {}).get("pp", 0) >= 0.6)

        timed = [m for m in mouths if m["speechMs"] < 4 * WORD_SECONDS * 1000]
        untimed = [m for m in mouths if m["speechMs"] >= 4 * WORD_SECONDS * 1000]
        assert len(timed) > 20 and len(untimed) > 20, (len(timed), len(untimed))
        # Each word's m: where the word starts, in its first half (the m, then the a).
        words_pressed = set()
        for m in filter(pressed, timed):
            t = m["speechMs"] / 1000
            word = math.floor(t / WORD_SECONDS + 0.125)  # up to 50 ms early: the press reaches 30 ms past the m
            assert t - word * WORD_SECONDS <= 0.15 + 0.03, f"a pressed frame at {t:.3f} s, not on an m"
            words_pressed.add(word)
        # The first word's m lies in the segment's first 70 ms, before the first frame that shows the segment (75 ms in).
        assert len(words_pressed) >= 3, (words_pressed, [m["speechMs"] for m in filter(pressed, timed)])
        assert [m for m in untimed if pressed(m)] == []
    finally:
        detach()
        await session.aclose()
        await client.end_session(started.session_id)
        await room.disconnect()
