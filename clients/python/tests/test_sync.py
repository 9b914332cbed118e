"""AvatarsClient, the blocking façade: the async client's calls, answers and errors, run to completion."""

from __future__ import annotations

import pytest

from avatars import AvatarsClient, ConflictError, NotFoundError, UnauthorizedError

from .support import ASTRONAUT, VRM, Server


def test_the_blocking_client_round_trip(server: Server) -> None:
    with AvatarsClient(api_key=server.keys["admin"].key, base_url=server.url) as client:
        assert client.keys.whoami()["userId"] == "u"
        avatar = client.avatars.create(name="sync", tier="stylized_3d")
        assert client.avatars.upload_source(avatar["_id"], VRM)["field"] == "sourceModel"
        assert client.avatars.get(avatar["_id"])["status"] == "ready"
        assert client.avatars.update(avatar["_id"], description="blocking")["description"] == "blocking"
        assert client.avatars.preview(avatar["_id"])["previewUrl"] is not None
        assert avatar["_id"] in [a["_id"] for a in client.avatars.list(name="sync")["avatars"]]
        with pytest.raises(ConflictError):
            client.avatars.deploy(avatar["_id"])
        with pytest.raises(ConflictError):
            client.sessions.start(avatar["_id"])
        assert client.avatars.delete(avatar["_id"]) == {"_id": avatar["_id"]}
        with pytest.raises(NotFoundError):
            client.avatars.get(avatar["_id"])

        portrait = client.avatars.create(name="sync", tier="realtime_lipsync")
        client.avatars.upload_source(portrait["_id"], ASTRONAUT)
        assert client.avatars.wait_until(portrait["_id"], status="ready", timeout=60, interval=0.2)["preprocessed"]
        assert client.sessions.list(portrait["_id"]) == {"sessions": [], "count": 0, "nextCursor": None}
        assert list(client.sessions.iterate(portrait["_id"])) == []
        assert client.videos.list(portrait["_id"]) == {"videos": [], "count": 0, "nextCursor": None}
        assert list(client.videos.iterate(portrait["_id"])) == []
        with pytest.raises(NotFoundError):
            client.videos.wait_until_done("vid_doesNotExist", timeout=1)
        hook = client.webhooks.create(url="https://example.com/hooks", events=["session.ended"])
        assert hook["_id"] in [w["_id"] for w in client.webhooks.iterate()]
        assert client.webhooks.list_deliveries(hook["_id"])["deliveries"] == []
        client.webhooks.delete(hook["_id"])
        with pytest.raises(NotFoundError):
            client.webhooks.get(hook["_id"])
        with pytest.raises(NotFoundError):
            client.sessions.get("ses_doesNotExist")
        with pytest.raises(NotFoundError):
            client.sessions.end("ses_doesNotExist")

        made = client.keys.create(scopes=["avatars:read"])
        assert made["id"] in [k["id"] for k in client.keys.list()["keys"]]
        assert client.keys.revoke(made["id"])["revokedAt"] is not None
        assert client.request("GET", "/api/v1/auth/whoami")["keyId"] == server.keys["admin"].id
    client.close()  # a second close does nothing


def test_errors_are_the_same_exceptions(server: Server) -> None:
    with AvatarsClient(api_key="sk_wrong", base_url=server.url) as client, pytest.raises(UnauthorizedError) as e:
        client.avatars.list()
    assert (e.value.status, e.value.code) == (401, "unauthorized")


async def test_inside_an_event_loop_it_points_to_the_async_client(server: Server) -> None:
    client = AvatarsClient(api_key="sk_x", base_url=server.url)
    with pytest.raises(RuntimeError, match="AsyncAvatarsClient"):
        client.keys.whoami()
