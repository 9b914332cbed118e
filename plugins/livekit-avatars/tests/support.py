"""The LiveKit side of the tests; the real processes they run (livekit-server, the Avatars API) come from
avatars.testing, which the client's and the Pipecat plugin's tests share."""

from __future__ import annotations

from livekit import api

from avatars.testing import LIVEKIT_API_KEY, LIVEKIT_API_SECRET


def room_token(room: str, identity: str, *, kind: str = "standard") -> str:
    """A token for a participant of our own (the agent, a viewer)."""
    return (
        api.AccessToken(api_key=LIVEKIT_API_KEY, api_secret=LIVEKIT_API_SECRET)
        .with_identity(identity)
        .with_kind(kind)  # type: ignore[arg-type]  # "agent" | "standard" are the two the tests use
        .with_grants(api.VideoGrants(room_join=True, room=room))
        .to_jwt()
    )
