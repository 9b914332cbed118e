"""The parts that need no server: the media messages' layout, the frame conversions, the settings' checks and how
the API's refusals are classified."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from pipecat.utils.errors import ErrorCategory

from pipecat_avatars import AvatarExpressionFrame, AvatarsAPIError, AvatarsVideoService
from pipecat_avatars.media import (
    KIND_I420,
    KIND_JPEG,
    KIND_PCM16,
    MediaFormatError,
    downmix_to_mono,
    encode_media,
    i420_to_rgb,
    jpeg_to_rgb,
    parse_media,
)


def test_a_media_message_is_a_13_byte_little_endian_header_then_its_payload() -> None:
    # Written byte by byte from docs/live-sessions.md, not with the module's own packer.
    data = bytes([3]) + np.float64(1234.5).tobytes() + (24000).to_bytes(2, "little") + (1).to_bytes(2, "little") + b"pcm!"
    m = parse_media(data)
    assert (m.kind, m.pts_ms, m.a, m.b, m.payload) == (KIND_PCM16, 1234.5, 24000, 1, b"pcm!")
    assert parse_media(encode_media(KIND_JPEG, 40.0, 256, 128, b"x")).a == 256
    with pytest.raises(MediaFormatError, match="at least 13 bytes"):
        parse_media(b"\x01\x00")
    with pytest.raises(MediaFormatError, match="Unknown media kind 9"):
        parse_media(encode_media(9, 0, 0, 0, b""))


def rgb_to_i420(rgb: np.ndarray) -> bytes:
    """The renderer's conversion (renderer/live/rgba-to-i420.ts: BT.601 limited range, 8-bit fixed point, 2x2 chroma
    average), restated here so the inverse is checked against what the renderer sends."""
    r, g, b = (rgb[..., i].astype(np.int32) for i in range(3))
    y = ((66 * r + 129 * g + 25 * b + 128) >> 8) + 16

    def quad(c: np.ndarray) -> np.ndarray:
        total: np.ndarray = c[0::2, 0::2] + c[0::2, 1::2] + c[1::2, 0::2] + c[1::2, 1::2]
        return total

    rs, gs, bs = quad(r), quad(g), quad(b)
    u = ((-38 * rs - 74 * gs + 112 * bs + 512) >> 10) + 128
    v = ((112 * rs - 94 * gs - 18 * bs + 512) >> 10) + 128
    return b"".join(p.astype(np.uint8).tobytes() for p in (y, u, v))


def test_i420_frames_come_back_as_the_rgb_the_renderer_drew() -> None:
    # Flat 2x2 blocks of saturated and grey colours: what I420 keeps exactly, up to rounding.
    colours = np.array([[255, 0, 0], [0, 255, 0], [0, 0, 255], [128, 128, 128], [255, 255, 255], [0, 0, 0], [200, 120, 40], [10, 60, 90]])
    rgb = np.repeat(np.repeat(colours.reshape(2, 4, 3), 2, axis=0), 2, axis=1).astype(np.uint8)  # 4x8 pixels
    out = np.frombuffer(i420_to_rgb(rgb_to_i420(rgb), 8, 4), dtype=np.uint8).reshape(4, 8, 3)
    assert np.abs(out.astype(int) - rgb.astype(int)).max() <= 3
    with pytest.raises(MediaFormatError, match="has 48 bytes"):
        i420_to_rgb(b"\x00" * 10, 8, 4)


def test_jpeg_frames_are_decoded_to_rgb_of_their_stated_size() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (16, 8), (200, 30, 90)).save(buffer, format="JPEG", quality=95)
    rgb = np.frombuffer(jpeg_to_rgb(buffer.getvalue(), 16, 8), dtype=np.uint8).reshape(8, 16, 3)
    assert np.abs(rgb.astype(int) - [200, 30, 90]).max() <= 4
    with pytest.raises(MediaFormatError, match="said 8x8 but decodes to 16x8"):
        jpeg_to_rgb(buffer.getvalue(), 8, 8)
    assert KIND_I420 == 2


def test_several_channels_are_mixed_down_to_mono() -> None:
    stereo = np.array([100, 300, -50, -150], dtype=np.int16).tobytes()
    assert np.frombuffer(downmix_to_mono(stereo, 2), dtype=np.int16).tolist() == [200, -100]
    assert downmix_to_mono(b"\x01\x00", 1) == b"\x01\x00"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"api_key": ""}, "needs an api_key"),
        ({"avatar_id": ""}, "needs an avatar_id"),
        ({"base_url": "localhost:3000"}, "must start with http"),
        ({"video": "png"}, 'video must be "jpeg" or "i420"'),
        ({"jpeg_quality": 0}, "jpeg_quality must be 1..100"),
        ({"sample_rate": 22050}, "sample_rate must be 16000 or 24000"),
    ],
)
def test_bad_settings_are_refused_when_the_service_is_made(settings: dict[str, object], message: str) -> None:
    valid: dict[str, object] = {"api_key": "sk_x", "avatar_id": "avt_x", "base_url": "http://localhost:3000"}
    with pytest.raises(ValueError, match=message):
        AvatarsVideoService(**{**valid, **settings})  # type: ignore[arg-type]  # the wrong types are the point


@pytest.mark.parametrize(
    ("status", "error", "category"),
    [
        (401, "Missing or invalid API key.", ErrorCategory.AUTHENTICATION),
        (404, "No avatar avt_x.", ErrorCategory.INVALID_REQUEST),
        (409, "Live sessions are for realtime_lipsync avatars; this one is stylized_3d.", ErrorCategory.INVALID_REQUEST),
        (409, "The avatar already has 4 live sessions, the most it takes at once; end one first.", ErrorCategory.RATE_LIMIT),
        (503, "The rendering container is not running.", ErrorCategory.SERVER),
    ],
)
def test_the_apis_refusals_say_what_happened_and_whether_retrying_can_help(
    status: int, error: str, category: ErrorCategory
) -> None:
    e = AvatarsAPIError("Starting a session on avatar avt_x", status, {"error": error, "code": "c", "reason": "why"})
    assert e.category == category
    assert str(e) == f"Starting a session on avatar avt_x: the API answered {status} c: {error.rstrip('.')} (why)"


@pytest.mark.parametrize(
    ("emotion", "intensity", "message"),
    [
        ("joyful", 1.0, "name must be one of neutral, happy, sad, surprised, angry, thinking"),
        ("happy", 1.5, "intensity must be a number from 0 to 1"),
        ("happy", -0.5, "intensity must be a number from 0 to 1"),
        ("happy", "0.5", "intensity must be a number from 0 to 1"),
    ],
)
async def test_an_emotion_the_session_would_refuse_is_refused_where_it_is_set(
    emotion: str, intensity: float, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        AvatarExpressionFrame(emotion, intensity)  # type: ignore[arg-type]  # the wrong values are the point
    avatar = AvatarsVideoService(api_key="sk_x", avatar_id="avt_x")
    with pytest.raises(ValueError, match=message):
        await avatar.set_expression(emotion, intensity)  # type: ignore[arg-type]


def test_an_expression_frame_carries_its_emotion() -> None:
    frame = AvatarExpressionFrame("happy", 0.8)
    assert (frame.emotion, frame.intensity) == ("happy", 0.8)
    assert str(frame).startswith("AvatarExpressionFrame#") and "happy" in str(frame)
    assert AvatarExpressionFrame("neutral").intensity == 1.0
