"""Stalled phones: connections that send half a request and then nothing (shared by the plain gunicorn
test here and the nginx test in tests/deploy/)."""

from __future__ import annotations

import socket
import ssl
import time
import urllib.request

# Three ways a phone can stall: in the request line, in the headers, and in the body.
HALF_REQUESTS = (
    b"GET /api/v1/sync/pu",
    b"POST /api/v1/auth/login HTTP/1.1\r\nHost: muurtje\r\nContent-Type: application/json\r\n",
    b"POST /api/v1/auth/login HTTP/1.1\r\nHost: muurtje\r\nContent-Type: application/json\r\n"
    b"Content-Length: 200\r\n\r\n{\"email\": \"a",
)


def stall(host: str, port: int, count: int = 6, tls: bool = False) -> list[socket.socket]:
    """Open `count` connections that each send part of a request and then stop sending."""
    sockets = []
    for i in range(count):
        raw = socket.create_connection((host, port), timeout=5)
        if tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            raw = context.wrap_socket(raw, server_hostname=host)
        raw.sendall(HALF_REQUESTS[i % len(HALF_REQUESTS)])
        sockets.append(raw)
    return sockets


def healthz_seconds(url: str, context: ssl.SSLContext | None = None) -> float:
    """Time one GET /healthz from connect to the complete answer."""
    started = time.monotonic()
    with urllib.request.urlopen(url + "/healthz", timeout=10, context=context) as response:
        assert response.status == 200
        response.read()
    return time.monotonic() - started
