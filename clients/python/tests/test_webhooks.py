"""client.webhooks and WebhookVerifier: endpoints made, read, walked and deleted; signed deliveries reaching a real
receiver on loopback (a retry after a 500, the delivery log, a video's video.completed); and every way a delivery
that the API did not sign is refused."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time

import pytest

from avatars import (
    AsyncAvatarsClient,
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    WebhookVerificationError,
    WebhookVerifier,
    verify_webhook,
)
from avatars.testing import until
from avatars.types import WEBHOOK_EVENT_TYPES

from .receiver import Delivery, Receiver
from .support import VRM, Server, key_for

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()


def signed(body: bytes, secret: str = SECRET, *, msg_id: str = "msg_test", at: float | None = None) -> dict[str, str]:
    """Standard Webhooks headers for ``body``, signed by hand (HMAC-SHA256 over id.timestamp.body): an implementation
    of the scheme independent of the verifier's."""
    timestamp = str(int(time.time() if at is None else at))
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": f"v1,{base64.b64encode(mac).decode()}",
    }


async def test_create_get_list_walk_and_delete(
    hooks: AsyncAvatarsClient, receiver: Receiver, stranger: AsyncAvatarsClient, unique: str
) -> None:
    made = await hooks.webhooks.create(url=receiver.url, events=["video.completed", "video.failed"], description=unique)
    try:
        assert made["_id"].startswith("whk_") and made["secret"].startswith("whsec_")
        assert (made["url"], made["events"], made["description"]) == (
            receiver.url, ["video.completed", "video.failed"], unique,
        )  # fmt: skip
        assert (made["status"], made["statusReason"]) == ("active", None)
        assert (made["userId"], made["organizationId"]) == ("h", "hooks-org")

        # The secret is shown once: never again.
        read = await hooks.webhooks.get(made["_id"])
        assert "secret" not in read
        assert read == {k: v for k, v in made.items() if k != "secret"}

        second = await hooks.webhooks.create(url=receiver.url, events=list(WEBHOOK_EVENT_TYPES))
        try:
            page = await hooks.webhooks.list(limit=1)
            assert [w["_id"] for w in page["webhooks"]] == [second["_id"]]  # newest first
            assert page["count"] >= 2 and page["nextCursor"] is not None
            after = await hooks.webhooks.list(limit=1, after=page["nextCursor"])
            assert [w["_id"] for w in after["webhooks"]] == [made["_id"]]
            walked = [w["_id"] async for w in hooks.webhooks.iterate(page_size=1)]
            assert walked[:2] == [second["_id"], made["_id"]] and len(walked) == page["count"]
            assert all("secret" not in w for w in page["webhooks"] + after["webhooks"])
        finally:
            await hooks.webhooks.delete(second["_id"])

        # Another organization sees none of it.
        with pytest.raises(NotFoundError):
            await stranger.webhooks.get(made["_id"])
        with pytest.raises(NotFoundError):
            await stranger.webhooks.delete(made["_id"])
        assert made["_id"] not in [w["_id"] async for w in stranger.webhooks.iterate()]
    finally:
        await hooks.webhooks.delete(made["_id"])
    with pytest.raises(NotFoundError):
        await hooks.webhooks.get(made["_id"])
    with pytest.raises(NotFoundError):
        await hooks.webhooks.list_deliveries(made["_id"])
    with pytest.raises(NotFoundError):
        await hooks.webhooks.delete(made["_id"])


async def test_bad_endpoints_are_400_and_the_scope_is_needed(
    server: Server, admin: AsyncAvatarsClient, hooks: AsyncAvatarsClient, unique: str
) -> None:
    before = (await hooks.webhooks.list())["count"]
    for url in ("http://10.0.0.1/hooks", "http://169.254.169.254/latest", "ftp://example.com/x", "not a url"):
        with pytest.raises(BadRequestError) as e:
            await hooks.webhooks.create(url=url, events=["avatar.ready"])
        assert e.value.code == "validation-failed" and e.value.details[0]["path"] == "url", url
    with pytest.raises(BadRequestError):
        await hooks.webhooks.create(url="https://example.com/hooks", events=[])
    with pytest.raises(BadRequestError):
        await hooks.webhooks.create(url="https://example.com/hooks", events=["avatar.exploded"])  # type: ignore[list-item]
    assert (await hooks.webhooks.list())["count"] == before  # nothing left behind

    async with await key_for(admin, server, "avatars:read", "avatars:write") as no_scope:
        for call in (
            lambda: no_scope.webhooks.create(url="https://example.com/hooks", events=["avatar.ready"]),
            no_scope.webhooks.list,
            lambda: no_scope.webhooks.get("whk_doesNotExist"),
        ):
            with pytest.raises(ForbiddenError) as refused:
                await call()
            assert refused.value.code == "scope-required" and "webhooks:admin" in refused.value.message


