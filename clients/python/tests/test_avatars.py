"""client.avatars: list, get, create, update, delete, and their errors (validation, scopes, ownership, tenancy)."""

from __future__ import annotations

import pytest

from avatars import (
    AsyncAvatarsClient,
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    ServiceUnavailableError,
    UnsupportedMediaTypeError,
)
from avatars.types import EMOTIONS, Scope

from .support import Server, key_for, refused


async def test_create_answers_the_contracts_avatar_with_tier_defaults(client: AsyncAvatarsClient, unique: str) -> None:
    avatar = await client.avatars.create(
        name=unique, tier="stylized_3d", description="Friendly customer support avatar"
    )
    assert avatar["_id"].startswith("avt_")
    assert avatar["name"] == unique
    assert avatar["description"] == "Friendly customer support avatar"
    assert avatar["tier"] == "stylized_3d"
    assert avatar["preprocessed"] is False
    assert avatar["status"] == "creating"
    assert avatar["resources"] == {"cpu": "100m", "memory": "256Mi"}
    assert avatar["config"] == {"resolution": "512x512", "frameRate": 30, "idleMotion": True}
    assert avatar["sourceModel"] is None
    assert avatar["renderingEndpoint"] is None
    assert (avatar["userId"], avatar["organizationId"]) == ("u", "o")
    assert avatar["createdAt"] == avatar["updatedAt"]
    assert await client.avatars.get(avatar["_id"]) == avatar


async def test_create_takes_every_field(client: AsyncAvatarsClient, unique: str) -> None:
    orb = await client.avatars.create(
        name=unique, tier="stylized_3d", render_style="orb", orb_color="#22d3ee", orb_size=1.5
    )
    assert (orb.get("renderStyle"), orb.get("orbColor"), orb.get("orbSize")) == ("orb", "#22d3ee", 1.5)

    portrait = await client.avatars.create(
        name=unique,
        tier="animated_portrait",
        resources={"cpu": "500m", "memory": "1Gi", "gpu": 1, "gpuType": "nvidia-l4"},
        config={"resolution": "256x256", "frameRate": 25, "idleMotion": False},
        on_demand={"schedulingMode": "always_on", "autoShutdownMinutes": 10},
    )
    assert portrait["resources"] == {"cpu": "500m", "memory": "1Gi", "gpu": 1, "gpuType": "nvidia-l4"}
    assert portrait["config"] == {"resolution": "256x256", "frameRate": 25, "idleMotion": False}
    assert portrait.get("onDemand") == {"schedulingMode": "always_on", "autoShutdownMinutes": 10}
    # Tier 2/3 answer their rendering container's state from the start.
    assert portrait.get("deployment", {}).get("state") == "stopped"
    assert portrait["description"] is None

    # The fields come as **kwargs: an unknown one is refused as a signature would refuse it.
    with pytest.raises(TypeError, match="colour"):
        await client.avatars.create(name=unique, tier="stylized_3d", colour="red")  # type: ignore[call-arg]


async def test_update_changes_only_what_is_given(client: AsyncAvatarsClient, unique: str) -> None:
    created = await client.avatars.create(name=unique, tier="stylized_3d", description="before")
    renamed = await client.avatars.update(created["_id"], name=f"{unique}-2", config={"frameRate": 60})
    assert renamed["name"] == f"{unique}-2"
    assert renamed["description"] == "before"  # not given: kept
    assert renamed["config"] == {"resolution": "512x512", "frameRate": 60, "idleMotion": True}
    assert renamed["updatedAt"] >= created["updatedAt"]

    # An avatar's own config goes back as it is.
    same = await client.avatars.update(
        created["_id"], config=renamed["config"], resources={"cpu": "200m", "memory": "512Mi"}
    )
    assert same["config"] == renamed["config"]
    assert same["resources"] == {"cpu": "200m", "memory": "512Mi"}

    cleared = await client.avatars.update(created["_id"], description=None)
    assert cleared["description"] is None
    assert (await client.avatars.get(created["_id"]))["description"] is None


