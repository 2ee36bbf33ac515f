"""Concurrent writers behind gunicorn's workers never get a database error (SQLite's lock upgrade).

On SQLite a transaction that reads first and writes later fails at once (SQLITE_BUSY, no waiting)
when another worker committed in between. Writes therefore take the write lock when they begin.
"""

from __future__ import annotations

import hashlib
import io
import threading
import uuid

import pytest
from PIL import Image

from app.database import sqlite_driver
from app.extensions import db
from tests.sync.helpers import BUURT_A, signal_fields, upsert
from tests.sync.http import HttpApi


def test_logins_pushes_and_contact_reads_at_once(live_server, make_user):
    worker, password = make_user("field_worker", buurten=[BUURT_A])
    admin, admin_password = make_user("admin")
    pusher = HttpApi(live_server.url).login(worker.email, password)
    reader = HttpApi(live_server.url).login(admin.email, admin_password)
    record_id = str(uuid.uuid4())
    fields = {**signal_fields(), "resident_contact": {"name": "Bewoner", "consent": True}}
    status, _ = pusher.request("POST", "/api/v1/sync/push", {
        "client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [upsert(1, "signal", record_id, fields)]})
    assert status == 200
    failures: list[tuple] = []

    def push_many():
        client = str(uuid.uuid4())
        for n in range(1, 16):
            body = {"client_id": client, "schema_version": 1,
                    "mutations": [upsert(n, "signal", str(uuid.uuid4()), signal_fields())]}
            status, answer = pusher.request("POST", "/api/v1/sync/push", body)
            if status != 200:
                failures.append(("push", status, answer))

    def login_many():
        for _ in range(8):
            status, answer = HttpApi(live_server.url).request(
                "POST", "/api/v1/auth/login",
                {"email": worker.email, "password": password, "token": True, "device_name": "t"})
            if status != 200:
                failures.append(("login", status, answer))

    def read_contacts():
        for _ in range(15):
            status, answer = reader.request("GET", f"/api/v1/signals/{record_id}/contact")
            if status != 200:
                failures.append(("contact", status, answer))

    threads = [threading.Thread(target=f) for f in (push_many, push_many, login_many, read_contacts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []



def _write_lock_is_free(database_url: str) -> bool:
    """Ask SQLite from another connection whether anyone holds the write lock right now."""
    driver = sqlite_driver()  # the app's SQLite library: two libraries in one process would break each other's locks
    probe = driver.connect(database_url.removeprefix("sqlite:///"), isolation_level=None, timeout=0)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except driver.OperationalError:
        return False
    finally:
        probe.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_password_check_and_photo_re_encode_run_outside_the_write_lock(database_url, app, client, make_user,
                                                                       monkeypatch):
    """On SQLite, the slow parts of sign-in (scrypt) and photo upload (Pillow) leave the one write lock
    free for other writers; only their writes take it."""
    from app.accounts import auth
    from app.sync import attachments

    user, password = make_user("field_worker", buurten=[BUURT_A])
    seen = {}

    def spy(name, real):
        def wrapped(*args, **kwargs):
            seen[name] = _write_lock_is_free(database_url)
            return real(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(auth, "check_password_hash", spy("scrypt", auth.check_password_hash))
    monkeypatch.setattr(attachments, "strip_metadata", spy("pillow", attachments.strip_metadata))
    email = user.email
    db.session.commit()  # the request starts its own transaction, as in production
    login = client.post("/api/v1/auth/login", json={"email": email, "password": password, "token": True})
    assert login.status_code == 200, login.get_json()
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 60)).save(photo, "JPEG")
    data = photo.getvalue()
    db.session.commit()
    upload = client.put(f"/api/v1/attachments/{hashlib.sha256(data).hexdigest()}", data=data,
                        headers={"Content-Type": "image/jpeg",
                                 "Authorization": f"Bearer {login.get_json()['token']['token']}"})
    assert upload.status_code == 201, upload.get_json()
    assert seen == {"scrypt": True, "pillow": True}
