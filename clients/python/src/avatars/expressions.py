"""Emotions a portrait shows: the one check the API, the session socket and LiveKit's ``lk.expression`` all make, so
a plugin refuses a bad emotion where it is written instead of the renderer closing the socket on it."""

from __future__ import annotations

from .types import EMOTIONS, Emotion, Expression


def expression(name: Emotion, intensity: float = 1.0) -> Expression:
    """``{"name", "intensity"}`` for an emotion (``neutral`` shows none) at ``intensity`` 0..1; ValueError for an
    emotion the API does not know or an intensity out of range."""
    if name not in EMOTIONS:
        raise ValueError(f"name must be one of {', '.join(EMOTIONS)}; got {name!r}")
    if isinstance(intensity, bool) or not isinstance(intensity, int | float) or not 0 <= intensity <= 1:
        raise ValueError(f"intensity must be a number from 0 to 1; got {intensity!r}")
    return {"name": name, "intensity": float(intensity)}
