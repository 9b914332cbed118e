"""What the tests of this repository's Python packages share (the client's, and the LiveKit and Pipecat plugins'):
the real Avatars API of this checkout (``node bin/avatars.js serve``) and ``livekit-server --dev`` as child
processes, keys made with the API's command line, the fixtures' files, espeak-ng speech and bounded waits.

Not part of the published package (pyproject.toml leaves it out of the wheel and the sdist): it needs the checkout it
lies in, whose ``scripts/setup.sh`` installs the package editable.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import wave
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import TypeVar

import httpx

REPO_ROOT = Path(__file__).resolve().parents[4]
# ../shared/fixtures beside the repository, as the TypeScript tests have it (test/fixtures.ts).
FIXTURES = REPO_ROOT.parent / "shared" / "fixtures"
PORTRAIT = FIXTURES / "portraits" / "astronaut.png"

# What `livekit-server --dev` accepts.
LIVEKIT_API_KEY = "devkey"
LIVEKIT_API_SECRET = "secret"

ALL_SCOPES = "avatars:read,avatars:write,keys:admin"

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Process:
    """A child process whose output goes to a file, so a failure can show its last lines. It runs in a process group
    of its own, so ``stop()`` also ends what it started (the API's rendering containers) and nothing else."""

    def __init__(self, name: str, args: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None):
        self.name = name
        self._log = tempfile.NamedTemporaryFile(prefix=f"{name}-", suffix=".log", delete=False)  # noqa: SIM115
        self.proc = subprocess.Popen(
            args,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )

    def tail(self, chars: int = 4000) -> str:
        self._log.flush()
        return Path(self._log.name).read_text(errors="replace")[-chars:]

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}")

    def wait_http(self, url: str, timeout: float) -> None:
        """Until ``url`` answers 200; an error with the process's last lines if it exits or the time runs out."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not answer {url} within {timeout:g} s:\n{self.tail()}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            # SIGTERM: the API closes and stops its rendering containers (RENDERERS_STOP_WITH_API).
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        # Whatever it started and left behind (a renderer it could not stop) is in its process group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self._log.close()
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._log.name)


@dataclass
class Key:
    id: str
    key: str
    user_id: str
    organization_id: str | None


@dataclass
class AvatarsServer:
    url: str  # where its answers send clients: http://127.0.0.1:<port>, or public_url
    env: dict[str, str]
    process: Process

    def wait_ready(self, timeout: float = 90) -> None:
        """Until ``/readyz`` answers (the store too)."""
        self.process.wait_http(f"http://127.0.0.1:{self.env['PORT']}/readyz", timeout)

    def make_keys(self, owners: dict[str, tuple[str, str]], scopes: str = ALL_SCOPES) -> dict[str, Key]:
        """Keys made as an operator makes the first one, with the command line against the same store: one per name,
        for its (user, organization), all at once (each command starts Node, a second or two)."""
        command = ["node", "bin/avatars.js", "keys", "create", "--json", "--scopes", scopes]
        running = {
            name: subprocess.Popen(
                [*command, "--user", user, "--org", org],
                cwd=REPO_ROOT,
                env=self.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for name, (user, org) in owners.items()
        }
        keys = {}
        for name, made_by in running.items():
            out, err = made_by.communicate(timeout=60)
            if made_by.returncode != 0:
                raise RuntimeError(f"keys create failed: {err}")
            made = json.loads(out)
            keys[name] = Key(made["id"], made["key"], made["userId"], made["organizationId"])
        return keys

    def make_key(self, scopes: str = "avatars:read,avatars:write", *, user: str = "u", org: str = "o") -> str:
        return self.make_keys({"key": (user, org)}, scopes)["key"].key

    def stop(self) -> None:
        self.process.stop()


def launch_avatars(
    data_dir: Path, env: dict[str, str] | None = None, *, port: int | None = None, public_url: str | None = None
) -> AvatarsServer:
    """Start the API (``env`` on top of the tests' settings) and return at once: ``wait_ready()`` then waits for it,
    so two can boot together. Its rendering containers are child processes that stop with it."""
    port = port or free_port()
    url = public_url or f"http://127.0.0.1:{port}"
    # The machine's own settings must not leak in: a DATABASE_URL would put the tests' data in its database.
    server_env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "AVATARS_"))}
    server_env.update(
        HOST="127.0.0.1",
        PORT=str(port),
        DATA_DIR=str(data_dir),
        PUBLIC_URL=url,
        LOG_LEVEL="warn",
        RENDERERS_STOP_WITH_API="true",
        # Loopback only: the rendering container offers and accepts 127.0.0.1 candidates.
        RENDERER_ICE_HOSTS="127.0.0.1",
    )
    server_env.update(env or {})
    process = Process("avatars-api", ["node", "bin/avatars.js", "serve"], env=server_env, cwd=REPO_ROOT)
    return AvatarsServer(url, server_env, process)


@contextlib.contextmanager
def avatars_server(
    env: dict[str, str] | None = None, *, port: int | None = None, public_url: str | None = None
) -> Iterator[AvatarsServer]:
    """The API on SQLite in a temporary DATA_DIR, ready; ``public_url`` is where its answers send clients (a relay in
    front of it, say)."""
    with tempfile.TemporaryDirectory(prefix="avatars-api-") as data_dir:
        server = launch_avatars(Path(data_dir), env, port=port, public_url=public_url)
        try:
            server.wait_ready()
            yield server
        finally:
            server.stop()


@dataclass
class LiveKitServer:
    url: str  # ws://127.0.0.1:<port>
    process: Process


@contextlib.contextmanager
def livekit_server() -> Iterator[LiveKitServer]:
    """``livekit-server --dev`` on loopback with ports of its own (deploy/livekit/install-livekit-server.sh installs
    it; ``LIVEKIT_SERVER`` names another binary)."""
    binary = os.environ.get("LIVEKIT_SERVER") or shutil.which("livekit-server")
    if binary is None:
        raise RuntimeError("livekit-server is not installed: run deploy/livekit/install-livekit-server.sh")
    port, tcp_port, udp_port = free_port(), free_port(), free_port()
    config = f"port: {port}\nrtc:\n  tcp_port: {tcp_port}\n  udp_port: {udp_port}\n  use_external_ip: false\n"
    process = Process(
        "livekit-server",
        [binary, "--dev", "--bind", "127.0.0.1", "--node-ip", "127.0.0.1", "--config-body", config],
    )
    try:
        process.wait_http(f"http://127.0.0.1:{port}/", 15)
        yield LiveKitServer(url=f"ws://127.0.0.1:{port}", process=process)
    finally:
        process.stop()


ESPEAK_RATE = 22050


def espeak(text: str) -> bytes:
    """What espeak-ng says: int16 mono PCM at ESPEAK_RATE (22050 Hz, a rate the avatars' sessions do not take)."""
    out = subprocess.run(["espeak-ng", "--stdout", "-s", "170", text], capture_output=True, check=True, timeout=30)
    with wave.open(BytesIO(out.stdout)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, ESPEAK_RATE)
        pcm: bytes = w.readframes(w.getnframes())
        return pcm


async def within(seconds: float, what: str, awaitable: Awaitable[T]) -> T:
    """Every wait of a test is bounded, and says what it waited for when it fails."""
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except TimeoutError:
        raise AssertionError(f"timed out after {seconds:g} s waiting for {what}") from None


async def until(seconds: float, what: str, check: Callable[[], T]) -> T:
    """Polls ``check`` until it answers something true, and returns that."""
    deadline = time.monotonic() + seconds
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:g} s waiting for {what}")
        await asyncio.sleep(0.02)
    return result
