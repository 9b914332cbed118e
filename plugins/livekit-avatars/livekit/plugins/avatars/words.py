"""The agent's timed words, sent to its avatar so that the mouth follows their phonemes (docs/livekit.md, "The agent's
words").

With ``use_tts_aligned_transcript=True`` and a TTS that aligns its transcript, livekit-agents passes each segment's
``TimedString`` pieces (``start_time``/``end_time`` in seconds from the segment's audio) to the session's transcription
output. ``WordsTextOutput`` sits at the head of that chain and collects them; ``AvatarsAudioOutput`` sends them on
``WORDS_TOPIC`` naming the segment's ``lk.audio_stream`` byte stream, as they come (a long reply's first words must not
wait for its last), batched so as not to send one message per word. Without timings nothing is sent, and the avatar's
mouth follows the audio alone.
"""

from __future__ import annotations

import asyncio
import json
import time
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
# A segment's first words go at once; later ones at most this often (seconds), so that the avatar, which phonemizes
# each message on its own, gets a few messages a second and not one per word.
SEND_EVERY = 0.25


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
        self._words_source: WordsTextOutput | None = None  # the text output that hands it words
        self._words_tasks: set[asyncio.Task[None]] = set()
        self._words_lock = asyncio.Lock()

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
                self.send_words(writer.info.stream_id, pending)
            elif self._words_source is not None:
                # Words that came before their stream go now, while its first audio waits out the avatar's jitter delay.
                self._words_source.send_ready()

    def clear_buffer(self) -> None:
        # Words waiting for a segment the interruption cancelled must not go to the next one.
        self._pending = None
        super().clear_buffer()

    def words_mark(self) -> _Mark:
        return self._opened, self._stream_writer is not None

    def stream_for(self, mark: _Mark) -> str | None:
        """The audio stream of the segment whose text began at ``mark``: the one open then, else the first one opened
        since; None while it has not opened."""
        opened, was_open = mark
        if was_open:
            return self._stream_ids.get(opened)
        if self._opened > opened:
            return self._stream_ids.get(opened + 1)
        return None

    def pend_words(self, words: list[Word]) -> None:
        """Words of a segment whose text ended before its audio began: they go with the next stream to open."""
        self._pending = words

    def send_words(self, stream_id: str, words: list[Word]) -> None:
        task = asyncio.create_task(self._send_words_task(stream_id, words))
        self._words_tasks.add(task)
        task.add_done_callback(self._words_tasks.discard)

    async def _send_words_task(self, stream_id: str, words: list[Word]) -> None:
        try:
            # One send after another (the lock wakes its waiters in the order they came, the tasks' order): a
            # segment's messages reach the avatar in the order of its words.
            async with self._words_lock:
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
    the avatar's audio output as they come (the first at once, then every SEND_EVERY seconds, the rest at the
    segment's end)."""

    def __init__(self, audio: AvatarsAudioOutput, *, next_in_chain: io.TextOutput | None) -> None:
        super().__init__(label="AvatarsWords", next_in_chain=next_in_chain)
        self._audio = audio
        self._pieces: list[str] = []
        self._mark: _Mark | None = None
        self._sent = 0  # words of this segment sent
        self._sent_at = 0.0
        audio._words_source = self

    async def capture_text(self, text: str) -> None:
        if self._mark is None:
            self._mark = self._audio.words_mark()
        self._pieces.append(text)
        if isinstance(text, io.TimedString) and (self._sent == 0 or time.monotonic() - self._sent_at >= SEND_EVERY):
            self._send(final=False)
        if self.next_in_chain:
            await self.next_in_chain.capture_text(text)

    def flush(self) -> None:
        self._send(final=True)
        self._pieces, self._mark, self._sent = [], None, 0
        if self.next_in_chain:
            self.next_in_chain.flush()

    def send_ready(self) -> None:
        """Sends the segment's complete words not yet sent, if its audio stream is known."""
        self._send(final=False)

    def _send(self, *, final: bool) -> None:
        if self._mark is None:
            return
        # A word is complete once its end is known (its own, or the next piece's start): words_of leaves the rest out.
        words = words_of(self._pieces)[self._sent :]
        if not words:
            return
        stream_id = self._audio.stream_for(self._mark)
        if stream_id is None:
            if final:
                self._audio.pend_words(words)
            return
        self._audio.send_words(stream_id, words)
        self._sent += len(words)
        self._sent_at = time.monotonic()


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
