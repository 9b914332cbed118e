"""A TCP relay in front of the API, so a test can cut the network under a live session (and keep it cut) without
touching the API: the API's PUBLIC_URL points here, so the session's WebSocket comes through it."""

from __future__ import annotations

import socket
import threading

from avatars.testing import free_port


class Forwarder:
    def __init__(self, target_port: int):
        self.port = free_port()
        self._target = ("127.0.0.1", target_port)
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._accepting = True
        threading.Thread(target=self._accept, name="forwarder", daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed by stop()
            if not self._accepting:
                client.close()
                continue
            try:
                upstream = socket.create_connection(self._target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)  # the connect timeout only: a deploy may keep a request silent for long
            with self._lock:
                self._open.update((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            self._close(s)

    def _close(self, s: socket.socket) -> None:
        with self._lock:
            self._open.discard(s)
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()

    def cut(self) -> None:
        """Drops every connection now (no WebSocket close frame: the peers see the TCP connection end)."""
        with self._lock:
            sockets = list(self._open)
        for s in sockets:
            self._close(s)

    def refuse(self) -> None:
        """From now on, the API is gone: connections are cut as they come."""
        self._accepting = False
        self.cut()

    def accept(self) -> None:
        """The API is back: new connections are forwarded again (for the tests that run after one that refused)."""
        self._accepting = True

    def stop(self) -> None:
        self._accepting = False
        self._listener.close()
        self.cut()
