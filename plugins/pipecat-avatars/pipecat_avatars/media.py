"""The session socket's binary media messages (docs/live-sessions.md, "Frames over the socket"), and turning their
frames into the RGB bytes an OutputImageRawFrame carries."""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

import numpy as np
from PIL import Image

HEADER = struct.Struct("<BdHH")  # kind u8, ptsMs f64, a u16, b u16: 13 bytes, little-endian
KIND_JPEG = 1
KIND_I420 = 2
KIND_PCM16 = 3


class MediaFormatError(ValueError):
    """A media message that does not follow the layout (a renderer bug, or not a media message at all)."""


@dataclass(frozen=True)
class MediaMessage:
    kind: int
    pts_ms: float
    # A frame's width and height, or the audio's sample rate and channel count.
    a: int
    b: int
    payload: bytes


def parse_media(data: bytes) -> MediaMessage:
    if len(data) < HEADER.size:
        raise MediaFormatError(f"A media message is at least {HEADER.size} bytes; this one has {len(data)}.")
    kind, pts_ms, a, b = HEADER.unpack_from(data, 0)
    if kind not in (KIND_JPEG, KIND_I420, KIND_PCM16):
        raise MediaFormatError(f"Unknown media kind {kind}.")
    return MediaMessage(kind=kind, pts_ms=pts_ms, a=a, b=b, payload=data[HEADER.size :])


def encode_media(kind: int, pts_ms: float, a: int, b: int, payload: bytes) -> bytes:
    """The renderer's layout, for tests of the parser."""
    return HEADER.pack(kind, pts_ms, a, b) + payload


def jpeg_to_rgb(jpeg: bytes, width: int, height: int) -> bytes:
    with Image.open(io.BytesIO(jpeg)) as image:
        rgb = image.convert("RGB")
    if rgb.size != (width, height):
        raise MediaFormatError(f"A JPEG frame said {width}x{height} but decodes to {rgb.size[0]}x{rgb.size[1]}.")
    return rgb.tobytes()


def i420_to_rgb(i420: bytes, width: int, height: int) -> bytes:
    """BT.601 limited range, as the renderer writes it (renderer/live/rgba-to-i420.ts), chroma repeated 2x2."""
    cw, ch = (width + 1) // 2, (height + 1) // 2
    expected = width * height + 2 * cw * ch
    if len(i420) != expected:
        raise MediaFormatError(f"An I420 frame of {width}x{height} has {expected} bytes; this one has {len(i420)}.")
    planes = np.frombuffer(i420, dtype=np.uint8)
    y = planes[: width * height].reshape(height, width).astype(np.float32)
    u = planes[width * height : width * height + cw * ch].reshape(ch, cw)
    v = planes[width * height + cw * ch :].reshape(ch, cw)
    d = u.repeat(2, axis=0).repeat(2, axis=1)[:height, :width].astype(np.float32) - 128.0
    e = v.repeat(2, axis=0).repeat(2, axis=1)[:height, :width].astype(np.float32) - 128.0
    c = (y - 16.0) * 1.164
    rgb = np.empty((height, width, 3), dtype=np.float32)
    rgb[..., 0] = c + 1.596 * e
    rgb[..., 1] = c - 0.392 * d - 0.813 * e
    rgb[..., 2] = c + 2.017 * d
    out: bytes = np.clip(rgb + 0.5, 0, 255).astype(np.uint8).tobytes()
    return out


def downmix_to_mono(pcm: bytes, channels: int) -> bytes:
    """Interleaved PCM16 of several channels to mono, their mean."""
    if channels == 1:
        return pcm
    samples = np.frombuffer(pcm, dtype=np.int16).reshape(-1, channels).astype(np.int32)
    mono: bytes = samples.mean(axis=1).round().astype(np.int16).tobytes()
    return mono
