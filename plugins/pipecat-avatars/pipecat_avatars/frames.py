"""The frame a pipeline pushes to set the avatar's emotion (AvatarsVideoService.set_expression() as a frame)."""

from __future__ import annotations

from dataclasses import dataclass

from avatars import expression
from avatars.types import Emotion
from pipecat.frames.frames import ControlFrame


@dataclass
class AvatarExpressionFrame(ControlFrame):
    """Shows an emotion on the avatar's face from now on, blended with its speech: `happy`, `sad`, `surprised`,
    `angry` or `thinking` at `intensity` 0..1; `neutral` clears it. Push it downstream towards the
    AvatarsVideoService (from a function call of the LLM, say), which takes it; like any control frame, an
    interruption cancels one still queued. ValueError when made with an unknown emotion or an intensity out of range.
    """

    emotion: Emotion
    intensity: float = 1.0

    def __post_init__(self) -> None:
        super().__post_init__()  # type: ignore[no-untyped-call]  # unannotated in pipecat
        expression(self.emotion, self.intensity)

    def __str__(self) -> str:
        return f"{self.name}(emotion: {self.emotion}, intensity: {self.intensity:g})"
