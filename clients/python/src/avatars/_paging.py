"""Walking a cursor-paged list (``?after=<nextCursor>``) to its end."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def walk_pages(page: Callable[[str | None], Awaitable[tuple[list[T], str | None]]]) -> AsyncIterator[T]:
    """Every item of every page: ``page(after)`` answers a page's items and its ``nextCursor``, None on the last.

    The server reads pages by key, so an item created or deleted during the walk moves no other across a page's edge:
    every item that exists throughout comes exactly once.
    """
    cursor: str | None = None
    while True:
        items, cursor = await page(cursor)
        for item in items:
            yield item
        if cursor is None:
            return
