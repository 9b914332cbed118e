"""The slow path, once per store: a real rendering container deployed, a Tier 3 preview rendered, live sessions
(WHEP, and LiveKit with a real livekit-server) started, read, listed and ended. Then the session calls' refusals,
which need no container."""

from __future__ import annotations

import httpx
import pytest

from avatars import (
    AsyncAvatarsClient,
    AvatarsTimeoutError,
    BadGatewayError,
    BadRequestError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ServiceUnavailableError,
    WaitTimeoutError,
)
from avatars.testing import LiveKitServer

from .support import ASTRONAUT, Server, avatar_room_token, client_for, refused


async def test_deploy_preview_and_sessions_with_a_real_rendering_container(
    server: Server,
    livekit: LiveKitServer,
    client: AsyncAvatarsClient,
    reader: AsyncAvatarsClient,
    stranger: AsyncAvatarsClient,
    unique: str,
) -> None:
    avatar = await client.avatars.create(name=unique, tier="realtime_lipsync")
    avatar_id = avatar["_id"]
    await client.avatars.upload_source(avatar_id, ASTRONAUT)
    await client.avatars.wait_until(avatar_id, status="ready", timeout=60, interval=0.2)

    asked = await client.avatars.deploy(avatar_id)
    assert asked.get("deployment", {}).get("state") in ("starting", "running")
    running = await client.avatars.wait_until(avatar_id, deployment="running", timeout=60, interval=0.2)
    assert running["renderingEndpoint"] is not None and running["renderingEndpoint"].startswith("http://")

    preview = await client.avatars.preview(avatar_id)
    assert preview["avatarId"] == avatar_id
    assert preview.get("status") == "completed"
    assert preview["previewUrl"] is not None and preview["previewUrl"].endswith(".mp4")
    async with httpx.AsyncClient() as http:
        clip = (await http.get(preview["previewUrl"])).content
    assert clip[4:8] == b"ftyp"  # an MP4 the container rendered

    # A client whose read timeout is shorter than a render gets the timeout as an AvatarsError.
    async with client_for(server, client._api_key, timeout=httpx.Timeout(10, read=0.01)) as hasty:
        with pytest.raises(AvatarsTimeoutError) as timed_out:
            await hasty.avatars.preview(avatar_id)
    assert timed_out.value.status is None and timed_out.value.code == "timeout"

    started = await client.sessions.start(avatar_id)
    session_id = started["sessionId"]
    assert session_id.startswith("ses_")
    assert started["transport"] == "whep"
    assert started["participantIdentity"] is None
    assert started["token"].startswith("lst_") and started["viewerToken"].startswith("lsv_")
    ws_base = server.url.replace("http://", "ws://")
    assert started["url"] == f"{ws_base}/api/v1/sessions/{session_id}/speech"
    assert started["whepUrl"] == f"{server.url}/api/v1/sessions/{session_id}/whep"

    active = await reader.sessions.get(session_id)
    assert (active["_id"], active["avatarId"], active["state"], active["transport"]) == (
        session_id, avatar_id, "active", "whep",
    )  # fmt: skip
    assert active["endedAt"] is None and active["endReason"] is None
    assert active["expiresAt"] == started["expiresAt"]
    assert active["metrics"] is not None and active["metrics"]["viewers"] == 0
    listed = await reader.sessions.list(avatar_id)
    assert listed["count"] == 1 and [s["_id"] for s in listed["sessions"]] == [session_id]

    # SESSIONS_PER_AVATAR=1: a second one is refused while the first lives.
    with pytest.raises(ConflictError) as full:
        await client.sessions.start(avatar_id)
    assert "live sessions" in full.value.message
    await refused(
        NotFoundError,
        "not-found",
        lambda: stranger.sessions.get(session_id),
        lambda: stranger.sessions.end(session_id),
    )
    await refused(ForbiddenError, "scope-required", lambda: reader.sessions.end(session_id), naming="avatars:write")

    await client.sessions.end(session_id)
    ended = await client.sessions.get(session_id)
    assert (ended["state"], ended["endReason"]) == ("ended", "deleted")
    assert ended["endedAt"] is not None
    await client.sessions.end(session_id)  # ending an ended session changes nothing
    assert (await client.sessions.get(session_id))["endedAt"] == ended["endedAt"]

    # A LiveKit session whose server is not there: 502 from the container's join, and nothing left behind.
    with pytest.raises(BadGatewayError) as unreachable:
        await client.sessions.start(avatar_id, livekit={"url": "ws://127.0.0.1:9", "token": "a.b.c"})
    assert (unreachable.value.status, unreachable.value.code) == (502, "livekit-unreachable")
    assert (await client.sessions.list(avatar_id))["count"] == 1

    # A LiveKit session: the container joins a real room before the answer comes.
    room = f"room-{unique}"
    joined = await client.sessions.start(
        avatar_id, livekit={"url": livekit.url, "token": avatar_room_token(room, "agent-1")}
    )
    assert joined["transport"] == "livekit"
    assert joined["participantIdentity"] == "agent-1-avatar"
    in_room = await client.sessions.get(joined["sessionId"])
    assert (in_room["transport"], in_room["participantIdentity"]) == ("livekit", "agent-1-avatar")
    await client.sessions.end(joined["sessionId"])
    # A token signed with another secret: the LiveKit server's refusal, as a 400.
    with pytest.raises(BadRequestError) as bad_token:
        await client.sessions.start(
            avatar_id,
            livekit={"url": livekit.url, "token": avatar_room_token(room, "agent-1", secret="not-the-secret")},
        )
    assert bad_token.value.code == "livekit-refused"
    assert "not-the-secret" not in bad_token.value.message

    # A starting expression: taken, and the session starts as any other.
    second = await client.sessions.start(avatar_id, transport="whep", expression={"name": "happy", "intensity": 0.5})
    page = await client.sessions.list(avatar_id, limit=1)
    assert page["count"] == 3 and [s["_id"] for s in page["sessions"]] == [second["sessionId"]]  # newest first
    older = await client.sessions.list(avatar_id, limit=2, offset=1)
    assert [s["_id"] for s in older["sessions"]] == [joined["sessionId"], session_id]
    # By cursor: the next page starts after the last one's last session; the walk ends with nextCursor None.
    assert page["nextCursor"] is not None
    after = await client.sessions.list(avatar_id, limit=2, after=page["nextCursor"])
    assert [s["_id"] for s in after["sessions"]] == [joined["sessionId"], session_id]
    assert after["nextCursor"] is None
    walked = [s["_id"] async for s in client.sessions.iterate(avatar_id, page_size=1)]
    assert walked == [second["sessionId"], joined["sessionId"], session_id]

    # Undeploy: the session goes with the container; the preview is the contract's 503 again.
    await client.avatars.undeploy(avatar_id)
    stopped = await client.avatars.wait_until(avatar_id, deployment="stopped", timeout=30, interval=0.2)
    assert stopped["renderingEndpoint"] is None
    with pytest.raises(ServiceUnavailableError) as e503:
        await client.avatars.preview(avatar_id)
    assert e503.value.reason == "The avatar is not deployed."
    assert (await client.sessions.get(second["sessionId"]))["state"] == "ended"
    with pytest.raises(WaitTimeoutError) as waited:
        await client.avatars.wait_until(avatar_id, deployment="running", timeout=0.5, interval=0.1)
    assert waited.value.avatar["_id"] == avatar_id
    assert "deployment stopped" in str(waited.value)

    # always_on and not deployed: a session start does not deploy it, 503.
    await client.avatars.update(avatar_id, on_demand={"schedulingMode": "always_on"})
    with pytest.raises(ServiceUnavailableError) as not_deployed:
        await client.sessions.start(avatar_id)
    assert not_deployed.value.code == "service-unavailable"


