"""client.keys: whoami, create, list, revoke, and the authentication errors every call can meet."""

from __future__ import annotations

import asyncio

import pytest

from avatars import (
    AsyncAvatarsClient,
    AvatarsError,
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    UnauthorizedError,
)

from .support import RATE_LIMIT_PER_MINUTE, Server, client_for, key_for, refused


async def test_whoami_names_the_key_its_user_organization_and_scopes(server: Server, admin: AsyncAvatarsClient) -> None:
    me = await admin.keys.whoami()
    assert me == {
        "keyId": server.keys["admin"].id,
        "userId": "u",
        "organizationId": "o",
        "scopes": ["avatars:read", "avatars:write", "keys:admin", "webhooks:admin"],
    }


async def test_create_list_revoke(server: Server, client: AsyncAvatarsClient) -> None:
    made = await client.keys.create(scopes=["avatars:read"], user_id="u3", name="reporting", expires_in_days=2)
    assert made["key"].startswith("sk_")
    assert made["id"].startswith("ak_")
    assert made["key"].startswith(made["prefix"])
    assert made["userId"] == "u3"
    assert made["organizationId"] == "o"
    assert made["scopes"] == ["avatars:read"]
    assert made["name"] == "reporting"
    assert made["expiresAt"] is not None and made["expiresAt"] > made["createdAt"]
    assert made["revokedAt"] is None

    listed = (await client.keys.list())["keys"]
    mine = [k for k in listed if k["id"] == made["id"]]
    assert len(mine) == 1
    assert "key" not in mine[0]  # never the secret again
    assert {k["organizationId"] for k in listed} == {"o"}

    async with client_for(server, made["key"]) as new:
        assert (await new.keys.whoami())["userId"] == "u3"
        revoked = await client.keys.revoke(made["id"])
        assert revoked["id"] == made["id"]
        assert revoked["revokedAt"] is not None
        # Refused from the next request on.
        with pytest.raises(UnauthorizedError) as e:
            await new.keys.whoami()
    assert e.value.status == 401
    assert e.value.code == "unauthorized"
    assert "revoked" in e.value.message
    listed_after = {k["id"]: k for k in (await client.keys.list())["keys"]}
    assert listed_after[made["id"]]["revokedAt"] == revoked["revokedAt"]


async def test_an_unknown_key_is_401(server: Server) -> None:
    async with client_for(server, "sk_not-a-key-at-all") as c:
        with pytest.raises(UnauthorizedError) as e:
            await c.avatars.list()
    err = e.value
    assert isinstance(err, AvatarsError)
    assert (err.status, err.code) == (401, "unauthorized")
    assert "(401 unauthorized)" in str(err)
    assert err.body == {"error": err.message, "code": "unauthorized"}


async def test_create_refuses_bad_scopes_with_details(client: AsyncAvatarsClient) -> None:
    with pytest.raises(BadRequestError) as e:
        await client.keys.create(scopes=["avatars:everything"])  # type: ignore[list-item]
    assert e.value.code == "validation-failed"
    assert e.value.details and e.value.details[0]["path"].startswith("scopes")
    with pytest.raises(BadRequestError):
        await client.keys.create(scopes=["avatars:read"], expires_in_days=0)


async def test_a_key_grants_only_scopes_it_holds(server: Server, admin: AsyncAvatarsClient) -> None:
    async with await key_for(admin, server, "avatars:read", "keys:admin") as limited:
        with pytest.raises(ForbiddenError) as e:
            await limited.keys.create(scopes=["avatars:write"])
    assert (e.value.status, e.value.code) == (403, "forbidden")
    assert "avatars:write" in e.value.message


async def test_keys_need_keys_admin(reader: AsyncAvatarsClient) -> None:
    # whoami needs no scope; the rest of /auth needs keys:admin.
    assert (await reader.keys.whoami())["scopes"] == ["avatars:read"]
    await refused(
        ForbiddenError,
        "scope-required",
        reader.keys.list,
        lambda: reader.keys.create(scopes=["avatars:read"]),
        lambda: reader.keys.revoke("ak_whatever"),
        naming="keys:admin",
    )


async def test_revoke_unknown_or_foreign_key_is_404(server: Server, client: AsyncAvatarsClient) -> None:
    with pytest.raises(NotFoundError) as e:
        await client.keys.revoke("ak_doesNotExist0000")
    assert (e.value.status, e.value.code) == (404, "not-found")
    # Another organization's key: the same 404, not a 403 that would tell it exists.
    with pytest.raises(NotFoundError):
        await client.keys.revoke(server.keys["stranger"].id)


async def test_too_many_requests_is_429_with_retry_after(server: Server, admin: AsyncAvatarsClient) -> None:
    async with await key_for(admin, server, "avatars:read") as c:
        gate = asyncio.Semaphore(16)

        async def once() -> AvatarsError | None:
            async with gate:
                try:
                    await c.keys.whoami()
                    return None
                except AvatarsError as e:
                    return e

        outcomes = await asyncio.gather(*(once() for _ in range(RATE_LIMIT_PER_MINUTE + 5)))
    refused = [o for o in outcomes if o is not None]
    assert len(refused) == 5  # past the budget, and only past it
    assert all(isinstance(o, RateLimitedError) for o in refused)
    err = refused[0]
    assert (err.status, err.code) == (429, "rate-limited")
    assert err.retry_after is not None and 0 < err.retry_after <= 60


async def test_the_key_list_pages_by_cursor(client: AsyncAvatarsClient, unique: str) -> None:
    made = [(await client.keys.create(scopes=["avatars:read"], name=unique))["id"] for _ in range(3)]
    first = await client.keys.list(limit=2)
    assert [k["id"] for k in first["keys"]] == made[:0:-1]  # newest first
    assert first["nextCursor"] is not None and first["count"] >= 3
    second = await client.keys.list(limit=2, after=first["nextCursor"])
    assert second["keys"][0]["id"] == made[0]

    # The whole list, walked two at a time while a key is revoked mid-walk: each key once, none skipped.
    walked: list[str] = []
    async for key in client.keys.iterate(page_size=2):
        walked.append(key["id"])
        if len(walked) == 1:
            await client.keys.revoke(made[1])  # a revoked key stays listed
    assert walked[:3] == made[::-1]
    assert len(walked) == len(set(walked)) == (await client.keys.list())["count"]

    with pytest.raises(BadRequestError) as e:
        await client.keys.list(after="not-a-cursor")
    assert e.value.details[0]["path"] == "after"
