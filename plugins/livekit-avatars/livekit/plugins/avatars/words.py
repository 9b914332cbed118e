"""The agent's timed words, sent to its avatar so that the mouth follows their phonemes (docs/livekit.md, "The agent's
words").

With ``use_tts_aligned_transcript=True`` and a TTS that aligns its transcript, livekit-agents passes each segment's
``TimedString`` pieces (``start_time``/``end_time`` in seconds from the segment's audio) to the session's transcription
output. ``WordsTextOutput`` sits at the head of that chain, collects them, and at the segment's end hands its words to
``AvatarsAudioOutput``, which sends them on ``WORDS_TOPIC`` naming the segment's ``lk.audio_stream`` byte stream. Without
timings nothing is sent, and the avatar's mouth follows the audio alone.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from livekit import rtc
from livekit.agents import AgentSession, utils
from livekit.agents.voice import io
from livekit.agents.voice.avatar import DataStreamAudioOutput

from .log import logger

WORDS_TOPIC = "avatars.words"
WORDS_SEGMENT_ATTRIBUTE = "avatars.audio_stream_id"

# The avatar's limits (renderer/live/speech-protocol.ts): a message holds at most MAX_WORDS words of at most
# MAX_WORD_CHARS characters, timed within MAX_WORD_SECONDS; a segment with more words is sent in several messages.
MAX_WORDS = 1000
MAX_WORD_CHARS = 64
MAX_WORD_SECONDS = 600.0

# Audio streams whose ids are kept, for words that come once their segment has closed.
_STREAMS_KEPT = 8


@dataclass(frozen=True)
class Word:
    word: str
    start: float
    end: float


def words_of(pieces: Sequence[str]) -> list[Word]:
    """The timed words of one segment's aligned transcript, as the avatar takes them.

    A piece that is one word with a ``start_time`` is a word; it ends at its ``end_time``, else where the next timed
    piece starts (a last word with neither is left out). A piece of several words (a sentence with only its start, as
    livekit-agents' StreamAdapter times it) is no word timing and is left out, as are untimed pieces. Times are made
    to pass the avatar's checks: in order, none before the previous word's end, within 0..600 s.
    """
    timed: list[tuple[str, float, float | None]] = []
    for piece in pieces:
        if not isinstance(piece, io.TimedString) or not utils.is_given(piece.start_time):
            continue
        end = piece.end_time if utils.is_given(piece.end_time) else None
        timed.append((piece.strip(), piece.start_time, end))
    words: list[Word] = []
    for i, (text, start, end) in enumerate(timed):
        if not text or len(text.split()) != 1:
            continue
        if end is None:
            later = [s for _, s, _ in timed[i + 1 :] if s > start]
            if not later:
                continue
            end = later[0]
        start = min(max(start, words[-1].end if words else 0.0), MAX_WORD_SECONDS)
        end = min(max(end, start), MAX_WORD_SECONDS)
        words.append(Word(text[:MAX_WORD_CHARS], round(start, 3), round(end, 3)))
    return words


def words_messages(words: Sequence[Word]) -> list[str]:
    """The bodies that carry ``words``: ``{"text", "words": [{"word", "start", "end"}]}``, MAX_WORDS at most each."""
    bodies = []
    for at in range(0, len(words), MAX_WORDS):
        part = words[at : at + MAX_WORDS]
        bodies.append(json.dumps({
            "text": " ".join(w.word for w in part),
            "words": [{"word": w.word, "start": w.start, "end": w.end} for w in part],
        }))
    return bodies


# Where the audio was when a segment's text began: how many streams had opened, and whether one was open.
_Mark = tuple[int, bool]


class AvatarsAudioOutput(DataStreamAudioOutput):
    """livekit-agents' ``DataStreamAudioOutput`` (the segments' audio to the avatar, as LiveKit's avatar protocol has
    it) that also sends each segment's timed words, from ``WordsTextOutput``, on ``WORDS_TOPIC``."""

    def __init__(
        self,
        room: rtc.Room,
        *,
        destination_identity: str,
        sample_rate: int | None = None,
        wait_remote_track: rtc.TrackKind.ValueType | None = None,
    ) -> None:
        super().__init__(
            room, destination_identity=destination_identity, sample_rate=sample_rate, wait_remote_track=wait_remote_track
        )
        self._words_room = room
        self._opened = 0  # audio streams opened
        self._stream_ids: dict[int, str] = {}  # the latest ones' ids, by their number
        self._pending: list[Word] | None = None  # a segment's words whose audio stream has not opened yet
        self._words_tasks: set[asyncio.Task[None]] = set()

    async def capture_frame(self, frame: rtc.AudioFrame) -> None:
        opening = self._stream_writer is None
        await super().capture_frame(frame)
        # DataStreamAudioOutput opens a segment's stream on its first frame; its id is what the words name.
        writer = self._stream_writer
        if opening and writer is not None:
            self._opened += 1
            self._stream_ids[self._opened] = writer.info.stream_id
            self._stream_ids.pop(self._opened - _STREAMS_KEPT, None)
            pending, self._pending = self._pending, None
            if pending:
                self._send_words(writer.info.stream_id, pending)

    def clear_buffer(self) -> None:
        # Words waiting for a segment the interruption cancelled must not go to the next one.
        self._pending = None
        super().clear_buffer()

    def words_mark(self) -> _Mark:
        return self._opened, self._stream_writer is not None

    def segment_words(self, mark: _Mark, words: list[Word]) -> None:
        """A segment's words, whose text began at ``mark``: they go with the stream that was open then, else the first
        one opened since, else the next one to open."""
        opened, was_open = mark
        if was_open:
            target = opened
        elif self._opened > opened:
            target = opened + 1
        else:
            self._pending = words
            return
        stream_id = self._stream_ids.get(target)
        if stream_id is not None:
            self._send_words(stream_id, words)

    def _send_words(self, stream_id: str, words: list[Word]) -> None:
        task = asyncio.create_task(self._send_words_task(stream_id, words))
        self._words_tasks.add(task)
        task.add_done_callback(self._words_tasks.discard)

    async def _send_words_task(self, stream_id: str, words: list[Word]) -> None:
        try:
            for body in words_messages(words):
                await self._words_room.local_participant.send_text(
                    body,
                    topic=WORDS_TOPIC,
                    attributes={WORDS_SEGMENT_ATTRIBUTE: stream_id},
                    destination_identities=[self._destination_identity],
                )
        except Exception as e:
            # The audio plays on without them: the mouth follows the audio alone.
            logger.warning("failed to send the segment's words to the avatar", extra={"error": str(e)})


