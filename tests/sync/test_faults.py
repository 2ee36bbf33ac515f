"""The database itself refuses a push mid-batch (a trigger raises): 503, nothing kept, a retry applies once.

Unlike the in-process fault test in test_push.py, nothing in the app is patched: the refusal comes
from PostgreSQL (SQLSTATE 40001, serialization failure) or SQLite (RAISE(ABORT)) after the records
of the batch were already written in the same transaction.
"""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import func, select, text

from app.extensions import db
from app.models import RecordChange, Signal, SyncMutation
from tests.sync.helpers import BUURT_A, new_id, push, signal_fields, upsert

POSTGRES_TRIGGER = [
    """CREATE FUNCTION refuse_sync_results() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'refused by the test' USING ERRCODE = '40001'; END $$""",
    """CREATE TRIGGER refuse_sync_results BEFORE INSERT ON sync_mutations
       FOR EACH STATEMENT EXECUTE FUNCTION refuse_sync_results()""",
]
POSTGRES_DROP = ["DROP TRIGGER refuse_sync_results ON sync_mutations", "DROP FUNCTION refuse_sync_results()"]
SQLITE_TRIGGER = ["""CREATE TRIGGER refuse_sync_results BEFORE INSERT ON sync_mutations
                     BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"""]
SQLITE_DROP = ["DROP TRIGGER refuse_sync_results"]


@contextmanager
def refusing_database(dialect: str):
    """Make the database refuse every insert of sync results while the block runs."""
    create, drop = (POSTGRES_TRIGGER, POSTGRES_DROP) if dialect == "postgis" else (SQLITE_TRIGGER, SQLITE_DROP)
    for statement in create:
        db.session.execute(text(statement))
    db.session.commit()
    try:
        yield
    finally:
        db.session.rollback()
        for statement in drop:
            db.session.execute(text(statement))
        db.session.commit()


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_database_refusing_after_the_records_were_written(api, dialect):
    worker = api("field_worker", buurten=[BUURT_A])
    client = new_id()
    mutations = [upsert(i, "signal", new_id(), signal_fields()) for i in range(1, 9)]
    body = {"client_id": client, "schema_version": 1, "mutations": mutations}
    with refusing_database(dialect):
        refused = worker.post("/api/v1/sync/push", json=body)
        assert refused.status_code == 503 and refused.mimetype == "application/problem+json"
        assert "Probeer het opnieuw" in refused.get_json()["detail"]
        assert _count(Signal) == 0 and _count(RecordChange) == 0 and _count(SyncMutation) == 0
    retry = push(worker, client, mutations)
    assert [r["status"] for r in retry["results"]] == ["applied"] * 8
    assert _count(Signal) == 8 and _count(RecordChange) == 8
    again = push(worker, client, mutations)
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 8
    assert _count(Signal) == 8
