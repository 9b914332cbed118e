"""The API fuzz (docs/reliability.md): schemathesis against a real server, every operation of its OpenAPI document.

Starts ``node bin/avatars.js serve`` on a free port over a temporary DATA_DIR (SQLite, no rate limit), mints a key
with every scope through the CLI, and runs ``st run <server>/api/v1/openapi.json`` with schemathesis.toml and
hooks.py beside this file. Then it checks that the server is still up and the key still works, and stops the server.
Exits 0 only when schemathesis found nothing. Extra arguments go to ``st run`` (``-n 10`` for a quick run).

Run it with ``npm run fuzz:api`` (scripts/api-fuzz.sh); ``npm test`` runs it last.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
VENV_BIN = Path(sys.executable).parent
REPORT = ROOT / "test-artifacts" / "api-fuzz"
SCOPES = "avatars:read,avatars:write,keys:admin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def get(url: str, key: str | None = None) -> int:
    request = urllib.request.Request(url, headers={"x-api-key": key} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            status: int = answer.status
            return status
    except urllib.error.HTTPError as error:
        return error.code


def logged_errors(log: Path) -> list[str]:
    """The server's error log lines (pino's level 50 and up), but for the documented 503 of a rendering container that
    is not there: what no answer shows, such as a failure in the background (preprocessing, the control loop)."""
    errors = []
    for line in log.read_text(errors="replace").splitlines():
        try:
            entry: dict[str, Any] = json.loads(line)
        except ValueError:
            continue  # not one of the server's log lines (a warning of Node's own)
        if entry.get("level", 0) >= 50 and (entry.get("err") or {}).get("code") != "service-unavailable":
            errors.append(line)
    return errors


def main() -> int:
    started = time.monotonic()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="avatars-api-fuzz-") as data_dir:
        # Only what the server needs: a developer's DATABASE_URL, S3 or orchestrator settings must not reach it.
        env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
        env.update(
            HOST="127.0.0.1",
            PORT=str(port),
            PUBLIC_URL=url,
            DATA_DIR=data_dir,
            LOG_LEVEL="warn",
            # Thousands of requests from one key: the limiter would answer 429 (documented) instead of the operation.
            RATE_LIMIT_PER_MINUTE="0",
            RENDERERS_STOP_WITH_API="true",
        )
        # Kept after the run, beside schemathesis's report.
        REPORT.mkdir(parents=True, exist_ok=True)
        log_path = REPORT / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                ["node", "bin/avatars.js", "serve"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # A process group of its own: stopping it ends whatever it started, and nothing else.
                start_new_session=True,
            )
        try:
            return fuzz(server, url, env, log_path, started)
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            try:
                os.killpg(server.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def fuzz(server: subprocess.Popen[bytes], url: str, env: dict[str, str], log_path: Path, started: float) -> int:
    def server_log() -> str:
        return log_path.read_text(errors="replace")[-4000:]

    deadline = time.monotonic() + 90
    while True:
        if server.poll() is not None:
            print(f"api-fuzz: the server exited with {server.returncode}:\n{server_log()}", file=sys.stderr)
            return 1
        try:
            if get(f"{url}/healthz") == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            print(f"api-fuzz: the server did not answer /healthz in 90 s:\n{server_log()}", file=sys.stderr)
            return 1
        time.sleep(0.2)

    made = subprocess.run(
        ["node", "bin/avatars.js", "keys", "create", "--user", "fuzzer", "--org", "fuzz", "--scopes", SCOPES,
         "--name", "api-fuzz", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    key = json.loads(made.stdout)

    report = REPORT / "report.json"
    report.unlink(missing_ok=True)
    command = [
        str(VENV_BIN / "st"), "--config-file", str(HERE / "schemathesis.toml"), "run", f"{url}/api/v1/openapi.json",
        "--report", "json", "--report-json-path", str(report),
        *sys.argv[1:],
    ]  # fmt: skip
    fuzz_env = {
        **os.environ,
        "AVATARS_FUZZ_KEY": key["key"],
        "AVATARS_FUZZ_KEY_ID": key["id"],
        "SCHEMATHESIS_HOOKS": str(HERE / "hooks.py"),
    }
    print(f"api-fuzz: schemathesis against {url} (server log: {log_path.relative_to(ROOT)})", flush=True)
    exit_code = subprocess.run(command, cwd=ROOT, env=fuzz_env, check=False).returncode

    problems = []
    if server.poll() is not None:
        problems.append(f"the server exited with {server.returncode} during the run:\n{server_log()}")
    elif get(f"{url}/api/v1/auth/whoami", key["key"]) != 200:
        problems.append("the fuzzer's own key stopped working: the run after that point reached no operation")
    problems.extend(f"the server logged an error: {line[:1000]}" for line in logged_errors(log_path))
    summary = json.loads(report.read_text()) if report.exists() else None
    if summary is None:
        problems.append(f"schemathesis wrote no report (exit {exit_code})")
    elif exit_code != 0:
        problems.append(f"schemathesis exited with {exit_code}")
    for problem in problems:
        print(f"api-fuzz: {problem}", file=sys.stderr)

    cases = summary["test_cases"] if summary else {"generated": 0, "with_failures": 0}
    failed = max(cases["with_failures"], 1) if problems else cases["with_failures"]
    operations = summary["operations"]["tested"] if summary else 0
    print(
        f"api-fuzz: {operations} operations, {cases['generated']} test cases, {time.monotonic() - started:.0f} s "
        f"(report: {report.relative_to(ROOT)})"
    )
    # The plain closing line (N passed, N failed) that says how many tests ran.
    print(f"api-fuzz: {cases['generated'] - cases['with_failures']} passed, {failed} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
