"""The API's answers as the plugin maps them: a real local HTTP server answers as the Avatars API does (its error shape,
statuses and bodies), so each mapping and the retry policy are checked over real HTTP."""

from __future__ import annotations

import asyncio
import json
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiohttp import web

from avatars import AvatarsError as ClientError
from avatars.testing import LIVEKIT_API_KEY, LIVEKIT_API_SECRET, free_port, livekit_server
from livekit import api, rtc
from livekit.agents import AgentSession, APIConnectOptions
from livekit.agents.voice.avatar import DataStreamAudioOutput
from livekit.plugins import avatars

from .support import room_token

# No waiting between tries: the policy is what is tested, not the interval.
FAST = APIConnectOptions(max_retry=2, retry_interval=0.0, timeout=2.0)

# Given the request and how many came so far (this one included): the answer, or a coroutine of it (a slow one).
Answer = Callable[[web.Request, int], web.StreamResponse | Awaitable[web.StreamResponse]]


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class ApiServer:
    url: str
    requests: list[Recorded] = field(default_factory=list)
    answer: Answer | None = None


def session_started(session_id: str, identity: str) -> web.Response:
    """The API's 201 for a LiveKit session."""
    body = {"sessionId": session_id, "transport": "livekit", "expiresAt": "2030-01-01T00:00:00.000Z", "participantIdentity": identity}
    return web.json_response(body, status=201)


def json_error(status: int, error: str, code: str, **extra: Any) -> web.Response:
    return web.json_response({"error": error, "code": code, **extra}, status=status)


