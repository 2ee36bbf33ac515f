"""Crafted requests (query parameters, paths, bodies, headers, images): each gets a 4xx problem, none a 5xx."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zlib

import pytest
from PIL import Image
from werkzeug.test import EnvironBuilder, TestResponse, run_wsgi_app

from tests.sync.helpers import BUURT_A, new_id, push, signal_fields, upsert

BBOX = "6.4,52.9,6.7,53.1"
DEEP = "[" * 1000 + "]" * 1000

#: (name, method, url, body) requested as a manager; each must answer 400 problem+json.
QUERY_CASES = [
    ("signals-from-year-1", "GET", "/api/v1/signals?from=0001-01-01", None),
    ("signals-to-year-9999", "GET", "/api/v1/signals?to=9999-12-31", None),
    ("map-from-year-1", "GET", f"/api/v1/map/signals?bbox={BBOX}&zoom=12&from=0001-01-01", None),
    ("map-buurten-to-year-9999", "GET", "/api/v1/map/buurten?to=9999-12-31", None),
    ("report-from-year-1", "GET", "/api/v1/reports/buurten?from=0001-01-01", None),
    ("report-to-year-9999", "GET", "/api/v1/reports/buurten?to=9999-12-31&format=csv", None),
    ("trend-from-year-1", "GET", "/api/v1/reports/trend?from=0001-01-01", None),
    ("trend-to-year-9999", "GET", "/api/v1/reports/trend?to=9999-12-31", None),
    ("export-from-year-1", "GET", "/api/v1/exports/signals?from=0001-01-01", None),
    ("export-to-year-9999", "GET", "/api/v1/exports/ideas?to=9999-12-31&format=xlsx", None),
    ("buurt-page-from-year-1", "GET", f"/reports/buurten/{BUURT_A}?from=0001-01-01", None),
    ("buurt-page-to-year-9999", "GET", f"/reports/buurten/{BUURT_A}?to=9999-12-31", None),
    ("nul-in-map-theme", "GET", f"/api/v1/map/signals?bbox={BBOX}&zoom=12&theme=%00", None),
    ("nul-in-list-buurt", "GET", "/api/v1/signals?buurt=BU%0001", None),
    ("nul-in-choropleth-status", "GET", "/api/v1/map/buurten?theme=groen%00", None),
    ("nul-in-trend-buurt", "GET", "/api/v1/reports/trend?buurt=%00", None),
    ("nul-in-pull-cursor", "GET", "/api/v1/sync/pull?cursor=%00", None),
    ("nul-in-buurt-page", "GET", "/reports/buurten/BU%0001060200", None),
    ("nul-in-parameter-name", "GET", "/api/v1/signals?th%00eme=groen", None),
    ("nan-bbox", "GET", "/api/v1/map/signals?bbox=nan,52.9,6.7,53.1&zoom=3", None),
    ("quarantine-offset-beyond-int64", "GET", "/api/v1/sync/quarantine?offset=9223372036854775808", None),
    ("quarantine-limit-huge", "GET", "/api/v1/sync/quarantine?limit=99999999999999999999", None),
    ("signals-page-huge", "GET", "/api/v1/signals?page=99999999999999999999", None),
    ("export-buurt-header-injection", "GET", "/api/v1/exports/signals?buurt=x%22%0D%0ASet-Cookie:%20a=b", None),
    ("export-buurt-quote", "GET", '/api/v1/exports/signals?buurt=BU"01', None),
    ("deep-json-push", "POST", "/api/v1/sync/push", DEEP),
    ("deep-json-login", "POST", "/api/v1/auth/login", DEEP),
    ("deep-json-in-push-envelope", "POST", "/api/v1/sync/push",
     '{"client_id": "00000000-0000-4000-8000-000000000000", "schema_version": 1, "mutations": ' + DEEP + "}"),
    ("push-not-json", "POST", "/api/v1/sync/push", "{"),
    ("push-mutation-id-beyond-int64", "POST", "/api/v1/sync/push", json.dumps(
        {"client_id": "00000000-0000-4000-8000-000000000000", "schema_version": 1,
         "mutations": [{"mutation_id": 2**64, "entity": "signal", "op": "delete", "id": new_id()}]})),
]
#: Counted in docs/security.md ("corpus cases", HTTP part; besides the cases below written out).
HTTP_CORPUS_SIZE = len(QUERY_CASES)


def _is_problem(response, status: int | None = None) -> None:
    assert response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])
    assert 400 <= response.status_code < 500, response.status_code
    if status is not None:
        assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/problem+json", response.mimetype
    assert response.get_json()["status"] == response.status_code


def test_crafted_requests_are_problems(api):
    """Each crafted request of QUERY_CASES answers 400 problem+json; failures are reported together."""
    admin = api("admin")
    failures = {}
    for name, method, url, body in QUERY_CASES:
        kwargs = {"headers": {"Accept": "application/json"}}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        try:
            _is_problem(admin.open(method, url, **kwargs), 400)
        except AssertionError as exc:
            failures[name] = str(exc)[:300]
    assert failures == {}


def test_deep_json_patch_and_followup_are_400(api):
    worker = api("field_worker", buurten=[BUURT_A])
    signal = new_id()
    push(worker, new_id(), [upsert(1, "signal", signal, signal_fields())])
    for url, method in ((f"/api/v1/signals/{signal}", "PATCH"), (f"/api/v1/signals/{signal}/followups", "POST")):
        _is_problem(worker.open(method, url, data=DEEP, content_type="application/json"), 400)
    patch = worker.patch(f"/api/v1/signals/{signal}", data='{"base_version": 1, "title": "a\\u0000b"}',
                         content_type="application/json")
    _is_problem(patch, 400)
    for text in ('"a\\u0000b"', '"\\ud800"'):
        note = worker.post(f"/api/v1/signals/{signal}/followups", data='{"text": ' + text + "}",
                           content_type="application/json")
        _is_problem(note, 400)
    big = worker.post(f"/api/v1/signals/{signal}/followups", json={"text": "x", "parent_version": 2**64})
    _is_problem(big, 400)
    assert worker.get(f"/api/v1/signals/{signal}").get_json()["version"] == 1


def test_quarantine_resolve_id_beyond_int64_is_404(api):
    admin = api("admin")
    _is_problem(admin.post("/api/v1/sync/quarantine/99999999999999999999/resolve"), 404)
    _is_problem(admin.post(f"/api/v1/sync/quarantine/{2**63}/resolve"), 404)


# -- images -----------------------------------------------------------------------------------------


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge bitmap in a few hundred bytes (the decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 400)) + chunk(
        b"IEND", b"")


def _put(client, data: bytes, content_type: str = "image/png"):
    return client.put(f"/api/v1/attachments/{hashlib.sha256(data).hexdigest()}", data=data,
                      content_type=content_type)


@pytest.mark.parametrize("size", [(20_000, 20_000), (10_000, 5_000)], ids=["400-megapixel", "50-megapixel"])
def test_decompression_bomb_is_413(api, size):
    worker = api("field_worker")
    _is_problem(_put(worker, _png_header_only(*size)), 413)


def test_jpeg_comment_is_stripped(api):
    worker = api("field_worker")
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(out, "JPEG", comment=b"GEHEIM Dorpsstraat 12 Jansen")
    data = out.getvalue()
    assert b"GEHEIM" in data
    assert _put(worker, data, "image/jpeg").status_code == 201
    served = worker.get(f"/api/v1/attachments/{hashlib.sha256(data).hexdigest()}")
    assert served.status_code == 200 and b"GEHEIM" not in served.data
    assert Image.open(io.BytesIO(served.data)).info.get("comment") in (None, b"")


# -- bodies without Content-Length (chunked) ------------------------------------------------------


def _chunked(client, method: str, url: str, body: bytes, headers: dict, content_type: str):
    """Send a body the way a server hands over a chunked request: no CONTENT_LENGTH, input terminated."""
    builder = EnvironBuilder(path=url, method=method, data=body, headers=headers, content_type=content_type)
    environ = builder.get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    environ["wsgi.input_terminated"] = True
    environ["HTTP_COOKIE"] = f"session={client.client.get_cookie('session').value}"
    app_iter, status, response_headers = run_wsgi_app(client.client.application, environ, buffered=True)
    return TestResponse(b"".join(app_iter), status, response_headers, request=None)


def test_chunked_bodies_over_the_limit_are_413(api):
    worker = api("field_worker", buurten=[BUURT_A])
    headers = {"X-CSRF-Token": worker.csrf}
    filler = "x" * (2 * 1024 * 1024)
    push_body = json.dumps({"client_id": new_id(), "schema_version": 1, "mutations": [], "pad": filler}).encode()
    _is_problem(_chunked(worker, "POST", "/api/v1/sync/push", push_body, headers, "application/json"), 413)
    photo = b"\xff\xd8" + b"\x00" * (10 * 1024 * 1024 + 10)
    url = f"/api/v1/attachments/{hashlib.sha256(photo).hexdigest()}"
    _is_problem(_chunked(worker, "PUT", url, photo, headers, "image/jpeg"), 413)
    patch = b'{"base_version": 1, "title": "' + b"x" * (11 * 1024 * 1024) + b'"}'
    _is_problem(_chunked(worker, "PATCH", f"/api/v1/signals/{new_id()}", patch, headers, "application/json"), 413)
    # Within the limit the same way of sending works.
    small = json.dumps({"client_id": new_id(), "schema_version": 1,
                        "mutations": [upsert(1, "signal", new_id(), signal_fields())]}).encode()
    ok = _chunked(worker, "POST", "/api/v1/sync/push", small, headers, "application/json")
    assert ok.status_code == 200 and ok.get_json()["results"][0]["status"] == "applied"


# -- credentials ----------------------------------------------------------------------------------


def test_bearer_garbage_with_a_cookie_gets_nothing(api):
    worker = api("field_worker", buurten=[BUURT_A])
    body = {"client_id": new_id(), "schema_version": 1, "mutations": [upsert(1, "signal", new_id(), signal_fields())]}
    # Without the CSRF token and from another site: an invalid Bearer header used to skip both checks.
    for headers in ({"Authorization": "Bearer garbage"},
                    {"Authorization": "Bearer ", "Origin": "https://evil.example"},
                    {"Authorization": "Bearer mtj_" + "A" * 43, "X-CSRF-Token": ""}):
        response = worker.client.post("/api/v1/sync/push", json=body, headers=headers)
        assert response.status_code in (401, 403), response.status_code
        assert response.mimetype == "application/problem+json"
    assert worker.client.get("/api/v1/me", headers={"Authorization": "Bearer garbage"}).status_code == 401
    assert worker.get("/api/v1/me").status_code == 200  # the cookie alone still works


def test_valid_bearer_skips_csrf_but_only_for_its_own_user(api, make_user):
    worker = api("field_worker", buurten=[BUURT_A])
    other, password = make_user("field_worker", buurten=[BUURT_A])
    token = worker.client.post("/api/v1/auth/login", json={"email": other.email, "password": password,
                                                             "token": True}).get_json()["token"]["token"]
    me = worker.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["id"] == str(other.id)  # the token decides, not the cookie that came along


def test_logout_ends_the_saved_cookie(api):
    worker = api("field_worker", buurten=[BUURT_A])
    cookie = worker.client.get_cookie("session")
    assert cookie is not None
    saved, csrf = cookie.value, worker.csrf
    assert worker.post("/api/v1/auth/logout").status_code == 204
    worker.client.set_cookie("session", saved)
    body = {"client_id": new_id(), "schema_version": 1, "mutations": [upsert(1, "signal", new_id(), signal_fields())]}
    replayed = worker.client.post("/api/v1/sync/push", json=body, headers={"X-CSRF-Token": csrf})
    _is_problem(replayed, 401)
    assert worker.client.get("/api/v1/me").status_code == 401


def test_revoke_sessions_ends_cookies_and_tokens(app, make_user):
    from app.accounts.auth import revoke_sessions
    from app.extensions import db
    from tests.support import ApiClient

    user, password = make_user("field_worker", buurten=[BUURT_A])
    browser = ApiClient(app.test_client())
    browser.login(user.email, password)
    phone = ApiClient(app.test_client())
    clear = phone.login(user.email, password, token=True)["token"]["token"]
    assert browser.get("/api/v1/me").status_code == 200
    assert phone.client.get("/api/v1/me", headers={"Authorization": f"Bearer {clear}"}).status_code == 200
    assert revoke_sessions(user.id) == 3  # two browser sessions (the phone's login has one too) and a token
    db.session.commit()
    assert browser.get("/api/v1/me").status_code == 401
    assert phone.client.get("/api/v1/me", headers={"Authorization": f"Bearer {clear}"}).status_code == 401