async def test_delete_answers_the_id_and_the_avatar_is_gone(client: AsyncAvatarsClient, unique: str) -> None:
    avatar = await client.avatars.create(name=unique, tier="stylized_3d")
    assert await client.avatars.delete(avatar["_id"]) == {"_id": avatar["_id"]}
    with pytest.raises(NotFoundError) as e:
        await client.avatars.get(avatar["_id"])
    assert (e.value.status, e.value.code) == (404, "not-found")
    assert avatar["_id"] in e.value.message
    with pytest.raises(NotFoundError):
        await client.avatars.delete(avatar["_id"])
    assert (await client.avatars.list(name=unique))["count"] == 0


async def test_list_filters_by_name_and_pages_newest_first(client: AsyncAvatarsClient, unique: str) -> None:
    ids = [(await client.avatars.create(name=unique, tier="stylized_3d"))["_id"] for _ in range(3)]
    await client.avatars.create(name=f"{unique}-other", tier="stylized_3d")
    everything = await client.avatars.list(name=unique)
    assert everything["count"] == 3
    assert [a["_id"] for a in everything["avatars"]] == ids[::-1]
    summary = everything["avatars"][0]
    assert set(summary) == {"_id", "name", "tier", "status", "userId", "organizationId", "createdAt"}

    page = await client.avatars.list(name=unique, limit=2)
    assert page["count"] == 3  # the total, not the page's
    assert [a["_id"] for a in page["avatars"]] == ids[:0:-1]
    rest = await client.avatars.list(name=unique, limit=2, offset=2)
    assert [a["_id"] for a in rest["avatars"]] == ids[:1]

    unfiltered = await client.avatars.list(limit=200)
    assert {a["organizationId"] for a in unfiltered["avatars"]} == {"o"}
    assert unfiltered["count"] >= 4


async def test_bad_input_is_400_with_details(client: AsyncAvatarsClient, unique: str) -> None:
    with pytest.raises(BadRequestError) as e:
        await client.avatars.create(name=unique, tier="photoreal")  # type: ignore[arg-type]
    assert e.value.code == "validation-failed"
    assert e.value.details and e.value.details[0]["path"] == "tier"
    with pytest.raises(BadRequestError) as e:
        await client.avatars.create(name="", tier="stylized_3d")
    assert e.value.details[0]["path"] == "name"
    with pytest.raises(BadRequestError) as e:
        await client.avatars.create(name=unique, tier="stylized_3d", config={"resolution": "huge"})
    assert e.value.details[0]["path"] == "config.resolution"

    avatar = await client.avatars.create(name=unique, tier="stylized_3d")
    with pytest.raises(BadRequestError) as e:
        await client.avatars.update(avatar["_id"], config={"frameRate": 0})
    assert e.value.details[0]["path"] == "config.frameRate"
    with pytest.raises(BadRequestError):
        await client.avatars.update(avatar["_id"], resources={"cpu": "lots"})

    with pytest.raises(BadRequestError) as e:
        await client.avatars.list(limit=0)
    assert e.value.details[0]["path"] == "limit"
    with pytest.raises(BadRequestError):
        await client.avatars.list(offset=-1)


@pytest.mark.parametrize(
    ("scopes", "user_id", "code", "naming"),
    [
        # Another user of the same organization sees it, but only its owner changes or deletes it.
        pytest.param(["avatars:read", "avatars:write"], "u2", "forbidden", "", id="colleague"),
        # The owner's own user with a key that only reads: no writing at all, not even a new avatar.
        pytest.param(["avatars:read"], None, "scope-required", "avatars:write", id="reader"),
    ],
)
async def test_who_sees_an_avatar_but_may_not_change_it(
    server: Server,
    admin: AsyncAvatarsClient,
    client: AsyncAvatarsClient,
    unique: str,
    scopes: list[Scope],
    user_id: str | None,
    code: str,
    naming: str,
) -> None:
    avatar = await client.avatars.create(name=unique, tier="stylized_3d")
    async with await key_for(admin, server, *scopes, user_id=user_id) as other:
        assert (await other.avatars.get(avatar["_id"]))["_id"] == avatar["_id"]
        assert (await other.avatars.list(name=unique))["count"] == 1
        changes = [
            lambda: other.avatars.update(avatar["_id"], name="taken"),
            lambda: other.avatars.delete(avatar["_id"]),
        ]
        if "avatars:write" not in scopes:
            changes.append(lambda: other.avatars.create(name=unique, tier="stylized_3d"))
        await refused(ForbiddenError, code, *changes, naming=naming)
    assert (await client.avatars.get(avatar["_id"]))["name"] == unique


