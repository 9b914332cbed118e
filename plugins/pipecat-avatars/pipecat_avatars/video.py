"""AvatarsVideoService: a Pipecat video service for self-hosted Avatars (`tts → avatar → transport.output()`).

It opens a live session on a realtime_lipsync avatar when the pipeline starts, streams the bot's TTS audio to it over
the session's WebSocket and asks for the rendered frames and the audio back on the same socket ("frames over the
socket", docs/live-sessions.md). The renderer sends each media message when its playout clock reaches it, audio and
video on one clock, so the service forwards them in order as OutputImageRawFrames and SpeechOutputAudioRawFrames.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp
from avatars import expression
from avatars.types import Emotion, Expression
from loguru import logger
from pipecat.audio.resamplers.base_audio_resampler import BaseAudioResampler
from pipecat.audio.utils import create_stream_resampler
from pipecat.frames.frames import (
    CancelFrame,
    EndFrame,
    Frame,
    InterruptionFrame,
    MetricsFrame,
    OutputImageRawFrame,
    SpeechOutputAudioRawFrame,
    StartFrame,
    TTSAudioRawFrame,
    TTSStoppedFrame,
)
from pipecat.metrics.metrics import MetricsData, ProcessingMetricsData
from pipecat.processors.frame_processor import FrameDirection
from pipecat.services.ai_service import AIService
from pipecat.services.settings import ServiceSettings
from pipecat.utils.errors import ErrorCategory
from yarl import URL

from .api import UNREACHABLE, AvatarsAPIError, LiveSession, end_session, start_session
from .frames import AvatarExpressionFrame
from .media import (
    KIND_I420,
    KIND_JPEG,
    KIND_PCM16,
    MediaFormatError,
    MediaMessage,
    downmix_to_mono,
    i420_to_rgb,
    jpeg_to_rgb,
    parse_media,
)

SPEECH_RATES = (16000, 24000)  # what the session socket takes
MIN_INPUT_RATE, MAX_INPUT_RATE = 8000, 192000  # TTS rates the service resamples; others are refused
MAX_CHUNK_BYTES = 64 * 1024  # the socket's per-message limit
# Close codes after which the same agent token may connect again and find its session (docs/live-sessions.md):
# the connection dropped (1006), the API or renderer went away or failed (1001, 1011, 1012, 1013, 1014).
# 4008 (another connection took over) and the protocol's refusals are not retried: a retry would fail the same way.
RECONNECTABLE = frozenset({1001, 1006, 1011, 1012, 1013, 1014})
MAX_RECONNECTS = 5  # per session; each drop gets one attempt


class AvatarSessionMetricsData(MetricsData):
    """The session's own figures (the renderer's `metrics` event, every 2 s), with what this service dropped."""

    fps: float | None = None
    latency_p50_ms: float | None = None
    latency_p95_ms: float | None = None
    drift_ms: float | None = None
    frames_drawn: int = 0
    frames_skipped: int = 0
    frames_dropped: int = 0  # by the renderer, for a consumer that read too slowly
    audio_dropped_ms: float = 0
    queued_ms: float = 0
    speech_seconds: float = 0
    viewers: int = 0
    local_frames_dropped: int = 0  # by this service: its bounded media queue was full
    local_audio_dropped_ms: float = 0
    stale_media_dropped: int = 0  # media of interrupted speech, dropped at the barrier


@dataclass
class _Media:
    epoch: int
    message: MediaMessage


@dataclass
class _Speech:
    epoch: int
    pcm: bytes


class _SocketClosed(Exception):
    def __init__(self, code: int | None, message: str | None):
        self.code = code
        self.message = message
        super().__init__(f"closed with code {code}" + (f": {message}" if message else ""))


class AvatarsVideoService(AIService):
    """Speaks the bot's TTS audio with a self-hosted Avatars portrait (a `realtime_lipsync` avatar).

    Place it right after the TTS: `tts → AvatarsVideoService → transport.output()`. It takes the TTSAudioRawFrames
    (not passing them on) and pushes downstream the avatar's frames (OutputImageRawFrame, RGB, at the avatar's size
    and frame rate) and the same speech as SpeechOutputAudioRawFrames, re-timed to match the frames: a continuous
    stream, silence between utterances, from which the output transport tells when the bot speaks.

    Errors (a refused key, an avatar that is not Tier 3, audio it cannot resample, an API that goes away and does not
    come back) end the session with an ErrorFrame saying why and leave the pipeline running: from then on the TTS
    audio passes through unchanged, so the bot still talks, without a face.
    """

    def __init__(
        self,
        *,
        api_key: str,
        avatar_id: str,
        base_url: str = "http://localhost:3000",
        video: Literal["jpeg", "i420"] = "jpeg",
        jpeg_quality: int = 80,
        sample_rate: int | None = None,
        session: aiohttp.ClientSession | None = None,
        start_timeout_secs: float = 90.0,
        ready_timeout_secs: float = 15.0,
        max_speech_ahead_secs: float = 10.0,
        max_buffered_speech_secs: float = 120.0,
        media_queue_frames: int = 8,
        **kwargs: Any,
    ) -> None:
        """
        Args:
            api_key: an Avatars API key with `avatars:write` (X-API-Key).
            avatar_id: a `realtime_lipsync` avatar (`avt_…`). An on-demand one is deployed when the session starts.
            base_url: the API, e.g. `http://localhost:3000`.
            video: frames as `jpeg` (smaller on the wire) or raw `i420` (no encoding in the renderer); either way the
                service pushes RGB frames.
            jpeg_quality: 1..100, for `video="jpeg"`.
            sample_rate: the rate the speech is sent at, 16000 or 24000 (the TTS audio is resampled to it, and the
                avatar's audio comes back at it). By default 16000 if the pipeline's output rate is 16000 or less,
                otherwise 24000.
            session: an aiohttp session for the live session's WebSocket; by default the service makes its own.
                (The two API calls, start and end, go through the API's Python client, avatars.)
            start_timeout_secs: how long starting the session may take (deploying an on-demand avatar included).
            ready_timeout_secs: how long the socket may take to answer `start` with `ready`.
            max_speech_ahead_secs: speech is sent at most this far ahead of its playout (a TTS is usually faster
                than real time; the session refuses more than 30 s queued); the rest waits here.
            max_buffered_speech_secs: past this much speech waiting here, newer speech is dropped (counted).
            media_queue_frames: frames held between the socket and the pipeline before the oldest is dropped.
        """
        # No model to speak of; pipecat wants every setting given.
        super().__init__(settings=ServiceSettings(model=None), **kwargs)
        if not api_key:
            raise ValueError("AvatarsVideoService needs an api_key (an Avatars API key with avatars:write).")
        if not avatar_id:
            raise ValueError("AvatarsVideoService needs an avatar_id (a realtime_lipsync avatar, avt_…).")
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f'base_url must start with http:// or https://; got "{base_url}".')
        if video not in ("jpeg", "i420"):
            raise ValueError(f'video must be "jpeg" or "i420"; got "{video}".')
        if not 1 <= jpeg_quality <= 100:
            raise ValueError(f"jpeg_quality must be 1..100; got {jpeg_quality}.")
        if sample_rate is not None and sample_rate not in SPEECH_RATES:
            raise ValueError(f"sample_rate must be 16000 or 24000 (what the session takes); got {sample_rate}.")
        if media_queue_frames < 1:
            raise ValueError("media_queue_frames must be at least 1.")
        self._api_key = api_key
        self._avatar_id = avatar_id
        self._base_url = base_url.rstrip("/")
        self._video = video
        self._jpeg_quality = jpeg_quality
        self._requested_rate = sample_rate
        self._http = session
        self._owns_http = session is None
        self._start_timeout = start_timeout_secs
        self._ready_timeout = ready_timeout_secs
        self._max_ahead = max_speech_ahead_secs
        self._max_buffered = max_buffered_speech_secs

        self._speech_rate = sample_rate or 24000
        self._live: LiveSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ready: dict[str, Any] = {}
        self._started = False  # start() ran (the StartFrame reached the service)
        self._failed = False  # the session ended with an error: TTS audio passes through from then on
        self._ending = False  # we are ending the session ourselves: a close is expected
        self._ended_reason: str | None = None
        self._reconnects = 0  # attempts
        self._reconnected = 0
        self._last_socket_error: str | None = None
        self._warned_unstarted = False
        # The emotion last set: sent when the socket is up, and again on a reconnection (the session keeps it, but a
        # set_expression() while the socket was down never reached it).
        self._expression: Expression | None = None

        self._resampler: BaseAudioResampler | None = None
        self._resampler_rate = 0
        self._in_utterance = False

        # Interruptions: each bumps the epoch (what was queued before is stale) and, while the socket is up, sends
        # `interrupt`; media is dropped until as many `interrupted` events have come back (the barrier).
        self._epoch = 0
        self._pending_interrupts = 0

        # Speech waiting to be sent (bounded by duration) and when the renderer's queue would have played out.
        self._outgoing: deque[_Speech] = deque()
        self._outgoing_bytes = 0
        self._outgoing_event = asyncio.Event()
        self._play_until = 0.0
        self._ws_lock = asyncio.Lock()

        # Media between the socket and the pipeline: bounded, the oldest dropped when full.
        self._media: deque[_Media] = deque(maxlen=media_queue_frames * 5)  # about 5 audio messages per frame
        self._media_event = asyncio.Event()
        self._push_lock = asyncio.Lock()
        self._downstream_started = asyncio.Event()

        self._open_task: asyncio.Task[None] | None = None
        self._receive_task: asyncio.Task[None] | None = None
        self._push_task: asyncio.Task[None] | None = None
        self._send_task: asyncio.Task[None] | None = None
        self._closed_event = asyncio.Event()  # the session's socket closed for good (after `end`)

        self._local_frames_dropped = 0
        self._local_audio_dropped_ms = 0.0
        self._stale_dropped = 0
        self._speech_dropped_ms = 0.0

    # --- what a caller may read ---

    @property
    def session_id(self) -> str | None:
        """The live session's id once started (GET /api/v1/sessions/{id} says how it is doing)."""
        return self._live.session_id if self._live else None

    @property
    def viewer_token(self) -> str | None:
        """The session's viewer token: a browser may also watch it over WHEP (`whep_url`)."""
        return self._live.viewer_token if self._live else None

    @property
    def whep_url(self) -> str | None:
        return self._live.whep_url if self._live else None

    @property
    def video_size(self) -> tuple[int, int] | None:
        """The avatar's frame size, from the session's `ready`."""
        return (int(self._ready["width"]), int(self._ready["height"])) if self._ready else None

    @property
    def reconnections(self) -> int:
        """How many times the session's socket dropped and was connected again with the agent token."""
        return self._reconnected

    @property
    def frame_rate(self) -> float | None:
        return float(self._ready["frameRate"]) if self._ready else None

    def can_generate_metrics(self) -> bool:
        return True

    async def set_expression(self, name: Emotion, intensity: float = 1.0) -> None:
        """Shows an emotion on the avatar's face from now on, blended with its speech: `happy`, `sad`,
        `surprised`, `angry` or `thinking` at `intensity` 0..1; `neutral` clears it. The face eases into it over a
        quarter second. Before the session is up it waits and is sent once it is. ValueError for an unknown emotion
        or an intensity out of range. (Pushing an AvatarExpressionFrame does the same from inside the pipeline.)
        """
        self._expression = expression(name, intensity)
        await self._send_expression()

    async def _send_expression(self) -> None:
        ws = self._ws
        if self._expression is None or ws is None or ws.closed:
            return
        async with self._ws_lock:
            try:
                await ws.send_str(json.dumps({"type": "expression", **self._expression}))
            except (ConnectionError, RuntimeError):
                pass  # the socket is going away; the reconnection sends it

    # --- lifecycle ---

    async def start(self, frame: StartFrame) -> None:
        await super().start(frame)
        self._started = True
        if self._requested_rate is None:
            out_rate = self.processor_setup.audio_out_sample_rate
            self._speech_rate = 16000 if out_rate <= 16000 else 24000
        if self._http is None:
            self._http = aiohttp.ClientSession()
        self._push_task = self.create_task(self._push_handler(), "avatars-push")
        self._send_task = self.create_task(self._send_handler(), "avatars-send")
        # Deploying an on-demand avatar can take longer than the pipeline waits for its StartFrame (20 s by
        # default), so the session opens beside the pipeline; speech that comes meanwhile waits here (bounded).
        self._open_task = self.create_task(self._open(), "avatars-open")

    async def _open(self) -> None:
        try:
            self._live = await start_session(
                self._base_url, self._api_key, self._avatar_id, timeout=self._start_timeout
            )
        except AvatarsAPIError as e:
            await self._fail(str(e), category=e.category, exception=e)
            return
        except UNREACHABLE as e:
            await self._fail(
                f"Starting a session on avatar {self._avatar_id}: no answer from the API at {self._base_url} "
                f"({_describe(e)}; it may take up to {self._start_timeout:g} s)",
                category=ErrorCategory.CONNECTIVITY,
                exception=e,
            )
            return
        try:
            await self._connect()
        except (_SocketClosed, *UNREACHABLE) as e:
            await self._fail(
                f"Session {self._live.session_id}: its socket did not start ({_describe(e)})",
                category=ErrorCategory.CONNECTIVITY,
                exception=e,
            )
            return
        logger.info(f"{self}: session {self._live.session_id} ready ({self._ready})")
        self._outgoing_event.set()

    async def stop(self, frame: EndFrame) -> None:
        await super().stop(frame)
        await self._end(graceful=True)
        await self._close_http()

    async def cancel(self, frame: CancelFrame) -> None:
        await super().cancel(frame)
        await self._end(graceful=False)
        await self._close_http()

    async def cleanup(self) -> None:
        await self._end(graceful=False)
        await self._close_http()
        await super().cleanup()  # type: ignore[no-untyped-call]  # pipecat's AIService.cleanup has no annotations

    # --- frames ---

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)

        if isinstance(frame, InterruptionFrame):
            await self._interrupt()
            await self.push_frame(frame, direction)
        elif isinstance(frame, AvatarExpressionFrame):
            await self.set_expression(frame.emotion, frame.intensity)
        elif isinstance(frame, TTSAudioRawFrame) and direction == FrameDirection.DOWNSTREAM:
            await self._speech(frame)
        elif isinstance(frame, TTSStoppedFrame):
            await self._utterance_end()
            await self.push_frame(frame, direction)
        else:
            await self.push_frame(frame, direction)
            if isinstance(frame, StartFrame):
                # Media goes downstream only behind the StartFrame.
                self._downstream_started.set()

    async def _speech(self, frame: TTSAudioRawFrame) -> None:
        if self._failed:
            await self.push_frame(frame)  # no face any more: the bot still talks
            return
        if not self._started:
            if not self._warned_unstarted:
                self._warned_unstarted = True
                await self.push_error(
                    "AvatarsVideoService got TTS audio before its session started: run it in a Pipeline under a "
                    "PipelineTask (the StartFrame opens the avatar session); the audio passes through without a face",
                    category=ErrorCategory.APPLICATION,
                )
            await self.push_frame(frame)
            return
        channels, rate, audio = frame.num_channels, frame.sample_rate, frame.audio
        if channels < 1 or len(audio) % (2 * channels) or not MIN_INPUT_RATE <= rate <= MAX_INPUT_RATE:
            await self._fail(
                f"Avatar {self._avatar_id}: TTS audio at {rate} Hz with {channels} channel(s) and "
                f"{len(audio)} bytes cannot be resampled to {self._speech_rate} Hz (PCM16 of 1 or more channels at "
                f"{MIN_INPUT_RATE}..{MAX_INPUT_RATE} Hz is)",
                category=ErrorCategory.INVALID_REQUEST,
            )
            await self.push_frame(frame)
            return
        pcm = downmix_to_mono(audio, channels)
        if rate != self._speech_rate:
            if self._resampler is None or self._resampler_rate != rate:
                # One stream per input rate; pipecat's stream resampler keeps its history across chunks.
                self._resampler = create_stream_resampler(clear_after_secs=None)
                self._resampler_rate = rate
            pcm = await self._resampler.resample(pcm, rate, self._speech_rate)
        if not self._in_utterance:
            self._in_utterance = True
            await self.start_ttfb_metrics()  # stopped by the session's playback_started
        self._queue_speech(pcm)

    async def _utterance_end(self) -> None:
        self._in_utterance = False
        if self._resampler is not None and not self._failed:
            tail = await self._resampler.flush()  # the filter's last samples belong to this utterance
            if tail:
                self._queue_speech(tail)

    def _queue_speech(self, pcm: bytes) -> None:
        if not pcm:
            return
        if self._outgoing_bytes + len(pcm) > self._max_buffered * self._speech_rate * 2:
            self._speech_dropped_ms += len(pcm) / 2 / self._speech_rate * 1000
            logger.warning(f"{self}: more than {self._max_buffered:g} s of speech waiting to be sent; dropping")
            return
        self._outgoing.append(_Speech(self._epoch, pcm))
        self._outgoing_bytes += len(pcm)
        self._outgoing_event.set()

    async def _interrupt(self) -> None:
        async with self._push_lock:
            # Nothing of the interrupted speech goes out from here on: what is queued here is dropped, what the
            # socket still brings is dropped until the session's `interrupted` event (the barrier).
            self._epoch += 1
            self._stale_dropped += len(self._media)
            self._media.clear()
            self._outgoing.clear()
            self._outgoing_bytes = 0
            self._in_utterance = False
            if self._resampler is not None:
                await self._resampler.reset()  # type: ignore[no-untyped-call]  # unannotated in pipecat
            if self._started and not self._failed:
                # Sent now if the socket is up; otherwise by the (re)connection, whose media waits for its event.
                self._pending_interrupts += 1
            if self._ws is not None and not self._ws.closed:
                async with self._ws_lock:
                    try:
                        await self._ws.send_str(json.dumps({"type": "interrupt"}))
                    except (ConnectionError, RuntimeError):
                        pass  # the socket is going away; a reconnection re-sends it
            self._play_until = time.monotonic()
        # A media frame pushed just before this is in the next processor's input queue: let it move on before the
        # InterruptionFrame (a system frame, which overtakes data frames there) follows and clears it.
        for _ in range(3):
            await asyncio.sleep(0)

    # --- the session's socket ---

    async def _connect(self) -> None:
        """Connects the session's socket with the agent token, sends `start` and waits for `ready`."""
        assert self._http is not None and self._live is not None
        url = URL(self._live.url).update_query(token=self._live.token)
        ws = await asyncio.wait_for(
            self._http.ws_connect(url, max_msg_size=16 * 1024 * 1024, autoping=True),
            self._ready_timeout,
        )
        start = {
            "type": "start",
            "format": {"encoding": "pcm16", "sampleRate": self._speech_rate, "channels": 1},
            "output": {"video": self._video, "jpegQuality": self._jpeg_quality, "audio": True},
        }
        await ws.send_str(json.dumps(start))
        error: str | None = None
        deadline = time.monotonic() + self._ready_timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                await ws.close()
                raise _SocketClosed(None, f"no ready within {self._ready_timeout:g} s")
            message = await ws.receive(timeout=remaining)
            if message.type == aiohttp.WSMsgType.TEXT:
                event = json.loads(message.data)
                if event.get("type") == "ready":
                    break
                if event.get("type") == "error":
                    error = str(event.get("message"))
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
                raise _SocketClosed(ws.close_code, error or (str(message.extra) if message.extra else None))
            elif message.type == aiohttp.WSMsgType.ERROR:
                raise _SocketClosed(ws.close_code, f"{message.data}")
            # Media before `ready` cannot come (output starts with `start`'s answer); anything else is ignored.
        self._ready = event
        self._ws = ws
        self._last_socket_error = None
        if self._pending_interrupts:
            # An interrupt sent on the old socket may never have arrived: send it again, and wait for its event.
            self._pending_interrupts = 1
            await ws.send_str(json.dumps({"type": "interrupt"}))
        if self._expression is not None:
            await ws.send_str(json.dumps({"type": "expression", **self._expression}))
        self._receive_task = self.create_task(self._receive_handler(ws), "avatars-receive")

    async def _receive_handler(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        while True:
            message = await ws.receive()
            if message.type == aiohttp.WSMsgType.BINARY:
                self._on_media(message.data)
            elif message.type == aiohttp.WSMsgType.TEXT:
                await self._on_event(json.loads(message.data))
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING, aiohttp.WSMsgType.CLOSED):
                break
            elif message.type == aiohttp.WSMsgType.ERROR:
                self._last_socket_error = _describe(message.data)
                break
        if self._ws is ws:
            self._ws = None
        await self._socket_closed(ws.close_code)

    def _on_media(self, data: bytes) -> None:
        if self._pending_interrupts:
            self._stale_dropped += 1  # made before the interruption: the barrier has not passed yet
            return
        try:
            message = parse_media(data)
        except MediaFormatError as e:
            logger.warning(f"{self}: {e}")
            return
        if len(self._media) == self._media.maxlen:
            dropped = self._media[0].message
            if dropped.kind == KIND_PCM16:
                self._local_audio_dropped_ms += 10
            else:
                self._local_frames_dropped += 1
        self._media.append(_Media(self._epoch, message))
        self._media_event.set()

    async def _on_event(self, event: dict[str, Any]) -> None:
        kind = event.get("type")
        if kind == "interrupted":
            self._pending_interrupts = max(0, self._pending_interrupts - 1)
        elif kind == "playback_started":
            await self.stop_ttfb_metrics()
        elif kind == "metrics":
            await self._push_metrics(event)
        elif kind == "ended":
            self._ended_reason = str(event.get("reason"))
        elif kind == "error":
            self._last_socket_error = str(event.get("message"))

    async def _socket_closed(self, code: int | None) -> None:
        if self._ending or self._failed:
            self._closed_event.set()
            return
        assert self._live is not None
        sid = self._live.session_id
        why = f"code {code}" + (f": {self._last_socket_error}" if self._last_socket_error else "")
        if self._ended_reason is not None:
            await self._fail(f"Session {sid} ended ({self._ended_reason})", category=ErrorCategory.APPLICATION)
            return
        if code in RECONNECTABLE or code is None:
            if self._reconnects < MAX_RECONNECTS:
                self._reconnects += 1
                logger.warning(f"{self}: session {sid}'s socket closed ({why}); reconnecting with its token")
                try:
                    await self._connect()
                    self._reconnected += 1
                    logger.info(f"{self}: session {sid} reconnected")
                    self._outgoing_event.set()
                    return
                except (_SocketClosed, *UNREACHABLE) as e:
                    await self._fail(
                        f"Session {sid}: its socket closed ({why}) and reconnecting failed ({_describe(e)})",
                        category=ErrorCategory.CONNECTIVITY,
                        exception=e if isinstance(e, Exception) else None,
                    )
                    return
        await self._fail(f"Session {sid}: its socket closed ({why})", category=ErrorCategory.CONNECTIVITY)

    async def _send_handler(self) -> None:
        """Sends the queued speech, at most max_speech_ahead_secs ahead of its playout."""
        while True:
            await self._outgoing_event.wait()
            self._outgoing_event.clear()
            while self._outgoing and self._ws is not None:
                now = time.monotonic()
                ahead = self._play_until - now
                if ahead > self._max_ahead:
                    await asyncio.sleep(min(ahead - self._max_ahead, 0.1))
                    continue
                async with self._ws_lock:
                    # What is waiting goes out in as few messages as the socket allows: a TTS faster than real time
                    # then costs a few messages per utterance, not fifty a second.
                    batch = bytearray()
                    while self._outgoing and len(batch) + len(self._outgoing[0].pcm) <= MAX_CHUNK_BYTES:
                        item = self._outgoing.popleft()
                        self._outgoing_bytes -= len(item.pcm)
                        if item.epoch == self._epoch:  # otherwise queued before an interruption
                            batch += item.pcm
                    if not batch and self._outgoing:  # one item larger than a message
                        item = self._outgoing.popleft()
                        self._outgoing_bytes -= len(item.pcm)
                        batch += item.pcm if item.epoch == self._epoch else b""
                    if not batch or self._ws is None:
                        continue
                    jitter = float(self._ready.get("jitterMs", 80)) / 1000
                    for i in range(0, len(batch), MAX_CHUNK_BYTES):
                        chunk = bytes(batch[i : i + MAX_CHUNK_BYTES])
                        try:
                            await self._ws.send_bytes(chunk)
                        except (ConnectionError, RuntimeError) as e:
                            self._speech_dropped_ms += len(chunk) / 2 / self._speech_rate * 1000
                            logger.warning(f"{self}: speech not sent ({_describe(e)})")
                            break
                        played = len(chunk) / 2 / self._speech_rate
                        self._play_until = max(self._play_until, time.monotonic() + jitter) + played

    async def _push_handler(self) -> None:
        """Pushes the session's media downstream in the order the renderer sent it (it sends each when its playout
        clock reaches it, so they are already paced); decoding runs off the event loop."""
        await self._downstream_started.wait()
        while True:
            await self._media_event.wait()
            self._media_event.clear()
            while self._media:
                item = self._media.popleft()
                if item.epoch != self._epoch:
                    self._stale_dropped += 1
                    continue
                frame = await self._to_frame(item.message)
                if frame is None:
                    continue
                async with self._push_lock:
                    if item.epoch != self._epoch:
                        self._stale_dropped += 1
                        continue
                    await self.push_frame(frame)

    async def _to_frame(self, m: MediaMessage) -> Frame | None:
        pts = int(m.pts_ms * 1_000_000)  # pipecat's pts are nanoseconds; these are on the session's playout clock
        if m.kind == KIND_PCM16:
            audio = SpeechOutputAudioRawFrame(audio=m.payload, sample_rate=m.a, num_channels=m.b)
            audio.pts = pts
            return audio
        try:
            if m.kind == KIND_JPEG:
                rgb = await asyncio.to_thread(jpeg_to_rgb, m.payload, m.a, m.b)
            elif m.kind == KIND_I420:
                rgb = await asyncio.to_thread(i420_to_rgb, m.payload, m.a, m.b)
            else:
                return None
        except (MediaFormatError, OSError) as e:
            logger.warning(f"{self}: a frame could not be decoded ({e})")
            return None
        image = OutputImageRawFrame(image=rgb, size=(m.a, m.b), format="RGB")
        image.pts = pts
        return image

    async def _push_metrics(self, event: dict[str, Any]) -> None:
        if not self.metrics_enabled:
            return
        latency = event.get("latencyMs") or {}
        data: list[MetricsData] = []
        if latency.get("p50") is not None:
            # Processing time: a speech sample's arrival at the renderer to the frame showing its mouth.
            data.append(ProcessingMetricsData(processor=self.name, value=float(latency["p50"]) / 1000))
        data.append(
            AvatarSessionMetricsData(
                processor=self.name,
                fps=event.get("fps"),
                latency_p50_ms=latency.get("p50"),
                latency_p95_ms=latency.get("p95"),
                drift_ms=event.get("driftMs"),
                frames_drawn=int(event.get("framesDrawn") or 0),
                frames_skipped=int(event.get("framesSkipped") or 0),
                frames_dropped=int(event.get("framesDropped") or 0),
                audio_dropped_ms=float(event.get("audioDroppedMs") or 0),
                queued_ms=float(event.get("queuedMs") or 0),
                speech_seconds=float(event.get("speechSeconds") or 0),
                viewers=int(event.get("viewers") or 0),
                local_frames_dropped=self._local_frames_dropped,
                local_audio_dropped_ms=self._local_audio_dropped_ms,
                stale_media_dropped=self._stale_dropped,
            )
        )
        await self.push_frame(MetricsFrame(data=data))

    # --- ending ---

    async def _fail(
        self, sentence: str, *, category: ErrorCategory | None = None, exception: Exception | None = None
    ) -> None:
        """Ends the session with an ErrorFrame saying why; the pipeline goes on, the TTS audio passing through."""
        if self._failed:
            return
        self._failed = True
        ended = "The avatar session has ended" if self._live is not None else "No avatar session started"
        await self.push_error(
            f"{sentence.rstrip('.')}. {ended}; the bot's audio goes on without a face.",
            exception=exception,
            category=category,
        )
        await self._end(graceful=False)

    async def _end(self, *, graceful: bool) -> None:
        """Ends the session: with `end` (its queued speech plays out first) when graceful, otherwise at once (DELETE)."""
        already_ending = self._ending
        self._ending = True
        opening = self._open_task
        if opening is not None and not opening.done() and opening is not asyncio.current_task():
            if graceful:
                # The speech already given to the avatar still plays: let the session open (its own timeouts bound it).
                self._ending = False
                await asyncio.wait({opening})
                self._ending = True
            else:
                await self.cancel_task(opening)
        ws = self._ws
        if graceful and ws is not None and not ws.closed and not already_ending:
            await self._drain_outgoing()
            try:
                async with self._ws_lock:
                    await ws.send_str(json.dumps({"type": "end"}))
                # The renderer plays what is queued, sends `ended` and closes: wait for it, bounded.
                wait = max(0.0, self._play_until - time.monotonic()) + 5.0
                await asyncio.wait_for(self._closed_event.wait(), wait)
                # The last media the socket brought still goes out before the EndFrame.
                await self._wait_media_pushed(1.0)
            except (ConnectionError, RuntimeError, asyncio.TimeoutError) as e:
                logger.warning(f"{self}: the session did not end by itself ({_describe(e)}); deleting it")
        for task in (self._send_task, self._receive_task, self._push_task, self._open_task):
            if task is not None and task is not asyncio.current_task():
                await self.cancel_task(task)
        self._send_task = self._receive_task = self._push_task = self._open_task = None
        if ws is not None and not ws.closed:
            await ws.close()
        self._ws = None
        if self._live is not None and not already_ending:
            if self._ended_reason is None:
                try:
                    await end_session(self._base_url, self._api_key, self._live.session_id, timeout=5)
                except (AvatarsAPIError, *UNREACHABLE) as e:
                    logger.warning(f"{self}: ending session {self._live.session_id}: {_describe(e)}")

    async def _drain_outgoing(self) -> None:
        """Waits (bounded) until the speech waiting here has been sent, so `end` comes after it."""
        deadline = time.monotonic() + self._max_buffered + 5
        while self._outgoing and self._ws is not None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)

    async def _wait_media_pushed(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self._media and time.monotonic() < deadline:
            await asyncio.sleep(0.01)

    async def _close_http(self) -> None:
        if self._owns_http and self._http is not None and not self._http.closed:
            await self._http.close()


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
