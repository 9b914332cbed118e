"""avatar.set_expression(): the agent's ``lk.expression`` attribute, which the avatar follows, as another participant
of a real LiveKit room sees it. (The avatar's side, the face changing, is the renderer's test:
test/livekit/livekit-worker.test.ts.)"""

from __future__ import annotations

import pytest
from aiohttp import web

from avatars.testing import LIVEKIT_API_KEY, LIVEKIT_API_SECRET, free_port, livekit_server, until
from livekit import api, rtc
from livekit.agents import AgentSession
from livekit.plugins import avatars

from .support import room_token


@pytest.mark.parametrize(
    ("name", "intensity", "value"),
    [("happy", 1.0, "happy"), ("happy", 0.8, "happy:0.8"), ("sad", 0.25, "sad:0.25"), ("thinking", 0, "thinking:0"),
     ("surprised", 0.12345, "surprised:0.123"), ("neutral", 1.0, "neutral")],
)
def test_the_attribute_value(name: avatars.Emotion, intensity: float, value: str) -> None:
    assert avatars.expression_attribute(name, intensity) == value


@pytest.mark.parametrize(
    ("name", "intensity", "problem"),
    [("joyful", 1.0, "name must be one of neutral, happy, sad, surprised, angry, thinking"),
     ("happy", 1.5, "intensity must be a number from 0 to 1"), ("happy", -0.1, "intensity"),
     ("happy", float("nan"), "intensity"), ("happy", True, "intensity")],
)
async def test_a_bad_emotion_is_refused_where_it_is_written(name: str, intensity: float, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        avatars.expression_attribute(name, intensity)  # type: ignore[arg-type]
    avatar = avatars.AvatarSession(avatar_id="avt_1", api_url="http://api.test", api_key="sk_test")
    with pytest.raises(ValueError, match=problem):
        await avatar.set_expression(name, intensity)  # type: ignore[arg-type]


async def test_set_expression_needs_start() -> None:
    avatar = avatars.AvatarSession(avatar_id="avt_1", api_url="http://api.test", api_key="sk_test")
    with pytest.raises(RuntimeError, match="start"):
        await avatar.set_expression("happy")


async def test_set_expression_sets_the_agents_attribute_in_the_room() -> None:
    async def sessions(_request: web.Request) -> web.Response:
        body = {"sessionId": "ses_1", "transport": "livekit", "expiresAt": "2030-01-01T00:00:00.000Z",
                "participantIdentity": "avatars-avatar-agent"}
        return web.json_response(body, status=201)

    async def ended(_request: web.Request) -> web.Response:
        return web.json_response({"error": "Session not found", "code": "not-found"}, status=404)

    app = web.Application()
    app.router.add_post("/api/v1/avatars/avt_1/sessions", sessions)
    app.router.add_delete("/api/v1/sessions/ses_1", ended)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()

    with livekit_server() as lk:
        # An agent job's token may set its own attributes (LiveKit grants it to dispatched agents); this one says so.
        agent_token = (
            api.AccessToken(api_key=LIVEKIT_API_KEY, api_secret=LIVEKIT_API_SECRET)
            .with_identity("agent-1")
            .with_kind("agent")
            .with_grants(api.VideoGrants(room_join=True, room="room-1", can_update_own_metadata=True))
            .to_jwt()
        )
        agent, watcher = rtc.Room(), rtc.Room()
        seen: list[str] = []

        def on_attributes(changed: dict[str, str], participant: rtc.Participant) -> None:
            if participant.identity == "agent-1" and avatars.ATTRIBUTE_EXPRESSION in changed:
                seen.append(changed[avatars.ATTRIBUTE_EXPRESSION])

        watcher.on("participant_attributes_changed", on_attributes)
        await agent.connect(lk.url, agent_token)
        await watcher.connect(lk.url, room_token("room-1", "watcher"))
        avatar = avatars.AvatarSession(avatar_id="avt_1", api_url=f"http://127.0.0.1:{port}", api_key="sk_test")
        try:
            await avatar.start(AgentSession(), agent, livekit_url=lk.url, livekit_api_key=LIVEKIT_API_KEY,
                               livekit_api_secret=LIVEKIT_API_SECRET)
            await avatar.set_expression("happy", 0.8)
            await until(10, "the watcher to see happy:0.8", lambda: seen == ["happy:0.8"])
            await avatar.set_expression("neutral")
            await until(10, "the watcher to see neutral", lambda: seen == ["happy:0.8", "neutral"])
            # The agent's own copy follows the server's answer, which may come after the watcher heard it.
            await until(10, "the agent's own attribute to read neutral",
                        lambda: agent.local_participant.attributes.get(avatars.ATTRIBUTE_EXPRESSION) == "neutral")
        finally:
            await avatar.aclose()
            await watcher.disconnect()
            await agent.disconnect()
            await runner.cleanup()
