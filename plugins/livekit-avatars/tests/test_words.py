"""The agent's timed words to the avatar (docs/livekit.md, "The agent's words"), with every part real: livekit-server
--dev, an AgentSession started in a room as the README starts it, and a TTS that speaks with espeak-ng word by word
and times each word exactly. A participant with the avatar's identity receives what the plugin sends (the audio
streams and the words) and answers lk.playback_finished as the avatar does; the rendering container's use of the words
is tested on its side (test/livekit/livekit-words.test.ts).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from avatars.testing import ESPEAK_RATE, LiveKitServer, espeak, livekit_server, until, within
from livekit import rtc
from livekit.agents import AgentSession
from livekit.agents.voice.io import TimedString
from livekit.plugins import avatars
from livekit.plugins.avatars.words import Word, words_messages, words_of

from .support import TimedWordsTTS, room_token, start_in_room

AVATAR = "avatars-avatar-agent"


# --- the words of an aligned transcript ---


def test_words_are_the_timed_single_word_pieces_made_to_pass_the_avatars_checks() -> None:
    pieces = [
        TimedString("Hello ", start_time=0.0, end_time=0.31),
        TimedString("there, ", start_time=0.25, end_time=0.6),  # starts before the previous end: moved to it
        "untimed ",
        TimedString("my ", start_time=0.7),  # no end: the next timed piece's start
        TimedString("  ", start_time=0.9),
        TimedString("friend.", start_time=1.0),  # last, no end: left out
    ]
    assert words_of(pieces) == [Word("Hello", 0.0, 0.31), Word("there,", 0.31, 0.6), Word("my", 0.7, 0.9)]
    # A sentence timed by its start only (livekit-agents' StreamAdapter) is no word timing.
    assert words_of([TimedString("Hello there. ", start_time=0.0), TimedString("Bye. ", start_time=1.2)]) == []
    assert words_of(["no", "timings"]) == []
    long = words_of([TimedString("x" * 80, start_time=0.0, end_time=1.0)])
    assert long == [Word("x" * 64, 0.0, 1.0)]
    many = [Word("a", i / 10, i / 10 + 0.05) for i in range(2500)]
    bodies = [json.loads(b) for b in words_messages(many)]
    assert [len(b["words"]) for b in bodies] == [1000, 1000, 500]
    assert bodies[1]["words"][0] == {"word": "a", "start": 100.0, "end": 100.05}


# --- a TTS that times its words ---


async def say_with_espeak(word: str) -> tuple[bytes, float]:
    """espeak-ng's audio of one word, the word timed over all of it."""
    pcm = await asyncio.to_thread(espeak, word)
    return pcm, len(pcm) / 2 / ESPEAK_RATE


def word_tts() -> TimedWordsTTS:
    return TimedWordsTTS(ESPEAK_RATE, say_with_espeak)


# --- the avatar's side ---


@dataclass
class AvatarSide:
    """What a participant with the avatar's identity received: audio streams (id, seconds) and words (attributes, body)."""

    room: rtc.Room
    streams: list[tuple[str, float]] = field(default_factory=list)
    words: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def words_of(self, stream_id: str) -> list[Any]:
        """The words of every message that named ``stream_id``, in the order they came."""
        return [w for attributes, body in self.words if attributes.get(avatars.WORDS_SEGMENT_ATTRIBUTE) == stream_id
                for w in body["words"]]


async def avatar_side(lk: LiveKitServer, room_name: str, agent_identity: str) -> AvatarSide:
    side = AvatarSide(room=rtc.Room())

    async def play(reader: rtc.ByteStreamReader) -> None:
        size = 0
        async for chunk in reader:
            size += len(chunk)
        seconds = size / 2 / int((reader.info.attributes or {})["sample_rate"])
        side.streams.append((reader.info.stream_id, seconds))
        # Played at once: what matters here is what was sent, not when it plays.
        await side.room.local_participant.perform_rpc(
            destination_identity=agent_identity,
            method="lk.playback_finished",
            payload=json.dumps({"playback_position": seconds, "interrupted": False}),
        )

    async def read_words(reader: rtc.TextStreamReader) -> None:
        side.words.append((dict(reader.info.attributes or {}), json.loads(await reader.read_all())))

    def keep(task: asyncio.Task[None]) -> None:
        side.tasks.add(task)
        task.add_done_callback(side.tasks.discard)

    side.room.register_byte_stream_handler("lk.audio_stream", lambda reader, _who: keep(asyncio.create_task(play(reader))))
    side.room.register_text_stream_handler(
        avatars.WORDS_TOPIC, lambda reader, _who: keep(asyncio.create_task(read_words(reader)))
    )
    await side.room.connect(lk.url, room_token(room_name, AVATAR, kind="agent"))
    return side


