"""A Pipecat voice bot with a face: STT → LLM → TTS → AvatarsVideoService → transport.output().

    pip install "pipecat-ai[webrtc,daily,deepgram,openai,cartesia,silero,runner]" -e plugins/pipecat-avatars
    export AVATARS_API_URL=http://localhost:3000 AVATARS_API_KEY=sk_... AVATARS_AVATAR_ID=avt_...
    export DEEPGRAM_API_KEY=... OPENAI_API_KEY=... CARTESIA_API_KEY=...
    python plugins/pipecat-avatars/examples/pipecat_bot.py            # then open http://localhost:7860/client
    python plugins/pipecat-avatars/examples/pipecat_bot.py -t daily   # or in a Daily room (DAILY_API_KEY)

AVATARS_AVATAR_ID is a `realtime_lipsync` avatar with a ready portrait. An on-demand one is deployed when the bot
starts (its first seconds of speech wait for it); `POST /api/v1/avatars/{id}/deploy` beforehand avoids the wait.
AVATARS_WIDTH, AVATARS_HEIGHT and AVATARS_FPS are the avatar's resolution and frame rate (512, 512, 30 by default,
the API's defaults): the transport sends video at that size and rate.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from loguru import logger
from pipecat.audio.vad.silero import SileroVADAnalyzer
from pipecat.frames.frames import LLMRunFrame
from pipecat.pipeline.pipeline import Pipeline
from pipecat.pipeline.worker import PipelineParams, PipelineWorker
from pipecat.processors.aggregators.llm_context import LLMContext
from pipecat.processors.aggregators.llm_response_universal import LLMContextAggregatorPair, LLMUserAggregatorParams
from pipecat.runner.types import RunnerArguments
from pipecat.runner.utils import create_transport
from pipecat.services.cartesia.tts import CartesiaTTSService
from pipecat.services.deepgram.stt import DeepgramSTTService
from pipecat.services.openai.llm import OpenAILLMService
from pipecat.transports.base_transport import BaseTransport, TransportParams
from pipecat.workers.runner import WorkerRunner

from pipecat_avatars import AvatarsVideoService

WIDTH = int(os.getenv("AVATARS_WIDTH", "512"))
HEIGHT = int(os.getenv("AVATARS_HEIGHT", "512"))
FPS = int(os.getenv("AVATARS_FPS", "30"))


def _params() -> dict[str, Any]:
    # video_out_is_live: the transport sends each frame as it comes (the avatar's frames are already paced).
    return {
        "audio_in_enabled": True,
        "audio_out_enabled": True,
        "video_out_enabled": True,
        "video_out_is_live": True,
        "video_out_width": WIDTH,
        "video_out_height": HEIGHT,
        "video_out_framerate": FPS,
    }


def _daily_params() -> TransportParams:
    from pipecat.transports.daily.transport import DailyParams  # only with pipecat-ai[daily]

    return DailyParams(**_params())


# Lambdas: the transport's parameters are made once the runner has chosen it (-t webrtc | daily).
transport_params: dict[str, Callable[[], TransportParams]] = {
    "webrtc": lambda: TransportParams(**_params()),
    "daily": _daily_params,
}


def _required(name: str) -> str:
    value = os.getenv(name)
    if not value:
        raise SystemExit(f"Set {name} (see the top of {__file__}).")
    return value


async def run_bot(transport: BaseTransport, runner_args: RunnerArguments) -> None:
    stt = DeepgramSTTService(api_key=_required("DEEPGRAM_API_KEY"))
    llm = OpenAILLMService(
        api_key=_required("OPENAI_API_KEY"),
        settings=OpenAILLMService.Settings(
            system_instruction="You are a friendly assistant with a face, in a video call. Your answers are spoken "
            "aloud: no emojis or lists. Answer briefly.",
        ),
    )
    tts = CartesiaTTSService(
        api_key=_required("CARTESIA_API_KEY"),
        settings=CartesiaTTSService.Settings(voice="71a7ad14-091c-4e8e-a314-022ece01c121"),  # a British reading lady
    )
    avatar = AvatarsVideoService(
        api_key=_required("AVATARS_API_KEY"),
        avatar_id=_required("AVATARS_AVATAR_ID"),
        base_url=os.getenv("AVATARS_API_URL", "http://localhost:3000"),
    )

    context = LLMContext()
    user_aggregator, assistant_aggregator = LLMContextAggregatorPair(
        context, user_params=LLMUserAggregatorParams(vad_analyzer=SileroVADAnalyzer())
    )
    pipeline = Pipeline(
        [
            transport.input(),
            stt,
            user_aggregator,
            llm,
            tts,
            avatar,  # takes the TTS audio, gives back the avatar's frames and the same speech in sync
            transport.output(),
            assistant_aggregator,
        ]
    )
    # PipelineWorker and WorkerRunner are Pipecat 1.3+'s names for PipelineTask and PipelineRunner.
    worker = PipelineWorker(
        pipeline,
        params=PipelineParams(enable_metrics=True),
        idle_timeout_secs=runner_args.pipeline_idle_timeout_secs,
    )

    @transport.event_handler("on_client_connected")  # type: ignore[untyped-decorator]  # unannotated in pipecat
    async def on_client_connected(transport: BaseTransport, client: Any) -> None:
        logger.info(f"Client connected; avatar session {avatar.session_id}")
        context.add_message({"role": "developer", "content": "Greet the user and introduce yourself in one sentence."})
        await worker.queue_frames([LLMRunFrame()])

    @transport.event_handler("on_client_disconnected")  # type: ignore[untyped-decorator]
    async def on_client_disconnected(transport: BaseTransport, client: Any) -> None:
        await worker.cancel()  # the CancelFrame ends the avatar session too

    runner = WorkerRunner(handle_sigint=runner_args.handle_sigint)
    await runner.add_workers(worker)
    await runner.run()


async def bot(runner_args: RunnerArguments) -> None:
    """The entry point Pipecat's development runner (and Pipecat Cloud) calls."""
    transport = await create_transport(runner_args, transport_params)
    await run_bot(transport, runner_args)


if __name__ == "__main__":
    from pipecat.runner.run import main

    main()