class WordsTextOutput(io.TextOutput):
    """The head of the session's transcription output: passes everything on, and hands each segment's timed words to
    the avatar's audio output when the segment's text ends."""

    def __init__(self, audio: AvatarsAudioOutput, *, next_in_chain: io.TextOutput | None) -> None:
        super().__init__(label="AvatarsWords", next_in_chain=next_in_chain)
        self._audio = audio
        self._pieces: list[str] = []
        self._mark: _Mark | None = None

    async def capture_text(self, text: str) -> None:
        if self._mark is None:
            self._mark = self._audio.words_mark()
        self._pieces.append(text)
        if self.next_in_chain:
            await self.next_in_chain.capture_text(text)

    def flush(self) -> None:
        pieces, mark = self._pieces, self._mark
        self._pieces, self._mark = [], None
        if mark is not None and (words := words_of(pieces)):
            self._audio.segment_words(mark, words)
        if self.next_in_chain:
            self.next_in_chain.flush()


def attach_words(agent_session: AgentSession[Any], audio: AvatarsAudioOutput) -> Callable[[], None]:
    """Puts a ``WordsTextOutput`` at the head of the session's transcription output, now and each time it is set.

    The avatar starts before the session, and RoomIO sets the transcription output in ``session.start()``: the session
    output's own change callback is the one place that hears of it. Returns the function that stops following.
    """
    output = agent_session.output
    changed: Callable[[], None] | None = getattr(output, "_transcription_changed", None)

    def wrap() -> None:
        sink = output.transcription
        if sink is not None and not isinstance(sink, WordsTextOutput):
            output.transcription = WordsTextOutput(audio, next_in_chain=sink)  # calls on_changed again: ours now

    if changed is None:
        # Another livekit-agents than the one this was written for: words only if the transcription output is set.
        logger.warning("cannot follow the session's transcription output: word timings may not reach the avatar")
        wrap()
        return lambda: None

    def on_changed() -> None:
        assert changed is not None
        changed()
        wrap()

    output._transcription_changed = on_changed
    wrap()

    def detach() -> None:
        if output._transcription_changed is on_changed:
            output._transcription_changed = changed

    return detach
