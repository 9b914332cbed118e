"""client.avatars.upload_source, and the cheap answers of deploy, undeploy and preview (no rendering container)."""

from __future__ import annotations

import httpx
import pytest

from avatars import (
    AsyncAvatarsClient,
    AvatarFailedError,
    ConflictError,
    ForbiddenError,
    NotFoundError,
    PayloadTooLargeError,
    ServiceUnavailableError,
    UnprocessableEntityError,
    UnsupportedMediaTypeError,
)

from .support import ASTRONAUT, CAT, UPLOAD_LIMIT_BYTES, VRM, VRM_V0


async def test_a_vrm_from_a_path_makes_the_avatar_ready_and_previews_as_its_url(
    client: AsyncAvatarsClient, unique: str
) -> None:
    avatar = await client.avatars.create(name=unique, tier="stylized_3d")
    uploaded = await client.avatars.upload_source(avatar["_id"], VRM)
    assert uploaded["field"] == "sourceModel"
    assert uploaded["size"] == VRM.stat().st_size
    ready = await client.avatars.get(avatar["_id"])
    assert ready["status"] == "ready"
    assert ready["sourceModel"] == uploaded["url"]
    assert ready["sourceInfo"] is not None

    preview = await client.avatars.preview(avatar["_id"])
    assert preview == {
        "avatarId": avatar["_id"],
        "previewUrl": uploaded["url"],
        "tier": "stylized_3d",
        "message": "Tier 1 avatars render client-side. Use the VRM model URL directly.",
    }
    async with httpx.AsyncClient() as http:
        assert (await http.get(uploaded["url"])).content == VRM.read_bytes()


async def test_a_source_may_be_bytes_a_str_path_or_a_binary_file(client: AsyncAvatarsClient, unique: str) -> None:
    avatar = await client.avatars.create(name=unique, tier="stylized_3d")
    first = await client.avatars.upload_source(avatar["_id"], VRM_V0.read_bytes())
    assert first["size"] == VRM_V0.stat().st_size
    with VRM.open("rb") as f:
        second = await client.avatars.upload_source(avatar["_id"], f, content_type="model/vrm")
    assert second["size"] == VRM.stat().st_size
    assert second["url"] != first["url"]  # uploading again replaces the source
    third = await client.avatars.upload_source(avatar["_id"], str(VRM_V0))
    assert (await client.avatars.get(avatar["_id"]))["sourceModel"] == third["url"]


async def test_a_portrait_is_preprocessed_and_wait_until_waits_for_it(client: AsyncAvatarsClient, unique: str) -> None:
    avatar = await client.avatars.create(name=unique, tier="animated_portrait")
    uploaded = await client.avatars.upload_source(avatar["_id"], ASTRONAUT)
    assert uploaded["field"] == "sourceImage"
    ready = await client.avatars.wait_until(avatar["_id"], status="ready", timeout=60, interval=0.2)
    assert ready["preprocessed"] is True
    assert ready.get("sourceImage") == uploaded["url"]
    assert ready.get("deployment", {}).get("state") == "stopped"

    # Not deployed: the contract's 503 sentence, and why.
    with pytest.raises(ServiceUnavailableError) as e:
        await client.avatars.preview(avatar["_id"])
    assert (e.value.status, e.value.code) == (503, "service-unavailable")
    assert e.value.message == "Avatar rendering container not deployed. Deploy the avatar first."
    assert e.value.reason == "The avatar is not deployed."


async def test_wait_until_stops_at_once_on_a_failed_avatar(client: AsyncAvatarsClient, unique: str) -> None:
    avatar = await client.avatars.create(name=unique, tier="realtime_lipsync")
    await client.avatars.upload_source(avatar["_id"], CAT)
    with pytest.raises(AvatarFailedError) as e:
        await client.avatars.wait_until(avatar["_id"], status="ready", timeout=60, interval=0.2)
    assert e.value.avatar["status"] == "failed"
    assert "No human face" in (e.value.avatar["error"] or "")
    assert "No human face" in str(e.value)
    # Waiting for `failed` itself is a wait like any other.
    failed = await client.avatars.wait_until(avatar["_id"], status="failed", timeout=5)
    assert failed["sourceImage"] is None


