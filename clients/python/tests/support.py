"""The real Avatars server on each store (avatars.testing runs it), the fixtures' files, and keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import subprocess
import time
import wave
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import httpx
import pytest

from avatars import DEFAULT_TIMEOUT, AsyncAvatarsClient, AvatarsError
from avatars.testing import (
    ESPEAK_RATE,
    FIXTURES,
    LIVEKIT_API_KEY,
    LIVEKIT_API_SECRET,
    PORTRAIT,
    AvatarsServer,
    Key,
    espeak,
    launch_avatars,
)
from avatars.types import Scope

VRM = FIXTURES / "vrm" / "VRMC_vrm_expressions_isBinary_Overrides.vrm"
VRM_V0 = FIXTURES / "vrm" / "EmissionMigration_v0.106.0.vrm"
# A face: preprocessing makes it ready.
ASTRONAUT = PORTRAIT
# A cat: preprocessing finds no human face in it, so the avatar ends `failed`.
CAT = FIXTURES / "portraits" / "chelsea-cat.png"

DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgres://root@127.0.0.1:5432/test")
# Low enough that the 429 test reaches it in a second; every test has a key of its own (see `client`), so none
# comes near it otherwise.
RATE_LIMIT_PER_MINUTE = 300

SERVER_ENV = {
    "RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT_PER_MINUTE),
    # The control loop runs often.
    "RECONCILE_INTERVAL_MS": "200",
    # One session per avatar, so the second start is the 409; small uploads, so 413 takes only 1 MiB.
    "SESSIONS_PER_AVATAR": "1",
    "MAX_VRM_MB": "1",
    "MAX_IMAGE_MB": "1",
    # Webhooks may call the tests' receiver on loopback, and retry a failed delivery a second later.
    "WEBHOOK_ALLOWED_HOSTS": "127.0.0.1",
    "WEBHOOK_RETRY_SCHEDULE": "1,1,1",
}
UPLOAD_LIMIT_BYTES = 1024 * 1024


def psql(sql: str) -> None:
    subprocess.run(["psql", "-v", "ON_ERROR_STOP=1", "-qtA", DATABASE_URL, "-c", sql], check=True, capture_output=True)


# The run's keys hold every scope, webhooks' too.
SCOPES = "avatars:read,avatars:write,keys:admin,webhooks:admin"


@dataclass
class Server:
    """The API on one store, with the run's keys once ready: ``admin`` (user u of organization o), ``stranger`` (an
    admin of another organization) and ``hooks`` (an admin of an organization of its own, whose webhooks hear only
    the events of the webhook tests)."""

    store: str
    api: AvatarsServer
    schema: str | None = None
    keys: dict[str, Key] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.api.url

    @property
    def blobs(self) -> Path:
        """Where the server keeps its files (local blobs on both stores)."""
        return Path(self.api.env["DATA_DIR"]) / "blobs"


def launch_server(store: str, data_dir: Path) -> Server:
    """Start the server's process and return at once: ``wait_ready`` then waits for it (so two can boot together)."""
    env = dict(SERVER_ENV)
    schema = None
    if store == "postgres":
        schema = f"py_{secrets.token_hex(6)}"
        psql(f"create schema {schema}")
        env.update(DATABASE_URL=DATABASE_URL, DATABASE_SCHEMA=schema)
    return Server(store, launch_avatars(data_dir, env), schema)


def wait_ready(server: Server) -> None:
    """Wait for the server, then make the run's keys."""
    if server.keys:
        return
    server.api.wait_ready()
    owners = {"admin": ("u", "o"), "stranger": ("s", "other-org"), "hooks": ("h", "hooks-org")}
    server.keys.update(server.api.make_keys(owners, SCOPES))


def client_for(server: Server, key: str, timeout: float | httpx.Timeout = DEFAULT_TIMEOUT) -> AsyncAvatarsClient:
    return AsyncAvatarsClient(api_key=key, base_url=server.url, timeout=timeout)


async def key_for(
    admin: AsyncAvatarsClient, server: Server, *scopes: Scope, user_id: str | None = None
) -> AsyncAvatarsClient:
    """A client with a new key of the admin's organization: for ``user_id`` (default the admin's user), these scopes."""
    made = await admin.keys.create(scopes=list(scopes), user_id=user_id, name="test")
    return client_for(server, made["key"])


async def refused(
    error: type[AvatarsError], code: str, *calls: Callable[[], Awaitable[object]], naming: str = ""
) -> None:
    """Each call raises ``error`` with the API's ``code``, its sentence naming ``naming`` (a scope, say)."""
    for call in calls:
        with pytest.raises(error) as e:
            await call()
        assert e.value.code == code, e.value
        assert naming in e.value.message, e.value


def avatar_room_token(room: str, agent_identity: str, secret: str = LIVEKIT_API_SECRET) -> str:
    """The room token an agent's plugin mints for its avatar (kind ``agent``, ``lk.publish_on_behalf``): HS256 by
    hand, so the tests need no LiveKit package."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    now = int(time.time())
    claims = {
        "iss": LIVEKIT_API_KEY,
        "sub": f"{agent_identity}-avatar",
        "nbf": now - 10,
        "exp": now + 600,
        "kind": "agent",
        "attributes": {"lk.publish_on_behalf": agent_identity},
        "video": {"roomJoin": True, "room": room, "canPublish": True, "canSubscribe": True, "canPublishData": True},
    }
    unsigned = f"{b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}).encode())}.{b64(json.dumps(claims).encode())}"
    signature = hmac.new(secret.encode(), unsigned.encode(), hashlib.sha256).digest()
    return f"{unsigned}.{b64(signature)}"


def spoken_wav(text: str) -> bytes:
    """A WAV file of espeak-ng saying ``text`` (mono 16-bit, 22050 Hz), with its sizes written, as a user would upload
    one (espeak-ng's own streamed header leaves them at their maximum)."""
    out = BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(ESPEAK_RATE)
        w.writeframes(espeak(text))
    return out.getvalue()


def wav_seconds(wav: bytes) -> float:
    with wave.open(BytesIO(wav)) as w:
        frames: int = w.getnframes()
        rate: int = w.getframerate()
    return frames / rate
