"""A phone that stalls mid-request must not block the app: gunicorn.conf.py's gthread workers."""

from __future__ import annotations

import time

from tests.production.slow_clients import healthz_seconds, stall
from tests.support import LiveServer


def test_six_stalled_connections_do_not_block_healthz(database_url):
    # One worker, so every stalled connection lands on the same process: the worst case.
    server = LiveServer(database_url, workers=1).start()
    stalled = []
    try:
        stalled = stall("127.0.0.1", server.port, count=6)
        time.sleep(0.5)  # let the worker pick them all up
        timings = [healthz_seconds(server.url) for _ in range(5)]
        assert max(timings) < 1.0, timings
    finally:
        for s in stalled:
            s.close()
        server.stop()


def test_a_stalled_request_is_dropped_after_the_client_timeout(database_url):
    server = LiveServer(database_url, workers=1, env={"MUURTJE_CLIENT_TIMEOUT": "1"}).start()
    try:
        (conn,) = stall("127.0.0.1", server.port, count=1)
        conn.settimeout(20)
        started = time.monotonic()
        answer = b""
        while chunk := conn.recv(4096):
            answer += chunk
        # The thread gave up on the silent client (answering 400 or just closing) well before TCP would.
        assert time.monotonic() - started < 15
        assert answer == b"" or answer.startswith(b"HTTP/1.1 400")
        conn.close()
    finally:
        server.stop()
