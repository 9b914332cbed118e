"""The client itself: settings from the environment, its base URL, who closes what, and failures that are not the
API's JSON errors."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest

from avatars import (
    DEFAULT_BASE_URL,
    AsyncAvatarsClient,
    AvatarsConnectionError,
    AvatarsError,
    BadGatewayError,
    ServerError,
)
from avatars.testing import free_port

from .support import Server


async def test_key_and_url_come_from_the_environment(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AVATARS_API_KEY", server.keys["admin"].key)
    monkeypatch.setenv("AVATARS_API_URL", f"{server.url}/api/v1/")
    async with AsyncAvatarsClient() as c:
        assert c.base_url == server.url  # the root, whichever of the two was given
        assert (await c.keys.whoami())["keyId"] == server.keys["admin"].id
    # Arguments win over the environment.
    async with AsyncAvatarsClient(api_key="sk_other", base_url=server.url + "/") as c:
        assert c.base_url == server.url
        assert c._api_key == "sk_other"


def test_without_a_key_it_says_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AVATARS_API_KEY", raising=False)
    monkeypatch.delenv("AVATARS_API_URL", raising=False)
    with pytest.raises(ValueError, match="AVATARS_API_KEY"):
        AsyncAvatarsClient()
    with pytest.raises(ValueError, match="http"):
        AsyncAvatarsClient(api_key="sk_x", base_url="localhost:3000")
    c = AsyncAvatarsClient(api_key="sk_secret")
    assert c.base_url == DEFAULT_BASE_URL
    assert "sk_secret" not in repr(c)


async def test_a_given_http_client_is_used_and_left_open(server: Server) -> None:
    seen: list[str] = []

    async def log(request: httpx.Request) -> None:
        seen.append(request.url.path)

    async with httpx.AsyncClient(event_hooks={"request": [log]}) as http:
        async with AsyncAvatarsClient(api_key=server.keys["admin"].key, base_url=server.url, http_client=http) as c:
            await c.keys.whoami()
        assert not http.is_closed
        assert seen == ["/api/v1/auth/whoami"]


async def test_nothing_listening_is_a_connection_error() -> None:
    async with AsyncAvatarsClient(api_key="sk_x", base_url=f"http://127.0.0.1:{free_port()}") as c:
        with pytest.raises(AvatarsConnectionError) as e:
            await c.avatars.list()
    assert isinstance(e.value, AvatarsError)
    assert e.value.status is None and e.value.code == "connection-failed"
    assert isinstance(e.value.__cause__, httpx.ConnectError)


async def test_a_success_that_is_not_json_is_an_invalid_response(client: AsyncAvatarsClient) -> None:
    # /live is the API's HTML page for watching a session: not what a client call expects.
    with pytest.raises(AvatarsError) as e:
        await client.request("GET", "/live")
    assert (e.value.status, e.value.code) == (200, "invalid-response")
    assert isinstance(e.value.body, str) and "<" in e.value.body


class _GatewayDown(BaseHTTPRequestHandler):
    """A reverse proxy in front of an API that is down (nginx's 502 page), never the API itself."""

    def do_GET(self) -> None:
        body = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        self.send_response(502)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Retry-After", "7")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def gateway_down() -> Iterator[str]:
    httpd = HTTPServer(("127.0.0.1", 0), _GatewayDown)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = httpd.server_address[:2]
        assert isinstance(host, str) and isinstance(port, int)
        yield f"http://{host}:{port}"
    finally:
        httpd.shutdown()
        httpd.server_close()


async def test_an_error_that_is_not_the_apis_json_keeps_status_and_text(gateway_down: str) -> None:
    async with AsyncAvatarsClient(api_key="sk_x", base_url=gateway_down) as c:
        with pytest.raises(BadGatewayError) as e:
            await c.keys.whoami()
    err = e.value
    assert isinstance(err, ServerError)
    assert (err.status, err.code) == (502, "http-502")
    assert "502 Bad Gateway" in err.message
    assert err.retry_after == 7.0
    assert err.details == [] and err.reason is None
