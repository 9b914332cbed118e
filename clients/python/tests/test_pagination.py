"""Cursor pagination through the client: ``after`` and ``nextCursor`` on a list, and ``iterate`` walking every page,
async and blocking, also while the list changes."""

from __future__ import annotations

import asyncio

import pytest

from avatars import AsyncAvatarsClient, AvatarsClient, BadRequestError

from .support import Server


async def test_after_takes_the_next_page_and_the_last_has_no_cursor(client: AsyncAvatarsClient, unique: str) -> None:
    ids = [(await client.avatars.create(name=unique, tier="stylized_3d"))["_id"] for _ in range(5)]
    first = await client.avatars.list(name=unique, limit=2)
    assert [a["_id"] for a in first["avatars"]] == ids[:2:-1]  # newest first
    assert first["count"] == 5 and first["nextCursor"] is not None
    second = await client.avatars.list(name=unique, limit=2, after=first["nextCursor"])
    assert [a["_id"] for a in second["avatars"]] == ids[2:0:-1]
    assert second["count"] == 5
    last = await client.avatars.list(name=unique, limit=2, after=second["nextCursor"])
    assert [a["_id"] for a in last["avatars"]] == ids[:1]
    assert last["nextCursor"] is None

    # iterate walks the same, a page at a time, whatever the page's size.
    for size in (1, 2, 5, None):
        assert [a["_id"] async for a in client.avatars.iterate(name=unique, page_size=size)] == ids[::-1]
    assert [a async for a in client.avatars.iterate(name=f"{unique}-none")] == []


async def test_a_walk_while_avatars_come_and_go_yields_every_survivor_once(
    client: AsyncAvatarsClient, unique: str
) -> None:
    ids = [(await client.avatars.create(name=unique, tier="stylized_3d"))["_id"] for _ in range(9)]
    deleted = {ids[1], ids[4]}  # ones the walk has not reached yet when they go (it starts from the newest)
    seen: list[str] = []
    added: list[str] = []
    async for avatar in client.avatars.iterate(name=unique, page_size=2):
        seen.append(avatar["_id"])
        if len(seen) == 3:
            # Mid-walk: a new avatar (newer than the walk's position) and two deletions further on.
            added.append((await client.avatars.create(name=unique, tier="stylized_3d"))["_id"])
            await asyncio.gather(*(client.avatars.delete(i) for i in deleted))
    survivors = [i for i in ids[::-1] if i not in deleted]
    assert seen == survivors  # none skipped, none repeated, in order
    assert added[0] not in seen  # it sorts before the walk's position


async def test_a_cursor_the_list_did_not_make_is_a_400_on_after(client: AsyncAvatarsClient, unique: str) -> None:
    await client.avatars.create(name=unique, tier="stylized_3d")
    with pytest.raises(BadRequestError) as e:
        await client.avatars.list(after="not-a-cursor")
    assert e.value.code == "validation-failed" and e.value.details[0]["path"] == "after"
    page = await client.avatars.list(limit=1)
    assert page["nextCursor"] is not None
    # A cursor goes alone: with an offset too it is refused, the sentence pointing to the cursor.
    with pytest.raises(BadRequestError) as both:
        await client.avatars.list(after=page["nextCursor"], offset=1)
    assert both.value.details[0]["path"] == "offset" and "nextCursor" in both.value.details[0]["message"]
    with pytest.raises(BadRequestError) as deep:
        await client.avatars.list(offset=1001)
    assert "after" in deep.value.details[0]["message"]


def test_the_blocking_client_iterates_too(server: Server, unique: str) -> None:
    with AvatarsClient(api_key=server.keys["admin"].key, base_url=server.url) as client:
        name = unique
        ids = [client.avatars.create(name=name, tier="stylized_3d")["_id"] for _ in range(3)]
        walked = [a["_id"] for a in client.avatars.iterate(name=name, page_size=2)]
        assert walked == ids[::-1]
        # Leaving a walk early lets it go; the client goes on working.
        for _ in client.avatars.iterate(name=name, page_size=1):
            break
        assert client.avatars.list(name=name, limit=1)["nextCursor"] is not None
        for avatar_id in ids:
            client.avatars.delete(avatar_id)
