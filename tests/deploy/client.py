"""A JSON client over https (self-signed certificate) with a cookie session or a device token."""

from __future__ import annotations

import http.cookiejar
import json
import urllib.error
import urllib.request

from tests.deploy.stack import insecure_context


class HttpsClient:
    def __init__(self, base_url: str):
        self.base_url = base_url
        self.token: str | None = None
        self.csrf: str | None = None
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=insecure_context()),
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
        )

    def request(self, method: str, path: str, body=None, timeout: float = 60) -> tuple[int, object]:
        headers = {"Content-Type": "application/json", "Origin": self.base_url}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method, headers=headers)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            try:
                return exc.code, json.loads(raw or b"null")
            except ValueError:
                return exc.code, raw.decode(errors="replace")

    def sign_in(self, email: str, password: str, token: bool = False) -> HttpsClient:
        status, body = self.request("POST", "/api/v1/auth/login",
                                    {"email": email, "password": password, "token": token, "device_name": "deploy"})
        assert status == 200, body
        if token:
            self.token = body["token"]["token"]
        else:
            self.csrf = body["csrf_token"]
        return self
