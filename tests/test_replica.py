"""With DATABASE_REPLICA_URL set, read-only views query the replica and everything else the primary.

The replica here is the same database reached through a second engine, so answers are identical
and the test sees which engine ran each statement.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event

from app import create_app
from tests.support import ApiClient
from tests.sync.helpers import BUURT_A, signal_fields, upsert


@pytest.fixture
def replica_app(app, database_url):
    """A second app on the same database with the replica configured; `app` cleans up after."""
    replicated = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "DATABASE_REPLICA_URL": database_url,
                             "TESTING": True})
    yield replicated
    with replicated.app_context():
        for engine in replicated.extensions["sqlalchemy"].engines.values():
            engine.dispose()


def _statement_counter(replica_app) -> dict[str, int]:
    counts = {"primary": 0, "replica": 0}
    with replica_app.app_context():
        engines = replica_app.extensions["sqlalchemy"].engines
        for key, name in ((None, "primary"), ("replica", "replica")):
            def count(*_args, _name=name, **_kwargs):
                counts[_name] += 1

            event.listen(engines[key], "before_cursor_execute", count)
    return counts


def test_reads_go_to_the_replica_writes_and_pull_to_the_primary(replica_app, make_user):
    worker, worker_password = make_user("field_worker", buurten=[BUURT_A])
    manager, manager_password = make_user("manager")
    counts = _statement_counter(replica_app)
    phone = ApiClient(replica_app.test_client())
    phone.login(worker.email, worker_password)
    office = ApiClient(replica_app.test_client())
    office.login(manager.email, manager_password)

    def on(name: str, call) -> int:
        before = dict(counts)
        response = call()
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        response.get_data()  # streamed exports run their queries while being read
        return counts[name] - before[name]

    body = {"client_id": str(uuid.uuid4()), "schema_version": 1,
            "mutations": [upsert(1, "signal", str(uuid.uuid4()), signal_fields())]}
    pushed = on("replica", lambda: phone.post("/api/v1/sync/push", json=body))
    assert pushed == 0
    assert on("replica", lambda: phone.get("/api/v1/sync/pull")) == 0

    for url in ("/api/v1/reports/buurten", "/api/v1/signals", "/api/v1/map/signals?bbox=6.4,52.9,6.7,53.1&zoom=12",
                "/api/v1/exports/signals?format=csv", "/reports/buurten/" + BUURT_A):
        assert on("replica", lambda url=url: office.get(url)) > 0, url
    rows = office.get("/api/v1/reports/buurten").get_json()["buurten"]
    assert sum(r["signals_total"] for r in rows) == 1  # the replica sees what the primary committed
