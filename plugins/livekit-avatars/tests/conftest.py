"""Ends the test process without the interpreter's teardown once livekit's native runtime has been loaded.

livekit-rtc's Rust runtime may still deliver an event to its Python callback while the interpreter finalizes, after
every test has passed; the callback then fails in a function that cannot unwind and the process aborts (SIGABRT,
exit 134), turning a green run red. Nothing is left to tear down by then (the rooms are left, the servers stopped by
the fixtures), so the last hook flushes the output and exits with pytest's own status.
"""

import os
import sys

import pytest

_exit_status: int | None = None


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    global _exit_status
    _exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    if _exit_status is None or "livekit.rtc" not in sys.modules:
        return
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(_exit_status)
