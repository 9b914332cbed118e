"""A real webhook receiver, as a customer writes one: an HTTP server on loopback that verifies every delivery with
the client's WebhookVerifier, refuses a bad one with 401, and answers what the test queues (204 once none is)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from avatars import WebhookVerificationError, WebhookVerifier
from avatars.types import WebhookEvent


@dataclass
class Delivery:
    """One request the receiver got: its headers and body as they arrived, the event once verified."""

    headers: dict[str, str]
    body: bytes
    event: WebhookEvent | None
    answered: int


class Receiver:
    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self._answers: list[int] = []
        self._verifier: WebhookVerifier | None = None
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                event: WebhookEvent | None = None
                with receiver._lock:
                    try:
                        if receiver._verifier is None:
                            raise WebhookVerificationError("no secret yet")
                        event = receiver._verifier.verify(body, headers)
                        status = receiver._answers.pop(0) if receiver._answers else 204
                    except WebhookVerificationError:
                        status = 401
                    receiver.deliveries.append(Delivery(headers, body, event, status))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hooks"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def use_secret(self, secret: str) -> None:
        """The secret webhooks.create answered: deliveries signed with anything else are refused."""
        with self._lock:
            self._verifier = WebhookVerifier(secret)

    def answer(self, *statuses: int) -> None:
        """What the next verified deliveries are answered, in order."""
        with self._lock:
            self._answers.extend(statuses)

    def events(self, event_type: str, subject: str) -> list[Delivery]:
        """The verified deliveries of one event type about one object (an avatar's or a video's id)."""
        with self._lock:
            return [
                d
                for d in self.deliveries
                if d.event is not None
                and d.event["type"] == event_type
                and subject in (d.event["data"].get("avatarId"), d.event["data"].get("_id"))
            ]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def running_receiver() -> Iterator[Receiver]:
    receiver = Receiver()
    try:
        yield receiver
    finally:
        receiver.close()
