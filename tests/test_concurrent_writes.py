"""Concurrent writers behind gunicorn's workers never get a database error (SQLite's lock upgrade).

On SQLite a transaction that reads first and writes later fails at once (SQLITE_BUSY, no waiting)
when another worker committed in between. Writes therefore take the write lock when they begin.
"""

from __future__ import annotations

import threading
import uuid

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
