"""The outbox row commits or rolls back with the change that causes it; the same cause queues once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from app.extensions import db
from app.models import Notification, Signal, utcnow
from tests.notifications.conftest import RESIDENT, patch, report
from tests.sync.helpers import BUURT_A, new_id, signal_fields, upsert
from tests.sync.test_faults import refusing_database


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_refused_transaction_leaves_no_message_and_its_retry_queues_one(api, dialect):
    member = api("team", organisation="Gemeente Assen")
    organisation = member.get("/api/v1/me").get_json()["organisation"]["id"]
    field = api("field_worker", buurten=[BUURT_A])
    body = {"client_id": new_id(), "schema_version": 1, "mutations": [
        upsert(1, "signal", new_id(), signal_fields(urgency="high", organisation=organisation))]}
    with refusing_database(dialect):  # the database refuses after records and outbox rows were written
        assert field.post("/api/v1/sync/push", json=body).status_code == 503
    assert _count(Signal) == 0 and _count(Notification) == 0
    assert field.post("/api/v1/sync/push", json=body).status_code == 200
    assert field.post("/api/v1/sync/push", json=body).get_json()["results"][0]["status"] == "duplicate"
    assert _count(Signal) == 1 and _count(Notification) == 1


def test_a_rejected_status_change_queues_nothing(api):
    field = api("field_worker", buurten=[BUURT_A])
    team = api("team", organisation="Gemeente Assen")
    signal = report(field, contact=RESIDENT)
    response = team.patch(f"/api/v1/signals/{signal}", json={"base_version": 1, "status": "done"})  # new -> done
    assert response.status_code == 400
    assert _count(Notification) == 0
    patch(team, "signal", signal, status="picked_up")
    assert _count(Notification) == 1


def test_status_changed_by_is_in_pull_and_get(api):
    field = api("field_worker", buurten=[BUURT_A])
    team = api("team", organisation="Gemeente Assen", name="Teamlid Jansen")
    signal = report(field)
    assert field.get(f"/api/v1/signals/{signal}").get_json()["status_changed_at"] is None
    patch(team, "signal", signal, public_note="Komt goed.", public=True)
    record = patch(team, "signal", signal, status="picked_up")
    assert record["status_changed_by_name"] == "Teamlid Jansen" and record["status_changed_at"]
    pulled = field.get("/api/v1/sync/pull").get_json()["changes"]
    [mine] = [c["record"] for c in pulled if c["id"] == signal]
    assert (mine["status"], mine["public_note"], mine["public"]) == ("picked_up", "Komt goed.", True)
    assert mine["status_changed_by_name"] == "Teamlid Jansen"
    too_long = field.patch(f"/api/v1/signals/{signal}", json={"base_version": mine["version"],
                                                               "public_note": "x" * 1001})
    assert too_long.status_code == 400 and "public_note" in too_long.get_json()["errors"]


def test_retention_purge_removes_old_mail_to_residents(app, api, runner):
    field = api("field_worker", buurten=[BUURT_A])
    team = api("team", organisation="Gemeente Assen")
    patch(team, "signal", report(field, contact=RESIDENT), status="picked_up")
    assert runner.invoke(args=["retention", "purge"]).exit_code == 0
    assert _count(Notification) == 1  # still within the retention period
    db.session.execute(update(Notification).values(created_at=utcnow() - timedelta(days=366)))
    db.session.commit()
    assert runner.invoke(args=["retention", "purge"]).exit_code == 0
    assert _count(Notification) == 0
