"""Verifying the API's webhook deliveries on the receiving side (Standard Webhooks: ``webhook-id``,
``webhook-timestamp``, ``webhook-signature``), with the ``standardwebhooks`` package.

    verifier = WebhookVerifier(os.environ["AVATARS_WEBHOOK_SECRET"])   # the whsec_... webhooks.create answered

    def receive(body: bytes, headers: Mapping[str, str]) -> int:
        try:
            event = verifier.verify(body, headers)
        except WebhookVerificationError:
            return 401
        if event["type"] == "video.completed":
            print(event["data"]["url"])
        return 204
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import standardwebhooks
from standardwebhooks.webhooks import EmptyWebhookSecretError

from .errors import WebhookVerificationError
from .types import WebhookEvent


class WebhookVerifier:
    """Checks deliveries against one endpoint's secret (``whsec_...``, from ``webhooks.create``).

    A delivery passes when one of its ``v1`` signatures is the HMAC-SHA256 of ``{webhook-id}.{webhook-timestamp}.{body}``
    under the secret and its timestamp is within 5 minutes of now (an old delivery replayed is refused). Verify the
    body exactly as it arrived, before any JSON parsing: a re-serialized body no longer matches.
    """

    def __init__(self, secret: str) -> None:
        try:
            self._webhook = standardwebhooks.Webhook(secret)
        except (ValueError, EmptyWebhookSecretError) as e:
            # binascii.Error is a ValueError: a secret that is not base64 after its whsec_ prefix.
            raise ValueError("secret must be the whsec_... that webhooks.create answered") from e

    def verify(self, payload: bytes | str, headers: Mapping[str, str]) -> WebhookEvent:
        """The delivery's event, once its signature and timestamp check out; ``headers`` as received (any case).

        Raises :class:`~avatars.WebhookVerificationError` for anything else, malformed headers and bodies included,
        so a receiver answers every bad request the same way.
        """
        try:
            event = self._webhook.verify(payload, dict(headers.items()))
        except standardwebhooks.WebhookVerificationError as e:
            raise WebhookVerificationError(f"The webhook delivery is not verified: {e}") from None
        except ValueError as e:
            # The package lets a malformed signature (no "v1,", bad base64), a body that is not UTF-8 or not JSON
            # escape as they are (each a ValueError); they are bad deliveries all the same.
            raise WebhookVerificationError(f"The webhook delivery is malformed: {type(e).__name__}") from None
        if not isinstance(event, dict) or not isinstance(event.get("type"), str) or "data" not in event:
            raise WebhookVerificationError("The webhook delivery is signed but not an event of the Avatars API")
        return cast(WebhookEvent, event)


def verify_webhook(payload: bytes | str, headers: Mapping[str, str], secret: str) -> WebhookEvent:
    """:meth:`WebhookVerifier.verify` for one delivery; keep a :class:`WebhookVerifier` to check many."""
    return WebhookVerifier(secret).verify(payload, headers)
