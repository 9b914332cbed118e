"""Real processes the tests run: a LiveKit server, and (for the end-to-end test) the Avatars API."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from livekit import api

LIVEKIT_API_KEY = "devkey"  # what `livekit-server --dev` accepts
LIVEKIT_API_SECRET = "secret"
REPO_ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def room_token(room: str, identity: str, *, kind: str = "standard") -> str:
    """A token for a participant of our own (the agent, a viewer)."""
    return (
        api.AccessToken(api_key=LIVEKIT_API_KEY, api_secret=LIVEKIT_API_SECRET)
        .with_identity(identity)
        .with_kind(kind)  # type: ignore[arg-type]  # "agent" | "standard" are the two the tests use
        .with_grants(api.VideoGrants(room_join=True, room=room))
        .to_jwt()
    )


class _Process:
    """A child process whose stderr/stdout go to a file, so a failure can show its last lines."""

    def __init__(self, name: str, args: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None):
        self.name = name
        self._log = tempfile.NamedTemporaryFile(prefix=f"{name}-", suffix=".log", delete=False)  # noqa: SIM115
        self.proc = subprocess.Popen(
            args, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env, cwd=cwd
        )

    def tail(self, chars: int = 4000) -> str:
        self._log.flush()
        return Path(self._log.name).read_text(errors="replace")[-chars:]

    def check_alive(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.tail()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()
        os.unlink(self._log.name)


def _wait_http(process: _Process, url: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        process.check_alive()
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except (urllib.error.URLError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{process.name} did not answer {url} within {timeout:g} s:\n{process.tail()}")
        time.sleep(0.1)


@dataclass
class LiveKitServer:
    url: str  # ws://127.0.0.1:<port>
    process: _Process


@contextlib.contextmanager
def livekit_server() -> Iterator[LiveKitServer]:
    """`livekit-server --dev` on loopback with ports of its own (deploy/livekit/install-livekit-server.sh puts it at
    /usr/local/bin)."""
    binary = os.environ.get("LIVEKIT_SERVER") or shutil.which("livekit-server")
    if binary is None:
        raise RuntimeError("livekit-server is not installed: run deploy/livekit/install-livekit-server.sh")
    port, tcp_port, udp_port = free_port(), free_port(), free_port()
    config = f"port: {port}\nrtc:\n  tcp_port: {tcp_port}\n  udp_port: {udp_port}\n  use_external_ip: false\n"
    process = _Process(
        "livekit-server",
        [binary, "--dev", "--bind", "127.0.0.1", "--node-ip", "127.0.0.1", "--config-body", config],
    )
    try:
        _wait_http(process, f"http://127.0.0.1:{port}/", 15)
        yield LiveKitServer(url=f"ws://127.0.0.1:{port}", process=process)
    finally:
        process.stop()


@dataclass
class AvatarsServer:
    url: str  # http://127.0.0.1:<port>
    data_dir: Path
    process: _Process

    def make_key(self, scopes: str = "avatars:read,avatars:write") -> str:
        """A key made with the CLI, as the README says, against the server's DATA_DIR."""
        out = subprocess.run(
            ["node", "bin/avatars.js", "keys", "create", "--user", "me", "--org", "acme", "--scopes", scopes, "--json"],
            cwd=REPO_ROOT,
            env={**os.environ, "DATA_DIR": str(self.data_dir)},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        import json

        key: str = json.loads(out.stdout)["key"]
        return key


@contextlib.contextmanager
def avatars_server() -> Iterator[AvatarsServer]:
    """The real API (`node bin/avatars.js serve`, SQLite in a temporary DATA_DIR), from the repository root."""
    with tempfile.TemporaryDirectory(prefix="avatars-e2e-") as data_dir:
        port = free_port()
        env = {
            **os.environ,
            "PORT": str(port),
            "HOST": "127.0.0.1",
            "DATA_DIR": data_dir,
            "PUBLIC_URL": f"http://127.0.0.1:{port}",
            "LOG_LEVEL": "warn",
            # Loopback only: the rendering container offers and accepts 127.0.0.1 candidates.
            "RENDERER_ICE_HOSTS": "127.0.0.1",
        }
        process = _Process("avatars-api", ["node", "bin/avatars.js", "serve"], env=env, cwd=REPO_ROOT)
        try:
            _wait_http(process, f"http://127.0.0.1:{port}/readyz", 60)
            yield AvatarsServer(url=f"http://127.0.0.1:{port}", data_dir=Path(data_dir), process=process)
        finally:
            process.stop()
