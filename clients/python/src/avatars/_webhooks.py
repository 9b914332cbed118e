"""``client.webhooks``: the endpoints the API signs and POSTs events to, and their delivery logs (docs/webhooks.md).
Receiving them is :class:`avatars.WebhookVerifier`'s part."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import TYPE_CHECKING, Any, cast

from ._paging import walk_pages
from ._resources import _id, _query
from .types import CreatedWebhook, Webhook, WebhookDelivery, WebhookDeliveryList, WebhookEventType, WebhookList

if TYPE_CHECKING:
    from ._client import AsyncAvatarsClient


class WebhooksResource:
    """``/api/v1/webhooks`` (scope ``webhooks:admin``): an organization's endpoints, like its avatars."""

    def __init__(self, client: AsyncAvatarsClient) -> None:
        self._client = client

    async def create(
        self, *, url: str, events: Sequence[WebhookEventType], description: str | None = None
    ) -> CreatedWebhook:
        """Subscribe ``url`` to ``events``. The answer's ``secret`` (``whsec_...``) is shown only here: keep it where
        the receiver verifies deliveries with it. A private, loopback or link-local address is refused
        (:class:`~avatars.BadRequestError` on ``url``) unless the server's operator allows it."""
        body: dict[str, Any] = {"url": url, "events": list(events)}
        if description is not None:
            body["description"] = description
        return cast(CreatedWebhook, await self._client.request("POST", "/api/v1/webhooks", json=body))

    async def get(self, webhook_id: str) -> Webhook:
        """The endpoint, without its secret: ``status`` is ``failing`` once a delivery ran out of retries,
        ``disabled`` once the receiver answered 410."""
        return cast(Webhook, await self._client.request("GET", f"/api/v1/webhooks/{_id(webhook_id)}"))

    async def list(
        self, *, limit: int | None = None, after: str | None = None, offset: int | None = None
    ) -> WebhookList:
        """One page of the organization's endpoints, newest first, without secrets."""
        return cast(
            WebhookList,
            await self._client.request(
                "GET", "/api/v1/webhooks", params=_query(limit=limit, after=after, offset=offset)
            ),
        )

    def iterate(self, *, page_size: int | None = None) -> AsyncIterator[Webhook]:
        """Every endpoint of the organization, newest first, page by page."""

        async def page(after: str | None) -> tuple[list[Webhook], str | None]:
            answer = await self.list(limit=page_size, after=after)
            return answer["webhooks"], answer["nextCursor"]

        return walk_pages(page)

    async def delete(self, webhook_id: str) -> None:
        """Remove the endpoint with its delivery log; nothing more is sent to it."""
        await self._client.request("DELETE", f"/api/v1/webhooks/{_id(webhook_id)}")

    async def list_deliveries(
        self, webhook_id: str, *, limit: int | None = None, after: str | None = None, offset: int | None = None
    ) -> WebhookDeliveryList:
        """One page of the endpoint's delivery log, newest first: each event sent, its attempts, the receiver's last
        answer and the next attempt."""
        return cast(
            WebhookDeliveryList,
            await self._client.request(
                "GET",
                f"/api/v1/webhooks/{_id(webhook_id)}/deliveries",
                params=_query(limit=limit, after=after, offset=offset),
            ),
        )

    def iterate_deliveries(self, webhook_id: str, *, page_size: int | None = None) -> AsyncIterator[WebhookDelivery]:
        """The endpoint's whole delivery log, newest first, page by page."""

        async def page(after: str | None) -> tuple[list[WebhookDelivery], str | None]:
            answer = await self.list_deliveries(webhook_id, limit=page_size, after=after)
            return answer["deliveries"], answer["nextCursor"]

        return walk_pages(page)
