"""Real processes and real media for the tests: the Avatars API (`node bin/avatars.js serve`) with a realtime_lipsync
avatar made through it, and espeak-ng speech."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[3]
# ../shared/fixtures beside the repository, as the TypeScript tests have it (test/fixtures.ts).
PORTRAIT = REPO_ROOT.parent / "shared" / "fixtures" / "portraits" / "astronaut.png"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Process:
    """A child process whose output goes to a file, so a failure can show its last lines."""

    def __init__(self, name: str, args: list[str], *, env: dict[str, str], cwd: Path):
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
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()
        os.unlink(self._log.name)


@dataclass
class AvatarsServer:
    url: str  # http://127.0.0.1:<port>
    data_dir: Path
    process: Process

    def make_key(self, scopes: str = "avatars:read,avatars:write") -> str:
        """A key made with the CLI, as the README says, against the server's DATA_DIR."""
        out = subprocess.run(
            ["node", "bin/avatars.js", "keys", "create", "--user", "u", "--org", "o", "--scopes", scopes, "--json"],
            cwd=REPO_ROOT,
            env={**os.environ, "DATA_DIR": str(self.data_dir)},
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        key: str = json.loads(out.stdout)["key"]
        return key

    def call(
        self, key: str, method: str, path: str, body: Any = None, *, raw: bytes | None = None,
        content_type: str = "application/json", timeout: float = 90,
    ) -> tuple[int, Any]:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={"X-API-Key": key})
        if data is not None:
            request.add_header("Content-Type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                text = response.read().decode()
                return response.status, json.loads(text) if text else None
        except urllib.error.HTTPError as e:
            text = e.read().decode()
            return e.code, json.loads(text) if text else None

    def create_avatar(self, key: str, body: dict[str, Any]) -> str:
        status, avatar = self.call(key, "POST", "/api/v1/avatars", body)
        assert status == 201, avatar
        avatar_id: str = avatar["_id"]
        return avatar_id

    def upload_portrait(self, key: str, avatar_id: str) -> None:
        """The raw PNG as the source; then waits until the API has preprocessed it (status ready)."""
        status, uploaded = self.call(
            key, "POST", f"/api/v1/avatars/{avatar_id}/source", raw=PORTRAIT.read_bytes(), content_type="image/png"
        )
        assert status == 200, uploaded
        deadline = time.monotonic() + 60
        while True:
            self.process.check_alive()
            status, avatar = self.call(key, "GET", f"/api/v1/avatars/{avatar_id}")
            assert status == 200, avatar
            if avatar["status"] == "ready":
                return
            if avatar["status"] == "failed" or time.monotonic() > deadline:
                raise AssertionError(f"the portrait of {avatar_id} was not preprocessed within 60 s: {avatar}")
            time.sleep(0.2)


def _wait_http(process: Process, url: str, timeout: float) -> None:
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


@contextlib.contextmanager
def avatars_server(port: int | None = None, public_url: str | None = None) -> Iterator[AvatarsServer]:
    """The real API (SQLite in a temporary DATA_DIR), from the repository root; its rendering containers are child
    processes that stop with it (RENDERERS_STOP_WITH_API), so nothing outlives the tests. `public_url` is where its
    answers send clients (a relay in front of it, for the tests that cut the network)."""
    with tempfile.TemporaryDirectory(prefix="pipecat-avatars-") as data_dir:
        port = port or free_port()
        env = {
            **os.environ,
            "PORT": str(port),
            "HOST": "127.0.0.1",
            "DATA_DIR": data_dir,
            "PUBLIC_URL": public_url or f"http://127.0.0.1:{port}",
            "LOG_LEVEL": "warn",
            "RENDERER_ICE_HOSTS": "127.0.0.1",
            "RENDERERS_STOP_WITH_API": "true",
        }
        process = Process("avatars-api", ["node", "bin/avatars.js", "serve"], env=env, cwd=REPO_ROOT)
        try:
            _wait_http(process, f"http://127.0.0.1:{port}/readyz", 60)
            yield AvatarsServer(url=public_url or f"http://127.0.0.1:{port}", data_dir=Path(data_dir), process=process)
        finally:
            process.stop()


ESPEAK_RATE = 22050


def espeak(text: str) -> bytes:
    """What espeak-ng says: int16 mono PCM at 22050 Hz (a rate the session does not take: the service resamples)."""
    out = subprocess.run(["espeak-ng", "--stdout", "-s", "170", text], capture_output=True, check=True, timeout=30)
    with wave.open(BytesIO(out.stdout)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (1, 2, ESPEAK_RATE)
        pcm: bytes = w.readframes(w.getnframes())
        return pcm
