"""Arguments and environment: what AvatarSession reads, what it refuses, and the token it mints."""

from __future__ import annotations

from typing import Any

import pytest

from livekit import api, rtc
from livekit.agents import AgentSession
from livekit.plugins import avatars

ENV = (
    "AVATARS_API_URL",
    "AVATARS_API_KEY",
    "AVATARS_AVATAR_ID",
    "LIVEKIT_URL",
    "LIVEKIT_API_KEY",
    "LIVEKIT_API_SECRET",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # The machine's own settings must not leak into what is tested.
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


def test_reads_the_environment_when_no_argument_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVATARS_API_URL", "http://avatars.test:3000/")
    monkeypatch.setenv("AVATARS_API_KEY", "sk_env")
    monkeypatch.setenv("AVATARS_AVATAR_ID", "avt_env")
    avatar = avatars.AvatarSession()
    assert avatar.avatar_id == "avt_env"
    assert avatar.api_url == "http://avatars.test:3000"  # the trailing slash is dropped
    assert avatar.avatar_identity == "avatars-avatar-agent"
    assert avatar.provider == "avatars"
    assert avatar.session_id is None


def test_arguments_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVATARS_API_URL", "http://env.test")
    monkeypatch.setenv("AVATARS_API_KEY", "sk_env")
    monkeypatch.setenv("AVATARS_AVATAR_ID", "avt_env")
    avatar = avatars.AvatarSession(
        avatar_id="avt_arg",
        api_url="https://arg.test",
        api_key="sk_arg",
        avatar_participant_identity="face-1",
        avatar_participant_name="Face",
    )
    assert avatar.avatar_id == "avt_arg"
    assert avatar.api_url == "https://arg.test"
    assert avatar.avatar_identity == "face-1"


@pytest.mark.parametrize(
    ("missing", "argument"),
    [
        # AvatarSession() reads these...
        ("AVATARS_AVATAR_ID", "avatar_id"),
        ("AVATARS_API_URL", "api_url"),
        ("AVATARS_API_KEY", "api_key"),
        # ...and start() these, before it calls anything.
        ("LIVEKIT_URL", "livekit_url"),
        ("LIVEKIT_API_KEY", "livekit_api_key"),
        ("LIVEKIT_API_SECRET", "livekit_api_secret"),
    ],
)
async def test_a_missing_setting_is_named(monkeypatch: pytest.MonkeyPatch, missing: str, argument: str) -> None:
    values = {
        "AVATARS_API_URL": "http://127.0.0.1:9",  # port 9 refuses: a call would be a connection-failed
        "AVATARS_API_KEY": "sk_x",
        "AVATARS_AVATAR_ID": "avt_x",
        "LIVEKIT_URL": "ws://lk.test",
        "LIVEKIT_API_KEY": "k",
        "LIVEKIT_API_SECRET": "s",
    }
    for name, value in values.items():
        # An empty variable is as good as none (a blank line in a .env file).
        monkeypatch.setenv(name, "" if name == missing else value)
    with pytest.raises(avatars.AvatarsError) as raised:
        await avatars.AvatarSession().start(AgentSession(), rtc.Room())
    assert raised.value.code == "missing-configuration"
    assert raised.value.status is None
    assert f"{argument}=" in raised.value.message and missing in raised.value.message
    assert not raised.value.retryable


def test_refuses_an_api_url_without_a_scheme() -> None:
    with pytest.raises(avatars.AvatarsError, match="must start with http:// or https://"):
        avatars.AvatarSession(avatar_id="avt_x", api_key="sk_x", api_url="avatars.test:3000")


async def test_start_needs_a_job_or_a_connected_room() -> None:
    avatar = avatars.AvatarSession(avatar_id="avt_x", api_key="sk_x", api_url="http://127.0.0.1:9")
    with pytest.raises(RuntimeError, match="job context or a connected room"):
        await avatar.start(
            AgentSession(), rtc.Room(), livekit_url="ws://lk.test", livekit_api_key="k", livekit_api_secret="s"
        )


def test_the_avatar_token_follows_livekits_avatar_contract() -> None:
    jwt = avatars.mint_avatar_token(
        api_key="devkey",
        api_secret="secret",
        room_name="room-1",
        avatar_identity="avatars-avatar-agent",
        avatar_name="Face",
        agent_identity="agent-7",
    )
    claims = api.TokenVerifier(api_key="devkey", api_secret="secret").verify(jwt)
    assert claims.identity == "avatars-avatar-agent"
    assert claims.name == "Face"
    assert claims.kind == "agent"
    assert claims.attributes == {"lk.publish_on_behalf": "agent-7"}
    video: Any = claims.video
    assert video.room_join is True
    assert video.room == "room-1"
    # Signed with another secret, it is refused: the signature is real.
    with pytest.raises(Exception):
        api.TokenVerifier(api_key="devkey", api_secret="other").verify(jwt)
