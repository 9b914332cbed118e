"""The LiveKit side of the tests; the real processes they run (livekit-server, the Avatars API) come from
avatars.testing, which the client's and the Pipecat plugin's tests share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from livekit import api, rtc
from livekit.agents import DEFAULT_API_CONNECT_OPTIONS, Agent, AgentSession, APIConnectOptions, room_io, tts, utils
from livekit.agents.voice.io import TimedString
from livekit.plugins.avatars.words import Word

from avatars.testing import LIVEKIT_API_KEY, LIVEKIT_API_SECRET, within


def room_token(room: str, identity: str, *, kind: str = "standard") -> str:
    """A token for a participant of our own (the agent, a viewer)."""
    return (
        api.AccessToken(api_key=LIVEKIT_API_KEY, api_secret=LIVEKIT_API_SECRET)
        .with_identity(identity)
        .with_kind(kind)  # type: ignore[arg-type]  # "agent" | "standard" are the two the tests use
        .with_grants(api.VideoGrants(room_join=True, room=room))
        .to_jwt()
    )


# A word's int16 mono PCM, and how many seconds into it the word is spoken (its timed end).
SayWord = Callable[[str], Awaitable[tuple[bytes, float]]]


class TimedWordsTTS(tts.TTS[None]):
    """A streaming TTS that says one word at a time with ``say`` and times each word in its segment's audio, as a TTS
    that aligns its transcript does. ``timed`` keeps each segment's words as they were timed."""

    def __init__(self, sample_rate: int, say: SayWord) -> None:
        super().__init__(
            capabilities=tts.TTSCapabilities(streaming=True, aligned_transcript=True),
            sample_rate=sample_rate,
            num_channels=1,
        )
        self.say = say
        self.timed: list[list[Word]] = []

    def synthesize(
        self, text: str, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS
    ) -> tts.ChunkedStream:
        return self._synthesize_with_stream(text, conn_options=conn_options)

    def stream(self, *, conn_options: APIConnectOptions = DEFAULT_API_CONNECT_OPTIONS) -> tts.SynthesizeStream:
        return _TimedWordsStream(tts=self, conn_options=conn_options)


class _TimedWordsStream(tts.SynthesizeStream):
    async def _run(self, output_emitter: tts.AudioEmitter) -> None:
        speaker = self._tts
        assert isinstance(speaker, TimedWordsTTS)
        output_emitter.initialize(
            request_id=utils.shortuuid(), sample_rate=speaker.sample_rate, num_channels=1, mime_type="audio/pcm", stream=True
        )
        output_emitter.start_segment(segment_id=utils.shortuuid())
        text = ""
        async for data in self._input_ch:
            if isinstance(data, str):
                text += data
        timed: list[Word] = []
        at = 0.0
        for word in text.split():
            pcm, spoken = await speaker.say(word)
            output_emitter.push_timed_transcript(TimedString(f"{word} ", start_time=at, end_time=at + spoken))
            output_emitter.push(pcm)
            timed.append(Word(word, round(at, 3), round(at + spoken, 3)))
            at += len(pcm) / 2 / speaker.sample_rate
        speaker.timed.append(timed)
        output_emitter.end_segment()


async def start_in_room(session: AgentSession[None], room: rtc.Room) -> None:
    """Starts ``session`` in ``room`` with only RoomIO's transcription output, as the words tests need: the audio goes
    to the avatar through the output the test installed."""
    await within(20, "session.start()", session.start(
        agent=Agent(instructions="You are a test."), room=room,
        room_options=room_io.RoomOptions(audio_input=False, text_input=False, audio_output=False),
        record=False))