async def test_another_organization_sees_nothing(
    client: AsyncAvatarsClient, stranger: AsyncAvatarsClient, unique: str
) -> None:
    avatar = await client.avatars.create(name=unique, tier="stylized_3d")
    await refused(
        NotFoundError,
        "not-found",
        lambda: stranger.avatars.get(avatar["_id"]),
        lambda: stranger.avatars.delete(avatar["_id"]),
        lambda: stranger.avatars.update(avatar["_id"], name="x"),
    )
    assert (await stranger.avatars.list(name=unique))["count"] == 0


async def test_unknown_ids_are_404_and_odd_ids_stay_one_path_segment(client: AsyncAvatarsClient) -> None:
    for avatar_id in ("avt_doesNotExist00", "../auth/whoami", "a/b?c=d#e"):
        with pytest.raises(NotFoundError) as e:
            await client.avatars.get(avatar_id)
        assert e.value.message == f'No avatar with id "{avatar_id}" was found.'
        with pytest.raises(NotFoundError):
            await client.avatars.update(avatar_id, name="x")


async def test_reading_needs_avatars_read(server: Server, admin: AsyncAvatarsClient, unique: str) -> None:
    avatar = await admin.avatars.create(name=unique, tier="realtime_lipsync")
    async with await key_for(admin, server, "keys:admin") as keys_only:
        await refused(
            ForbiddenError,
            "scope-required",
            keys_only.avatars.list,
            lambda: keys_only.avatars.get(avatar["_id"]),
            lambda: keys_only.sessions.list(avatar["_id"]),
            lambda: keys_only.sessions.get("ses_doesNotExist"),
            naming="avatars:read",
        )


async def test_bodies_the_typed_methods_never_send(client: AsyncAvatarsClient, unique: str) -> None:
    # Through client.request, the escape hatch: the same errors, for bodies a raw HTTP caller could send.
    with pytest.raises(BadRequestError) as e:
        await client.request(
            "POST", "/api/v1/avatars", content=b'{"name": ', headers={"Content-Type": "application/json"}
        )
    assert e.value.code == "invalid-json"
    with pytest.raises(UnsupportedMediaTypeError) as e415:
        await client.request("POST", "/api/v1/avatars", content=b"name=x", headers={"Content-Type": "text/plain"})
    assert e415.value.code == "unsupported-media-type"
    # A JSON body over the 1 MiB limit is left out: the server answers 413 but resets the connection while the body
    # still arrives, so a client that does not send `Expect: 100-continue` (httpx) often gets only the reset. The
    # upload route's 413 (test_sources) arrives whole.
    avatar = await client.avatars.create(name=unique, tier="stylized_3d")
    with pytest.raises(BadRequestError) as fixed:
        await client.request("PUT", f"/api/v1/avatars/{avatar['_id']}", json={"tier": "realtime_lipsync"})
    assert fixed.value.details[0]["path"] == "tier"


async def test_preview_takes_an_expression_and_the_api_checks_it(client: AsyncAvatarsClient, unique: str) -> None:
    portrait = await client.avatars.create(name=unique, tier="animated_portrait")
    # Checked before the container is asked: a bad emotion or intensity is a 400 naming the field.
    with pytest.raises(BadRequestError) as e:
        await client.avatars.preview(portrait["_id"], expression={"name": "joyful"})  # type: ignore[arg-type]
    assert e.value.code == "validation-failed"
    assert e.value.details and e.value.details[0]["path"].startswith("expression")
    with pytest.raises(BadRequestError):
        await client.avatars.preview(portrait["_id"], expression={"name": "happy", "intensity": 1.5})
    # A good one reaches the container's part: none is deployed, so the contract's 503.
    with pytest.raises(ServiceUnavailableError):
        await client.avatars.preview(portrait["_id"], expression={"name": "happy", "intensity": 0.8})
    assert EMOTIONS == ("neutral", "happy", "sad", "surprised", "angry", "thinking")