async def test_session_refusals_that_need_no_container(
    client: AsyncAvatarsClient, reader: AsyncAvatarsClient, stranger: AsyncAvatarsClient, unique: str
) -> None:
    lipsync = await client.avatars.create(name=unique, tier="realtime_lipsync")
    with pytest.raises(BadRequestError) as e:
        await client.sessions.start(lipsync["_id"], transport="livekit")
    assert e.value.code == "validation-failed"
    assert e.value.details and e.value.details[0]["path"] == "livekit"
    with pytest.raises(BadRequestError) as e:
        await client.sessions.start(
            lipsync["_id"], transport="whep", livekit={"url": "ws://127.0.0.1:9", "token": "a.b.c"}
        )
    assert e.value.details[0]["path"] == "livekit"
    with pytest.raises(BadRequestError) as e:
        await client.sessions.start(lipsync["_id"], livekit={"url": "ftp://example.invalid", "token": "a.b.c"})
    assert e.value.details[0]["path"] == "livekit.url"
    with pytest.raises(BadRequestError) as e:
        await client.sessions.start(lipsync["_id"], livekit={"url": "ws://127.0.0.1:9", "token": "not-a-jwt"})
    assert e.value.details[0]["path"] == "livekit.token"
    # A starting expression is checked before anything starts.
    with pytest.raises(BadRequestError) as e:
        await client.sessions.start(lipsync["_id"], expression={"name": "bored"})  # type: ignore[arg-type]
    assert e.value.details[0]["path"].startswith("expression")
    with pytest.raises(BadRequestError) as e:
        await client.sessions.start(lipsync["_id"], expression={"name": "happy", "intensity": 2})
    assert e.value.details[0]["path"].startswith("expression")

    for tier in ("stylized_3d", "animated_portrait"):
        other = await client.avatars.create(name=unique, tier=tier)
        with pytest.raises(ConflictError) as c:
            await client.sessions.start(other["_id"])
        assert "realtime_lipsync" in c.value.message

    await refused(
        ForbiddenError, "scope-required", lambda: reader.sessions.start(lipsync["_id"]), naming="avatars:write"
    )
    await refused(
        NotFoundError,
        "not-found",
        lambda: stranger.sessions.start(lipsync["_id"]),
        lambda: stranger.sessions.list(lipsync["_id"]),
        lambda: client.sessions.start("avt_doesNotExist00"),
        lambda: client.sessions.list("avt_doesNotExist00"),
        lambda: client.sessions.get("ses_doesNotExist"),
        lambda: client.sessions.end("ses_doesNotExist"),
    )
    with pytest.raises(BadRequestError):
        await client.sessions.list(lipsync["_id"], limit=101)
    assert await client.sessions.list(lipsync["_id"]) == {"sessions": [], "count": 0, "nextCursor": None}
