"""The real Avatars server (``node bin/avatars.js serve``) as a subprocess, the fixtures' files, and keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from avatars import DEFAULT_TIMEOUT, AsyncAvatarsClient
from avatars.types import Scope

REPO_ROOT = Path(__file__).resolve().parents[3]
FIXTURES = REPO_ROOT.parent / "shared" / "fixtures"
VRM = FIXTURES / "vrm" / "VRMC_vrm_expressions_isBinary_Overrides.vrm"
VRM_V0 = FIXTURES / "vrm" / "EmissionMigration_v0.106.0.vrm"
ASTRONAUT = FIXTURES / "portraits" / "astronaut.png"
# A cat: preprocessing finds no human face in it, so the avatar ends `failed`.
CAT = FIXTURES / "portraits" / "chelsea-cat.png"

DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgres://root@127.0.0.1:5432/test")
ALL_SCOPES = "avatars:read,avatars:write,keys:admin"
# Low enough that the 429 test reaches it in a second; every test has a key of its own (see `client`), so none
# comes near it otherwise.
RATE_LIMIT_PER_MINUTE = 300

SERVER_ENV = {
    "HOST": "127.0.0.1",
    "RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT_PER_MINUTE),
    "LOG_LEVEL": "warn",
    # Rendering containers are local processes; they stop with the server, and the control loop runs often.
    "RENDERERS_STOP_WITH_API": "true",
    "RECONCILE_INTERVAL_MS": "200",
    # One session per avatar, so the second start is the 409; small uploads, so 413 takes only 1 MiB.
    "SESSIONS_PER_AVATAR": "1",
    "MAX_VRM_MB": "1",
    "MAX_IMAGE_MB": "1",
}
UPLOAD_LIMIT_BYTES = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def psql(sql: str) -> None:
    subprocess.run(["psql", "-v", "ON_ERROR_STOP=1", "-qtA", DATABASE_URL, "-c", sql], check=True, capture_output=True)


@dataclass
class Key:
    id: str
    key: str
    user_id: str
    organization_id: str | None


@dataclass
class Server:
    store: str
    url: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes]
    schema: str | None = None
    keys: dict[str, Key] = field(default_factory=dict)

    def cli_keys(self, wanted: dict[str, tuple[str, str]]) -> dict[str, Key]:
        """Keys made as an operator makes the first one: with the command line, against the same store (at once:
        each command starts Node, a second or two)."""
        running = {
            name: subprocess.Popen(
                [
                    "node",
                    "bin/avatars.js",
                    "keys",
                    "create",
                    "--user",
                    user,
                    "--org",
                    org,
                    "--scopes",
                    ALL_SCOPES,
                    "--json",
                ],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name, (user, org) in wanted.items()
        }
        keys = {}
        for name, command in running.items():
            out, err = command.communicate(timeout=60)
            if command.returncode != 0:
                raise RuntimeError(f"keys create failed: {err}")
            made = json.loads(out)
            keys[name] = Key(made["id"], made["key"], made["userId"], made["organizationId"])
        return keys

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            # SIGTERM: the server closes and stops its rendering containers (RENDERERS_STOP_WITH_API).
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # Whatever it started and left behind (a renderer it could not stop) is in its process group.
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def launch_server(store: str, data_dir: Path) -> Server:
    """Start the server's process and return at once: ``wait_ready`` then waits for it (so two can boot together)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "AVATARS_"))}
    env.update(SERVER_ENV, PORT=str(port), DATA_DIR=str(data_dir), PUBLIC_URL=url)
    schema = None
    if store == "postgres":
        schema = f"py_{secrets.token_hex(6)}"
        psql(f"create schema {schema}")
        env.update(DATABASE_URL=DATABASE_URL, DATABASE_SCHEMA=schema)
    log = data_dir / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["node", "bin/avatars.js", "serve"],
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            # Its own process group, so teardown can end the renderers it started and nothing else.
            start_new_session=True,
        )
    return Server(store, url, env, log, process, schema)


def wait_ready(server: Server, timeout: float = 90) -> None:
    """Wait for ``/healthz``, then make the run's two keys (an admin of organization ``o``, one of another)."""
    if server.keys:
        return
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the server did not answer /healthz in {timeout:g} s:\n{server.log_tail()}")
        time.sleep(0.1)
    server.keys.update(server.cli_keys({"admin": ("u", "o"), "stranger": ("s", "other-org")}))


def client_for(server: Server, key: str, timeout: float | httpx.Timeout = DEFAULT_TIMEOUT) -> AsyncAvatarsClient:
    return AsyncAvatarsClient(api_key=key, base_url=server.url, timeout=timeout)


async def key_for(
    admin: AsyncAvatarsClient, server: Server, *scopes: Scope, user_id: str | None = None
) -> AsyncAvatarsClient:
    """A client with a new key of the admin's organization: for ``user_id`` (default the admin's user), these scopes."""
    made = await admin.keys.create(scopes=list(scopes), user_id=user_id, name="test")
    return client_for(server, made["key"])


# livekit-server --dev's key and secret.
LIVEKIT_KEY = "devkey"
LIVEKIT_SECRET = "secret"


@dataclass
class LiveKit:
    url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_livekit() -> LiveKit:
    """A real LiveKit server on loopback with ports of its own (as test/livekit/livekit-server.ts starts it)."""
    port, tcp_port, udp_port = free_port(), free_port(), free_port()
    config = f"port: {port}\nrtc:\n  tcp_port: {tcp_port}\n  udp_port: {udp_port}\n  use_external_ip: false\n"
    process = subprocess.Popen(
        [os.environ.get("LIVEKIT_SERVER", "livekit-server"), "--dev", "--bind", "127.0.0.1", "--node-ip", "127.0.0.1",
         "--config-body", config],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 15
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"livekit-server exited with {process.returncode} at start")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=1).status_code == 200:
                return LiveKit(f"ws://127.0.0.1:{port}", process)
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("livekit-server did not answer in 15 s")
        time.sleep(0.1)


def avatar_room_token(room: str, agent_identity: str, secret: str = LIVEKIT_SECRET) -> str:
    """The room token an agent's plugin mints for its avatar (kind ``agent``, ``lk.publish_on_behalf``): HS256 by
    hand, so the tests need no LiveKit package."""

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    now = int(time.time())
    claims = {
        "iss": LIVEKIT_KEY,
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
