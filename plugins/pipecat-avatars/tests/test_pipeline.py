"""A real pipecat pipeline around the service, against the real API and its rendering container: a source where a
TTS would be feeds espeak-ng speech (22050 Hz, which the service resamples) as 20 ms TTSAudioRawFrames between
TTSStartedFrame and TTSStoppedFrame, faster than real time as TTS services do; a sink records what comes out, with
arrival times. Every wait is bounded and says what it waited for."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from pipecat.frames.frames import (
    EndFrame,
    ErrorFrame,
    Frame,
    InterruptionFrame,
    MetricsFrame,
    OutputImageRawFrame,
    SpeechOutputAudioRawFrame,
    TextFrame,
    TTSAudioRawFrame,
    TTSStartedFrame,
    TTSStoppedFrame,
)
from pipecat.metrics.metrics import ProcessingMetricsData, TTFBMetricsData
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.frame_processor import FrameDirection, FrameProcessor
from pipecat.workers.runner import WorkerRunner

from avatars import AsyncAvatarsClient, AvatarsClient
from avatars.testing import ESPEAK_RATE, PORTRAIT, AvatarsServer, avatars_server, espeak, free_port, until, within
from avatars.types import LiveSession
from pipecat_avatars import AvatarExpressionFrame, AvatarSessionMetricsData, AvatarsVideoService

from .forwarder import Forwarder

WIDTH, HEIGHT, FPS = 256, 256, 25
FRAME_MS = 1000 / FPS
OUT_RATE = 24000  # the pipeline's output rate: the service speaks to the session at 24 kHz, and gets 24 kHz back
LOUD = 64  # a sample above this is speech (espeak-ng's silence is exact zeros; resampling rings far below it)

# --- the world: the API, a relay in front of it, a deployed realtime_lipsync avatar ---


@dataclass
class World:
    api: AvatarsServer
    relay: Forwarder
    key: str
    avatar_id: str

    def client(self) -> AsyncAvatarsClient:
        return AsyncAvatarsClient(api_key=self.key, base_url=self.api.url)

    async def session(self, session_id: str | None) -> LiveSession:
        assert session_id
        async with self.client() as client:
            return await client.sessions.get(session_id)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    assert PORTRAIT.is_file(), f"the portrait fixture is missing: {PORTRAIT}"
    api_port = free_port()
    relay = Forwarder(api_port)
    try:
        with avatars_server(port=api_port, public_url=f"http://127.0.0.1:{relay.port}") as api:
            key = api.make_key()
            with AvatarsClient(api_key=key, base_url=api.url) as client:
                avatar_id = client.avatars.create(
                    name="Pipecat",
                    tier="realtime_lipsync",
                    on_demand={"schedulingMode": "on_demand"},
                    config={"resolution": f"{WIDTH}x{HEIGHT}", "frameRate": FPS},
                )["_id"]
                client.avatars.upload_source(avatar_id, PORTRAIT)
                client.avatars.wait_until(avatar_id, status="ready", timeout=60, interval=0.2)
            yield World(api=api, relay=relay, key=key, avatar_id=avatar_id)
    finally:
        relay.stop()


# --- the pipeline: source (where the TTS would be) → AvatarsVideoService → sink ---


@dataclass
class Out:
    at: float  # time.monotonic() at the processor
    frame: Frame


class Recorder(FrameProcessor):
    """Passes every frame on, and records those going one way with their arrival times."""

    def __init__(self, direction: FrameDirection) -> None:
        super().__init__()
        self._direction = direction
        self.out: list[Out] = []

    async def process_frame(self, frame: Frame, direction: FrameDirection) -> None:
        await super().process_frame(frame, direction)
        if direction == self._direction:
            self.out.append(Out(time.monotonic(), frame))
        await self.push_frame(frame, direction)


class Source(Recorder):
    """Speaks as a TTS does, and keeps what comes back upstream (the service's ErrorFrames)."""

    def __init__(self) -> None:
        super().__init__(FrameDirection.UPSTREAM)

    @property
    def errors(self) -> list[ErrorFrame]:
        return [o.frame for o in self.out if isinstance(o.frame, ErrorFrame)]

    async def say(self, pcm: bytes, rate: int = ESPEAK_RATE) -> None:
        await self.push_frame(TTSStartedFrame())
        step = rate // 50 * 2  # 20 ms
        for i in range(0, len(pcm), step):
            await self.push_frame(TTSAudioRawFrame(audio=pcm[i : i + step], sample_rate=rate, num_channels=1))
        await self.push_frame(TTSStoppedFrame())


class Sink(Recorder):
    def __init__(self) -> None:
        super().__init__(FrameDirection.DOWNSTREAM)

    def since(self, index: int) -> list[Out]:
        return self.out[index:]

    def audio(self, start: int = 0) -> list[tuple[float, float, bytes]]:
        """(arrival, ptsMs, pcm) of the avatar's audio."""
        return [
            (o.at, (o.frame.pts or 0) / 1e6, o.frame.audio)
            for o in self.out[start:]
            if isinstance(o.frame, SpeechOutputAudioRawFrame)
        ]

    def frames(self, start: int = 0) -> list[tuple[float, float, OutputImageRawFrame]]:
        return [
            (o.at, (o.frame.pts or 0) / 1e6, o.frame) for o in self.out[start:] if isinstance(o.frame, OutputImageRawFrame)
        ]

    def index_of(self, kind: type[Frame]) -> int | None:
        return next((i for i, o in enumerate(self.out) if isinstance(o.frame, kind)), None)


@dataclass
class Run:
    source: Source
    avatar: AvatarsVideoService
    sink: Sink
    worker: PipelineWorker
    done: asyncio.Task[None]

    async def end(self) -> None:
        await self.worker.queue_frame(EndFrame())
        await within(30, "the pipeline to end after an EndFrame", asyncio.shield(self.done))


@asynccontextmanager
async def running(avatar: AvatarsVideoService) -> AsyncIterator[Run]:
    source, sink = Source(), Sink()
    worker = PipelineWorker(
        Pipeline([source, avatar, sink]),
        params=PipelineParams(enable_metrics=True, audio_out_sample_rate=OUT_RATE),
        idle_timeout_secs=None,
    )
    runner = WorkerRunner(handle_sigint=False)
    await runner.add_workers(worker)
    run = Run(source, avatar, sink, worker, asyncio.create_task(runner.run()))
    try:
        yield run
    finally:
        if not run.done.done():
            await worker.cancel()
            await within(15, "the pipeline to cancel", asyncio.shield(run.done))


def service(world: World, **kwargs: Any) -> AvatarsVideoService:
    settings: dict[str, Any] = {"api_key": world.key, "avatar_id": world.avatar_id, "base_url": world.api.url}
    return AvatarsVideoService(**{**settings, **kwargs})


async def started(run: Run) -> None:
    """The session is up and the idle face flows (an on-demand avatar is deployed by the first session: up to ~60 s)."""
    await until(75, "the session's first frames", lambda: len(run.sink.frames()) >= 3 or run.source.errors)
    assert not run.source.errors, [e.error for e in run.source.errors]


# --- what came out ---


def loud_span(pcm: bytes) -> tuple[int, int] | None:
    samples = np.abs(np.frombuffer(pcm, dtype=np.int16).astype(np.int32))
    loud = np.flatnonzero(samples > LOUD)
    return (int(loud[0]), int(loud[-1]) + 1) if loud.size else None


def speech_seconds(pcm: bytes, rate: int) -> float:
    span = loud_span(pcm)
    assert span is not None, "no speech in this audio"
    return (span[1] - span[0]) / rate


def is_silent(pcm: bytes) -> bool:
    return loud_span(pcm) is None


async def spoken(run: Run, start: int, pcm_in: bytes, what: str) -> list[tuple[float, float, bytes]]:
    """Waits until the avatar has played the speech given after sink index `start`, and 600 ms of silence after it."""
    budget = len(pcm_in) / 2 / ESPEAK_RATE + 10

    def finished() -> bool:
        audio = run.sink.audio(start)
        loud = [i for i, (_, _, pcm) in enumerate(audio) if not is_silent(pcm)]
        return bool(loud) and len(audio) - 1 - loud[-1] >= 60

    await until(budget, f"the avatar to speak {what}", lambda: finished() or run.source.errors)
    assert not run.source.errors, [e.error for e in run.source.errors]
    return run.sink.audio(start)


# --- the tests ---


async def test_speaks_in_sync_reports_metrics_and_ends_on_end_frame(world: World) -> None:
    avatar = service(world)
    async with running(avatar) as run:
        await started(run)
        assert avatar.video_size == (WIDTH, HEIGHT) and avatar.frame_rate == FPS
        mark = len(run.sink.out)
        pcm_in = espeak("Hello! I am an avatar, speaking through a Pipecat pipeline.")
        await run.source.say(pcm_in)
        audio = await spoken(run, mark, pcm_in, "the sentence")
        frames = run.sink.frames(mark)

        # Frames: the avatar's size, RGB, on the 40 ms grid of its frame rate, as many as the playout clock had
        # slots (a frame the renderer skips or drops under load leaves a hole: on 2 shared cores a few may).
        assert frames
        for _, _, f in frames:
            assert (f.size, f.format, len(f.image)) == ((WIDTH, HEIGHT), "RGB", WIDTH * HEIGHT * 3)
        pts = [p for _, p, _ in frames]
        steps = np.diff(pts)
        assert np.all(steps > 0), "frames out of order"
        assert np.allclose(steps / FRAME_MS, np.round(steps / FRAME_MS), atol=0.05), "frames off the frame-rate grid"
        assert statistics.median(steps) == pytest.approx(FRAME_MS, abs=0.5), steps
        pts_fps = (len(pts) - 1) / ((pts[-1] - pts[0]) / 1000)
        arrival_fps = (len(frames) - 1) / (frames[-1][0] - frames[0][0])
        assert 22 <= pts_fps <= FPS + 0.1, f"{pts_fps:.1f} frames per second of playout clock"
        assert arrival_fps == pytest.approx(pts_fps, rel=0.1), (pts_fps, arrival_fps)

        # Audio: 10 ms at 24 kHz each, back to back on the same clock; the speech as long as what went in.
        assert {len(pcm) for _, _, pcm in audio} == {OUT_RATE // 100 * 2}
        audio_pts = [p for _, p, _ in audio]
        assert np.allclose(np.diff(audio_pts), 10, atol=0.01), "audio not back to back"
        pcm_out = b"".join(pcm for _, _, pcm in audio)
        seconds_in, seconds_out = speech_seconds(pcm_in, ESPEAK_RATE), speech_seconds(pcm_out, OUT_RATE)
        assert seconds_out == pytest.approx(seconds_in, abs=0.02), (seconds_in, seconds_out)

        # Sync: in the stream, each frame sits between the audio around its pts (within one frame on the playout
        # clock), and it reaches the sink with the 10 ms of audio playing at its pts (the median within one frame).
        stream = [o for o in run.sink.since(mark) if isinstance(o.frame, (OutputImageRawFrame, SpeechOutputAudioRawFrame))]
        for i, o in enumerate(stream):
            if isinstance(o.frame, OutputImageRawFrame) and 0 < i < len(stream) - 1:
                for neighbour in (stream[i - 1], stream[i + 1]):
                    if isinstance(neighbour.frame, SpeechOutputAudioRawFrame):
                        skew = abs((o.frame.pts or 0) - (neighbour.frame.pts or 0)) / 1e6
                        assert skew <= FRAME_MS, f"a frame at {o.frame.pts} beside audio at {neighbour.frame.pts}"
        by_slot = {round(p / 10): at for at, p, _ in audio}
        gaps = [abs(at - by_slot[int(p // 10)]) * 1000 for at, p, _ in frames if int(p // 10) in by_slot]
        assert len(gaps) >= len(frames) - 2, "frames without audio at their pts"
        assert statistics.median(gaps) <= FRAME_MS, f"audio-to-frame arrival gaps (ms): {sorted(gaps)}"

        # Metrics: the session's (every 2 s), its latency as processing time, and time to first speech as TTFB.
        def metrics() -> list[Any]:
            return [d for o in run.sink.out if isinstance(o.frame, MetricsFrame) for d in o.frame.data]

        await until(5, "the session's metrics", lambda: any(isinstance(d, AvatarSessionMetricsData) for d in metrics()))
        session_metrics = [d for d in metrics() if isinstance(d, AvatarSessionMetricsData)][-1]
        assert session_metrics.frames_drawn > 0 and session_metrics.speech_seconds > 0, session_metrics
        assert any(isinstance(d, ProcessingMetricsData) and d.processor == avatar.name for d in metrics())
        # (pipecat reports a zero TTFB for every processor at start; the measured one follows.)
        ttfb = [d for d in metrics() if isinstance(d, TTFBMetricsData) and d.processor == avatar.name and d.value]
        assert ttfb and 0 < ttfb[0].value < 2, ttfb

        # The EndFrame ends the session (after what it had queued), and the pipeline.
        session_id = avatar.session_id
        assert session_id
        await run.end()
        session = await world.session(session_id)
        assert session["state"] == "ended", session
        assert run.sink.index_of(EndFrame) is not None


async def test_an_interruption_drops_the_rest_of_the_speech_later_speech_plays_and_cancel_ends(world: World) -> None:
    avatar = service(world, video="i420")  # the other video format
    async with running(avatar) as run:
        await started(run)
        mark = len(run.sink.out)
        long_speech = espeak("This is a long sentence that will be cut off in the middle by the user, who has a question.")
        await run.source.say(long_speech)
        await until(8, "the speech to start", lambda: any(not is_silent(a) for _, _, a in run.sink.audio(mark)))
        await asyncio.sleep(0.5)
        await run.source.broadcast_interruption()  # type: ignore[no-untyped-call]  # as a user turn does; unannotated in pipecat
        await until(2, "the InterruptionFrame at the sink", lambda: run.sink.index_of(InterruptionFrame) is not None)
        cut = run.sink.index_of(InterruptionFrame)
        assert cut is not None
        await asyncio.sleep(1.5)

        # Nothing of the cut speech after the interruption: the audio is silence, the frames are newer than it.
        after = run.sink.audio(cut)
        assert len(after) >= 100, "the audio stopped flowing after the interruption"
        assert all(is_silent(pcm) for _, _, pcm in after), "speech of the interrupted sentence came after it"
        frames_after = run.sink.frames(cut)
        assert len(frames_after) >= 25, "the frames stopped flowing after the interruption"
        assert min(p for _, p, _ in frames_after) >= after[0][1] - 10, "a frame from before the interruption came after it"
        for _, _, f in frames_after:
            assert (f.size, f.format, len(f.image)) == ((WIDTH, HEIGHT), "RGB", WIDTH * HEIGHT * 3)
        before = run.sink.audio(mark)[: len(run.sink.audio(mark)) - len(after)]
        played = speech_seconds(b"".join(p for _, _, p in before), OUT_RATE)
        assert played < speech_seconds(long_speech, ESPEAK_RATE) - 1, "the sentence was not cut"

        # Later speech plays, whole.
        mark = len(run.sink.out)
        answer = espeak("Yes, go ahead.")
        await run.source.say(answer)
        audio = await spoken(run, mark, answer, "the answer after the interruption")
        seconds_out = speech_seconds(b"".join(p for _, _, p in audio), OUT_RATE)
        assert seconds_out == pytest.approx(speech_seconds(answer, ESPEAK_RATE), abs=0.02)

        # A CancelFrame ends the session at once.
        await run.worker.cancel()
        await within(15, "the pipeline to cancel", asyncio.shield(run.done))
        session = await world.session(avatar.session_id)
        assert (session["state"], session["endReason"]) == ("ended", "deleted"), session


async def test_audio_it_cannot_resample_ends_the_session_with_an_error_and_the_pipeline_runs_on(world: World) -> None:
    avatar = service(world)
    async with running(avatar) as run:
        await started(run)
        await run.source.say(b"\x00\x01" * 400, rate=4000)  # 4 kHz: below what the service resamples
        await until(5, "an ErrorFrame", lambda: run.source.errors)
        assert "4000 Hz" in run.source.errors[0].error and "cannot be resampled" in run.source.errors[0].error
        # The error goes out first; the DELETE follows it.
        await within(5, "the session to end", ended(world, avatar))
        await still_running(run)


async def ended(world: World, avatar: AvatarsVideoService) -> None:
    while (await world.session(avatar.session_id))["state"] != "ended":
        await asyncio.sleep(0.05)


async def still_running(run: Run) -> None:
    """The pipeline goes on: frames still pass (the bot's audio, without a face), and an EndFrame ends it."""
    mark = len(run.sink.out)
    await run.source.push_frame(TextFrame("still here"))
    await run.source.say(b"\x10\x00" * 480, rate=24000)
    await until(5, "the audio after the error", lambda: any(isinstance(o.frame, TTSAudioRawFrame) for o in run.sink.since(mark)))
    assert any(isinstance(o.frame, TextFrame) for o in run.sink.since(mark))
    await run.end()


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("wrong key", "401"),
        ("not tier 3", "realtime_lipsync"),
        ("never deployed", "503"),
    ],
)
async def test_a_refused_start_is_an_error_frame_and_the_pipeline_runs_on(world: World, case: str, expected: str) -> None:
    async with world.client() as client:
        if case == "wrong key":
            avatar = service(world, api_key="sk_not_a_key_of_this_server")
        elif case == "not tier 3":
            orb = await client.avatars.create(name="Orb", tier="stylized_3d")
            avatar = service(world, avatar_id=orb["_id"])
        else:
            # An always-on avatar that nobody deployed: its rendering container never started.
            off = await client.avatars.create(
                name="Off", tier="realtime_lipsync", on_demand={"schedulingMode": "always_on"}
            )
            avatar = service(world, avatar_id=off["_id"])
    async with running(avatar) as run:
        await until(10, "an ErrorFrame", lambda: run.source.errors)
        error = run.source.errors[0].error
        assert expected in error and "No avatar session started; the bot's audio goes on without a face" in error, error
        await still_running(run)


async def test_a_dropped_connection_reconnects_and_an_api_gone_for_good_is_an_error_frame(world: World) -> None:
    avatar = service(world)
    async with running(avatar) as run:
        await started(run)
        world.relay.cut()  # the network drops: no close frame, the TCP connection just ends
        await asyncio.sleep(0.5)
        mark = len(run.sink.out)
        words = espeak("Still here after the network dropped.")
        await run.source.say(words)
        audio = await spoken(run, mark, words, "a sentence after the reconnection")
        assert avatar.reconnections == 1 and not run.source.errors
        assert speech_seconds(b"".join(p for _, _, p in audio), OUT_RATE) == pytest.approx(
            speech_seconds(words, ESPEAK_RATE), abs=0.02
        )

        world.relay.refuse()  # the API is gone: reconnecting fails
        await until(10, "an ErrorFrame", lambda: run.source.errors)
        error = run.source.errors[0].error
        assert "reconnecting failed" in error and "ended" in error, error
        await still_running(run)
    world.relay.accept()  # the tests after this one share the world



async def test_an_expression_shows_on_the_face_and_neutral_takes_it_away(world: World) -> None:
    """An AvatarExpressionFrame pushed down the pipeline, and set_expression(): the face the frames show changes, and
    comes back with neutral. On an avatar that holds still (idle motion off), so every change is the emotion's."""
    async with world.client() as client:
        still = await client.avatars.create(
            name="Still",
            tier="realtime_lipsync",
            on_demand={"schedulingMode": "on_demand"},
            config={"resolution": f"{WIDTH}x{HEIGHT}", "frameRate": FPS, "idleMotion": False},
        )
        await client.avatars.upload_source(still["_id"], PORTRAIT)
        await client.avatars.wait_until(still["_id"], status="ready", timeout=60, interval=0.2)

    def face(frames: list[tuple[float, float, OutputImageRawFrame]]) -> Any:
        """The mean of the frames' middle (where the astronaut's face is), as floats."""
        crops = [np.frombuffer(f.image, dtype=np.uint8).reshape(HEIGHT, WIDTH, 3)[64:224, 64:192] for _, _, f in frames]
        return np.mean(np.stack(crops).astype(np.float64), axis=0)

    def moved(a: Any, b: Any) -> float:
        return float(np.mean(np.abs(a - b)))

    async def shown(what: str, check: Callable[[Any], bool]) -> Any:
        """The face, once the latest frame passes `check` (the renderer eases in over 0.25 s; the frame reaches the
        service through the pipeline's queues, later on a loaded machine)."""
        await until(20, what, lambda: (run.sink.frames() and check(face(run.sink.frames()[-1:]))) or run.source.errors)
        assert not run.source.errors, [e.error for e in run.source.errors]
        return face(run.sink.frames()[-1:])

    avatar = service(world, avatar_id=still["_id"], video="i420")
    async with running(avatar) as run:
        await started(run)
        idle = face(run.sink.frames()[-1:])
        # Measured (a mean over the whole middle, most of which an emotion leaves alone): surprised 0.75 from the
        # idle face, happy at 0.9 0.24 from it and 0.84 from surprised; neutral 0.
        await run.source.push_frame(AvatarExpressionFrame("surprised"))
        surprised = await shown("the surprised face", lambda f: moved(f, idle) > 0.6)
        await avatar.set_expression("neutral")
        await shown("the idle face again", lambda f: moved(f, idle) < 0.02)
        await avatar.set_expression("happy", 0.9)
        happy = await shown("the happy face", lambda f: moved(f, idle) > 0.2)
        assert moved(happy, surprised) > 0.3
        await run.end()