async def test_a_delivery_reaches_a_real_receiver_signed_and_is_retried_after_a_500(
    hooks: AsyncAvatarsClient, receiver: Receiver, unique: str
) -> None:
    made = await hooks.webhooks.create(url=receiver.url, events=["avatar.ready"])
    receiver.use_secret(made["secret"])
    receiver.answer(500)  # the first attempt fails; the retry (a second later here) is answered 204
    try:
        avatar = await hooks.avatars.create(name=unique, tier="stylized_3d")
        await hooks.avatars.upload_source(avatar["_id"], VRM)  # accepted at once: avatar.ready

        await until(30, "avatar.ready twice", lambda: len(receiver.events("avatar.ready", avatar["_id"])) >= 2)
        first, retry = receiver.events("avatar.ready", avatar["_id"])[:2]
        assert (first.answered, retry.answered) == (500, 204)
        # One event: the same id and body on every attempt, each attempt signed with its own timestamp.
        assert first.headers["webhook-id"] == retry.headers["webhook-id"]
        assert first.body == retry.body
        assert retry.event is not None and retry.event["type"] == "avatar.ready"
        assert retry.event["data"] == {
            "avatarId": avatar["_id"],
            "name": unique,
            "tier": "stylized_3d",
            "status": "ready",
        }

        # The delivery log says the same, once the worker has written the 204 down.
        deadline = time.monotonic() + 30
        while (log := (await hooks.webhooks.list_deliveries(made["_id"]))["deliveries"])[0]["status"] != "delivered":
            assert time.monotonic() < deadline, f"the delivery log still says {log}"
            await asyncio.sleep(0.1)
        (delivery,) = log
        assert delivery["id"] == first.headers["webhook-id"]
        assert (delivery["event"], delivery["status"], delivery["attempts"]) == ("avatar.ready", "delivered", 2)
        assert delivery["lastStatusCode"] == 204 and delivery["deliveredAt"] is not None
        assert delivery["payload"] == json.loads(first.body)
        walked = [d async for d in hooks.webhooks.iterate_deliveries(made["_id"], page_size=1)]
        assert walked == log
        assert not [d for d in receiver.deliveries if d.answered == 401]  # nothing the verifier refused
    finally:
        await hooks.webhooks.delete(made["_id"])


async def test_a_finished_video_is_announced_with_the_video(hooks: AsyncAvatarsClient, receiver: Receiver) -> None:
    made = await hooks.webhooks.create(url=receiver.url, events=["video.completed", "video.failed"])
    receiver.use_secret(made["secret"])
    try:
        avatar = await hooks.avatars.create(
            name="announced", tier="stylized_3d", render_style="orb", config={"resolution": "128x128", "frameRate": 24}
        )
        queued = await hooks.videos.create(avatar["_id"], text="Done.")
        done = await hooks.videos.wait_until_done(queued["_id"], timeout=180, interval=0.25)
        deliveries: list[Delivery] = await until(
            30, "video.completed", lambda: receiver.events("video.completed", queued["_id"])
        )
        event = deliveries[0].event
        assert event is not None and event["type"] == "video.completed"
        assert event["data"] == done  # the video as GET answers it once completed
    finally:
        await hooks.webhooks.delete(made["_id"])


def test_the_verifier_refuses_what_the_api_did_not_sign() -> None:
    body = json.dumps({"type": "avatar.ready", "timestamp": "2026-11-30T12:00:00.000Z", "data": {"avatarId": "a"}})
    raw = body.encode()
    verifier = WebhookVerifier(SECRET)
    event = verifier.verify(raw, signed(raw))
    assert event["type"] == "avatar.ready" and event["data"]["avatarId"] == "a"
    assert verify_webhook(body, signed(raw), SECRET) == event  # a str body; the one-call form
    # Header names in any case; several signatures (a secret being rotated), one of them right.
    right = signed(raw)
    rotated = {k.upper(): v for k, v in right.items()}
    rotated["WEBHOOK-SIGNATURE"] = f"v1,{base64.b64encode(b'x' * 32).decode()} {right['webhook-signature']}"
    assert verifier.verify(raw, rotated) == event

    other = "whsec_" + base64.b64encode(b"another secret, another endpoint").decode()
    refusals = {
        "a changed body": (raw.replace(b'"a"', b'"b"'), signed(raw)),
        "another secret": (raw, signed(raw, other)),
        "another id": (raw, {**signed(raw), "webhook-id": "msg_other"}),
        "no signature": (raw, {k: v for k, v in signed(raw).items() if k != "webhook-signature"}),
        "no timestamp": (raw, {k: v for k, v in signed(raw).items() if k != "webhook-timestamp"}),
        "a replay from 10 minutes ago": (raw, signed(raw, at=time.time() - 600)),
        "a timestamp 10 minutes ahead": (raw, signed(raw, at=time.time() + 600)),
        "a timestamp that is not one": (raw, {**signed(raw), "webhook-timestamp": "yesterday"}),
        "a signature without its version": (raw, {**signed(raw), "webhook-signature": "c2lnbmF0dXJl"}),
        "a signature that is not base64": (raw, {**signed(raw), "webhook-signature": "v1,%%%"}),
        "a signature of another scheme": (
            raw,
            {**signed(raw), "webhook-signature": signed(raw)["webhook-signature"].replace("v1,", "v2,")},
        ),
        "a body that is not UTF-8": (b"\xff\xfe", signed(b"\xff\xfe")),
        "a signed body that is not JSON": (b"hello", signed(b"hello")),
        "a signed JSON that is no event": (b"[1, 2]", signed(b"[1, 2]")),
    }
    for why, (payload, headers) in refusals.items():
        with pytest.raises(WebhookVerificationError) as e:
            verifier.verify(payload, headers)
        assert e.value.code == "invalid-signature", why

    for secret in ("", "whsec_"):
        with pytest.raises(ValueError, match="whsec_"):
            WebhookVerifier(secret)