@pytest.fixture(scope="module")
def lk() -> Iterator[LiveKitServer]:
    with livekit_server() as server:
        yield server


async def frames_of(pcm: bytes) -> AsyncIterator[rtc.AudioFrame]:
    step = ESPEAK_RATE // 50 * 2
    for start in range(0, len(pcm), step):
        chunk = pcm[start : start + step]
        yield rtc.AudioFrame(chunk, ESPEAK_RATE, 1, len(chunk) // 2)


async def test_each_segments_word_timings_go_to_the_avatar_naming_its_audio_stream(lk: LiveKitServer) -> None:
    room_name = f"words-{uuid.uuid4().hex[:8]}"
    agent_identity = "agent-words"
    avatar = await avatar_side(lk, room_name, agent_identity)
    room = rtc.Room()
    await within(10, "the agent to join", room.connect(lk.url, room_token(room_name, agent_identity, kind="agent")))
    speaker = word_tts()
    session: AgentSession[None] = AgentSession(tts=speaker, use_tts_aligned_transcript=True)
    # What AvatarSession.start() installs once the API has the avatar in the room (here the avatar is the test's).
    audio = avatars.AvatarsAudioOutput(room, destination_identity=AVATAR, sample_rate=avatars.SAMPLE_RATE)
    session.output.audio = audio
    detach = avatars.attach_words(session, audio)
    try:
        await start_in_room(session, room)
        # RoomIO set the room's transcription output in start(): the words' output went to its head, before it.
        head = session.output.transcription
        assert isinstance(head, avatars.WordsTextOutput) and head.next_in_chain is not None, head

        sent = 0
        for n, text in enumerate(["Hello there, my friend.", "Mama made a map of Bombay."], start=1):
            handle = session.say(text)
            await within(30, f"segment {n} to play", handle.wait_for_playout())
            stream_id, seconds = avatar.streams[-1]
            expected = [{"word": w.word, "start": w.start, "end": w.end} for w in speaker.timed[-1]]
            # As they come: the first at once, the rest in a few messages; all naming the segment's audio stream.
            await until(5, f"segment {n}'s words", lambda: avatar.words_of(stream_id) == expected)
            assert all(attributes == {avatars.WORDS_SEGMENT_ATTRIBUTE: stream_id} for attributes, _ in avatar.words[sent:])
            assert all(body["text"] == " ".join(w["word"] for w in body["words"]) for _, body in avatar.words[sent:])
            sent = len(avatar.words)
            # The times count from the segment's audio, which the session resampled from 22050 Hz to 24 kHz.
            assert abs(speaker.timed[-1][-1].end - seconds) < 0.05, (speaker.timed[-1], seconds)

        # Speech without timings (its own audio): the audio goes, no words.
        pcm = espeak("No timings here.")
        handle = session.say("No timings here.", audio=frames_of(pcm))
        await within(30, "the untimed segment to play", handle.wait_for_playout())
        await until(5, "its audio stream", lambda: len(avatar.streams) == 3)
        await asyncio.sleep(0.5)
        assert len(avatar.words) == sent
    finally:
        detach()
        await session.aclose()
        await room.disconnect()
        await avatar.room.disconnect()


async def test_a_session_without_aligned_transcripts_sends_no_words(lk: LiveKitServer) -> None:
    room_name = f"words-{uuid.uuid4().hex[:8]}"
    agent_identity = "agent-plain"
    avatar = await avatar_side(lk, room_name, agent_identity)
    room = rtc.Room()
    await within(10, "the agent to join", room.connect(lk.url, room_token(room_name, agent_identity, kind="agent")))
    session: AgentSession[None] = AgentSession(tts=word_tts())  # use_tts_aligned_transcript left off
    audio = avatars.AvatarsAudioOutput(room, destination_identity=AVATAR, sample_rate=avatars.SAMPLE_RATE)
    session.output.audio = audio
    detach = avatars.attach_words(session, audio)
    try:
        await start_in_room(session, room)
        handle = session.say("Hello there, my friend.")
        await within(30, "the segment to play", handle.wait_for_playout())
        await until(5, "its audio stream", lambda: len(avatar.streams) == 1)
        await asyncio.sleep(0.5)
        assert avatar.words == []
    finally:
        detach()
        await session.aclose()
        await room.disconnect()
        await avatar.room.disconnect()