async def test_upload_errors(
    client: AsyncAvatarsClient, colleague: AsyncAvatarsClient, reader: AsyncAvatarsClient, unique: str
) -> None:
    avatar = await client.avatars.create(name=unique, tier="stylized_3d")
    with pytest.raises(UnsupportedMediaTypeError) as e415:
        await client.avatars.upload_source(avatar["_id"], VRM, content_type="text/plain")
    assert (e415.value.status, e415.value.code) == (415, "unsupported-media-type")

    with pytest.raises(UnprocessableEntityError) as e422:
        await client.avatars.upload_source(avatar["_id"], b"glTF" + b"\0" * 64)
    assert (e422.value.status, e422.value.code) == (422, "invalid-source")
    with pytest.raises(UnprocessableEntityError) as e422:
        await client.avatars.upload_source(avatar["_id"], ASTRONAUT)  # a photo for a VRM avatar
    assert "VRM" in e422.value.message

    with pytest.raises(PayloadTooLargeError) as e413:
        await client.avatars.upload_source(avatar["_id"], b"glTF" + b"\0" * UPLOAD_LIMIT_BYTES)
    assert (e413.value.status, e413.value.code) == (413, "payload-too-large")

    with pytest.raises(NotFoundError):
        await client.avatars.upload_source("avt_doesNotExist00", VRM)
    with pytest.raises(ForbiddenError) as e403:
        await colleague.avatars.upload_source(avatar["_id"], VRM)
    assert e403.value.code == "forbidden"
    with pytest.raises(ForbiddenError) as e403:
        await reader.avatars.upload_source(avatar["_id"], VRM)
    assert e403.value.code == "scope-required"

    orb = await client.avatars.create(name=unique, tier="stylized_3d", render_style="orb")
    with pytest.raises(ConflictError) as e409:
        await client.avatars.upload_source(orb["_id"], VRM)
    assert (e409.value.status, e409.value.code) == (409, "conflict")
    # None of it changed the avatar.
    assert (await client.avatars.get(avatar["_id"]))["status"] == "creating"


async def test_preview_of_tier_1(client: AsyncAvatarsClient, reader: AsyncAvatarsClient, unique: str) -> None:
    orb = await client.avatars.create(name=unique, tier="stylized_3d", render_style="orb", orb_color="#ff8800")
    preview = await client.avatars.preview(orb["_id"])
    assert preview["previewUrl"] is None
    assert (preview.get("renderStyle"), preview.get("orbColor")) == ("orb", "#ff8800")

    empty = await client.avatars.create(name=unique, tier="stylized_3d")
    with pytest.raises(ConflictError) as e:
        await client.avatars.preview(empty["_id"])  # no VRM yet
    assert "upload" in e.value.message
    with pytest.raises(NotFoundError):
        await client.avatars.preview("avt_doesNotExist00")
    with pytest.raises(ForbiddenError):
        await reader.avatars.preview(orb["_id"])


async def test_deploy_and_undeploy_refusals(
    client: AsyncAvatarsClient, colleague: AsyncAvatarsClient, unique: str
) -> None:
    vrm = await client.avatars.create(name=unique, tier="stylized_3d")
    with pytest.raises(ValueError, match="no rendering container"):
        await client.avatars.wait_until(vrm["_id"], deployment="running")
    with pytest.raises(ValueError):
        await client.avatars.wait_until(vrm["_id"])
    for call in (client.avatars.deploy, client.avatars.undeploy):
        with pytest.raises(ConflictError) as e:
            await call(vrm["_id"])
        assert "stylized_3d" in e.value.message
        with pytest.raises(NotFoundError):
            await call("avt_doesNotExist00")

    portrait = await client.avatars.create(name=unique, tier="realtime_lipsync")
    with pytest.raises(ConflictError) as e:
        await client.avatars.deploy(portrait["_id"])  # no portrait yet
    assert "creating" in e.value.message
    with pytest.raises(ForbiddenError):
        await colleague.avatars.deploy(portrait["_id"])
    # Undeploying what never ran changes nothing.
    assert (await client.avatars.undeploy(portrait["_id"])).get("deployment", {}).get("state") == "stopped"
