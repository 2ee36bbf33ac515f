"""RATELIMIT_STORAGE_URI=redis://…: the login limit holds across gunicorn workers (issue 9, item 17)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from tests.support import LiveServer

REDIS_URL = "redis://127.0.0.1:6379/0"


def _wrong_login(url: str) -> int:
    body = json.dumps({"email": "niemand@muurtje.local", "password": "fout"}).encode()
    request = urllib.request.Request(url + "/api/v1/auth/login", data=body, method="POST",
                                     headers={"Content-Type": "application/json", "Connection": "close"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def redis_prefix():
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.ConnectionError as exc:
        pytest.fail(f"Redis is required on 127.0.0.1:6379 (scripts/start-redis.sh): {exc}")
    prefix = f"muurtje-test-{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)


def test_login_limit_holds_across_two_workers(database_url, redis_prefix):
    server = LiveServer(database_url, workers=2, env={
        "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": redis_prefix, "LOGIN_RATE_LIMIT": "10 per minute",
    }).start()
    try:
        # Separate connections, several at once, so both workers take a share of the attempts.
        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(lambda _: _wrong_login(server.url), range(40)))
    finally:
        server.stop()
    assert statuses.count(401) == 10, statuses
    assert statuses.count(429) == 30, statuses