@pytest.fixture
async def server() -> AsyncIterator[ApiServer]:
    state = ApiServer(url="")

    async def handle(request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        body = json.loads(raw) if raw else None
        state.requests.append(Recorded(request.method, request.path, dict(request.headers), body))
        assert state.answer is not None
        result = state.answer(request, len(state.requests))
        return await result if inspect.isawaitable(result) else result

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    state.url = f"http://127.0.0.1:{port}"
    try:
        yield state
    finally:
        await runner.cleanup()


def client(server: ApiServer, conn_options: APIConnectOptions = FAST) -> avatars.AvatarsAPI:
    return avatars.AvatarsAPI(api_url=server.url, api_key="sk_test", conn_options=conn_options)


async def start(server: ApiServer, conn_options: APIConnectOptions = FAST) -> avatars.LiveKitSession:
    return await client(server, conn_options).create_livekit_session(
        "avt_1", livekit_url="ws://lk.test", livekit_token="jwt", timeout=5
    )


@pytest.mark.parametrize(
    ("status", "code", "error"),
    [
        (400, "validation-failed", "body/livekit/url must match format \"uri\""),
        (401, "unauthorized", "Invalid or missing API key"),
        (403, "forbidden", "API key lacks the avatars:write scope"),
        (404, "not-found", "Avatar not found"),
        (409, "conflict", "Avatar avt_1 already has 4 live sessions"),
    ],
)
async def test_a_4xx_is_raised_at_once_with_the_apis_sentence(
    server: ApiServer, status: int, code: str, error: str
) -> None:
    server.answer = lambda _r, _n: json_error(status, error, code, details=[{"path": "/livekit/url"}])
    with pytest.raises(avatars.AvatarsError) as raised:
        await start(server)
    e = raised.value
    assert (e.status, e.code, e.message) == (status, code, error)
    assert e.details == [{"path": "/livekit/url"}]
    assert e.reason is None
    assert not e.retryable
    assert len(server.requests) == 1  # never retried
    assert str(e) == f"{error} ({status} {code})"
    assert isinstance(e, ClientError)  # the API's Python client's error too


async def test_a_refused_livekit_token_carries_the_apis_reason(server: ApiServer) -> None:
    server.answer = lambda _r, _n: json_error(
        400, "The LiveKit server refused the token", "validation-failed", reason="invalid token: signature is invalid"
    )
    with pytest.raises(avatars.AvatarsError) as raised:
        await start(server)
    assert raised.value.reason == "invalid token: signature is invalid"
    assert str(raised.value).endswith(": invalid token: signature is invalid")


@pytest.mark.parametrize(
    ("status", "code"), [(502, "bad-gateway"), (503, "service-unavailable"), (500, "internal-error")]
)
async def test_a_5xx_is_retried_then_raised(server: ApiServer, status: int, code: str) -> None:
    server.answer = lambda _r, _n: json_error(status, "Something upstream failed", code)
    with pytest.raises(avatars.AvatarsError) as raised:
        await start(server)
    assert (raised.value.status, raised.value.code) == (status, code)
    assert raised.value.retryable
    assert len(server.requests) == FAST.max_retry + 1


async def test_a_5xx_then_success_returns_the_session(server: ApiServer) -> None:
    def answer(_r: web.Request, n: int) -> web.Response:
        if n == 1:
            return json_error(503, "Avatar rendering container not running", "service-unavailable")
        return session_started("ses_abc", "avatars-avatar-agent")

    server.answer = answer
    session = await start(server)
    assert session.session_id == "ses_abc"
    assert session.participant_identity == "avatars-avatar-agent"
    assert session.expires_at == "2030-01-01T00:00:00.000Z"
    assert len(server.requests) == 2


async def test_a_body_that_is_not_the_apis_error_shape(server: ApiServer) -> None:
    server.answer = lambda _r, _n: web.Response(status=404, text="<html>nginx: not found</html>")
    with pytest.raises(avatars.AvatarsError) as raised:
        await start(server)
    assert raised.value.status == 404
    assert raised.value.code == "http-404"
    assert "nginx: not found" in raised.value.message


async def test_a_success_without_a_session_id_is_an_invalid_response(server: ApiServer) -> None:
    server.answer = lambda _r, _n: web.json_response({"transport": "livekit"}, status=201)
    with pytest.raises(avatars.AvatarsError) as raised:
        await start(server)
    assert raised.value.code == "invalid-response"
    assert len(server.requests) == 1


async def test_an_unreachable_api_is_retried_then_raised() -> None:
    port = free_port()  # nothing listens there
    api_client = avatars.AvatarsAPI(api_url=f"http://127.0.0.1:{port}", api_key="sk", conn_options=FAST)
    with pytest.raises(avatars.AvatarsError) as raised:
        await api_client.create_livekit_session("avt_1", livekit_url="ws://x", livekit_token="t", timeout=5)
    assert raised.value.status is None
    assert raised.value.code == "connection-failed"
    assert raised.value.retryable
    assert f"127.0.0.1:{port}" in raised.value.message


async def test_a_timeout_is_not_retried(server: ApiServer) -> None:
    async def slow() -> web.Response:
        await asyncio.sleep(1.5)  # past the client's 0.5 s; short, as the server's clean-up waits for it
        return web.json_response({}, status=201)

    server.answer = lambda _r, _n: slow()
    with pytest.raises(avatars.AvatarsError) as raised:
        await client(server).create_livekit_session("avt_1", livekit_url="ws://x", livekit_token="t", timeout=0.5)
    assert raised.value.code == "timeout"
    assert raised.value.status is None
    assert len(server.requests) == 1  # a second POST could have started a second session


async def test_get_and_delete_a_session(server: ApiServer) -> None:
    def answer(request: web.Request, _n: int) -> web.Response:
        if request.method == "GET":
            return web.json_response({"_id": "ses_1", "transport": "livekit", "state": "active"})
        return web.Response(status=204)

    server.answer = answer
    # Through an httpx client of the caller's, which the calls leave open.
    async with httpx.AsyncClient() as http:
        api_client = avatars.AvatarsAPI(api_url=server.url, api_key="sk_test", conn_options=FAST, http_session=http)
        assert (await api_client.get_session("ses_1"))["state"] == "active"
        await api_client.end_session("ses_1")
        assert not http.is_closed
    assert [(r.method, r.path) for r in server.requests] == [
        ("GET", "/api/v1/sessions/ses_1"),
        ("DELETE", "/api/v1/sessions/ses_1"),
    ]
    assert all(r.headers["X-API-Key"] == "sk_test" for r in server.requests)


async def test_start_calls_the_api_with_a_minted_token_and_routes_audio_to_the_avatar(server: ApiServer) -> None:
    """start() from a connected room (a real LiveKit server): what it posts, and the audio output it installs."""

    def answer(request: web.Request, _n: int) -> web.Response:
        if request.method == "POST":
            return session_started("ses_9", "face-9")
        return json_error(404, "Session not found", "not-found")  # already ended: aclose() stays quiet

    server.answer = answer
    with livekit_server() as lk:
        room = rtc.Room()
        await room.connect(lk.url, room_token("room-9", "agent-9", kind="agent"))
        try:
            agent_session: AgentSession[None] = AgentSession()
            avatar = avatars.AvatarSession(
                avatar_id="avt_9", api_url=server.url, api_key="sk_test", avatar_participant_identity="face-9"
            )
            await avatar.start(
                agent_session,
                room,
                livekit_url=lk.url,
                livekit_api_key=LIVEKIT_API_KEY,
                livekit_api_secret=LIVEKIT_API_SECRET,
            )
            assert avatar.session_id == "ses_9"

            posted = server.requests[0]
            assert (posted.method, posted.path) == ("POST", "/api/v1/avatars/avt_9/sessions")
            assert posted.headers["X-API-Key"] == "sk_test"
            assert posted.body["transport"] == "livekit"
            assert posted.body["livekit"]["url"] == lk.url
            claims = api.TokenVerifier(api_key=LIVEKIT_API_KEY, api_secret=LIVEKIT_API_SECRET).verify(
                posted.body["livekit"]["token"]
            )
            assert claims.identity == "face-9"
            assert claims.kind == "agent"
            assert claims.attributes == {"lk.publish_on_behalf": "agent-9"}
            assert claims.video is not None and claims.video.room == "room-9"

            output = agent_session.output.audio
            assert isinstance(output, DataStreamAudioOutput)
            assert output.sample_rate == avatars.SAMPLE_RATE

            with pytest.raises(RuntimeError, match="called once"):
                await avatar.start(agent_session, room, livekit_url=lk.url, livekit_api_key="k", livekit_api_secret="s")

            await avatar.aclose()
            assert (server.requests[-1].method, server.requests[-1].path) == ("DELETE", "/api/v1/sessions/ses_9")
            assert avatar.session_id is None
        finally:
            await room.disconnect()
