"""Fixtures: the real server once per store for the whole run, and clients with keys of their own.

Every test that takes ``server`` (directly or through a client) runs twice: against SQLite and against PostgreSQL
(a schema of its own).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator

import pytest

from avatars import AsyncAvatarsClient
from avatars.testing import LiveKitServer, livekit_server

from .receiver import Receiver, running_receiver
from .support import Server, client_for, key_for, launch_server, psql, wait_ready

STORES = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def launched(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Server]]:
    """Every store's server that this run's tests use, started together: the second boots while the first is tested."""
    used = {item.callspec.params.get("server") for item in request.session.items if hasattr(item, "callspec")}
    servers: dict[str, Server] = {}
    try:
        for store in (s for s in STORES if s in used):
            # One launched before another failed to (PostgreSQL down, say) is stopped too.
            servers[store] = launch_server(store, tmp_path_factory.mktemp(store))
        yield servers
    finally:
        for srv in servers.values():
            srv.api.stop()
            if srv.schema:
                psql(f"drop schema if exists {srv.schema} cascade")


@pytest.fixture(scope="session", params=STORES)
def server(request: pytest.FixtureRequest, launched: dict[str, Server]) -> Server:
    srv = launched[request.param]
    wait_ready(srv)
    return srv


@pytest.fixture
async def admin(server: Server) -> AsyncIterator[AsyncAvatarsClient]:
    # A server that died would fail every later test with a bare connection error: say so once, with its log.
    server.api.process.check_alive()
    async with client_for(server, server.keys["admin"].key) as c:
        yield c


@pytest.fixture
async def client(server: Server, admin: AsyncAvatarsClient) -> AsyncIterator[AsyncAvatarsClient]:
    """User ``u`` of organization ``o`` with every scope, through a key of this test's own (its own rate budget)."""
    async with await key_for(admin, server, "avatars:read", "avatars:write", "keys:admin") as c:
        yield c


@pytest.fixture
async def colleague(server: Server, admin: AsyncAvatarsClient) -> AsyncIterator[AsyncAvatarsClient]:
    """Another user of the same organization: sees its avatars, owns none of them."""
    async with await key_for(admin, server, "avatars:read", "avatars:write", user_id="u2") as c:
        yield c


@pytest.fixture
async def reader(server: Server, admin: AsyncAvatarsClient) -> AsyncIterator[AsyncAvatarsClient]:
    """User ``u`` of the same organization with ``avatars:read`` only."""
    async with await key_for(admin, server, "avatars:read") as c:
        yield c


@pytest.fixture
async def stranger(server: Server) -> AsyncIterator[AsyncAvatarsClient]:
    """An admin of another organization."""
    async with client_for(server, server.keys["stranger"].key) as c:
        yield c


@pytest.fixture
async def hooks(server: Server) -> AsyncIterator[AsyncAvatarsClient]:
    """An admin of an organization of its own: its webhooks hear only what the webhook tests do."""
    server.api.process.check_alive()
    async with client_for(server, server.keys["hooks"].key) as c:
        yield c


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    yield from running_receiver()


@pytest.fixture
def unique() -> str:
    """A name no other test uses: the server lives for the whole run."""
    return f"py-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="session")
def livekit() -> Iterator[LiveKitServer]:
    with livekit_server() as server:
        yield server
