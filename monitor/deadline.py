"""A deadline for a whole network exchange, shared by the one HTTP module (alert POSTs) and the one SMTP module.

Socket timeouts bound each wait and start again with every byte that arrives, so a peer trickling its answer
holds the caller for ever. A timer that shuts down the exchange's sockets once the time is over ends a read or
write blocked on them at once, in whichever thread, and reaches every transport the library may pick; the
exchange then fails as a dropped connection does, and `expired` tells the caller why.
"""

from __future__ import annotations

import socket
import threading


class SocketDeadline:
    """Use as a context manager around the exchange; `watch` each socket it connects."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> "SocketDeadline":
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.append(sock)
            if self.expired:  # connecting took the rest of the time
                _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed: the exchange ended as the deadline came
