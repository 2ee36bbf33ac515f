"""A tiny JSON-over-HTTP client for tests and benchmarks against a live gunicorn."""

from __future__ import annotations

import json
import urllib.error
import urllib.request


class HttpApi:
    """Sign in with a device token and send JSON requests with it."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.token: str | None = None

    def request(self, method: str, path: str, body=None) -> tuple[int, dict]:
        data = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=120) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")

    def login(self, email: str, password: str) -> HttpApi:
        status, body = self.request("POST", "/api/v1/auth/login",
                                    {"email": email, "password": password, "token": True, "device_name": "test"})
        assert status == 200, body
        self.token = body["token"]["token"]
        return self
