"""POST /api/v1/sync/push on both databases: every rule of docs/API.md "Offline sync"."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import QuarantinedMutation, RecordChange, RecordConflict, ResidentContact, Signal, SyncClient
from tests.sync.helpers import (
    BUURT_A,
    BUURT_B,
    conversation_fields,
    delete,
    idea_fields,
    new_id,
    pull_all,
    push,
    signal_fields,
    upsert,
)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_create_then_retry_is_duplicate_with_same_outcome(api):
    worker = api("field_worker", buurten=[BUURT_A])
    client, signal = new_id(), new_id()
    first = push(worker, client, [upsert(1, "signal", signal, signal_fields(BUURT_B, buurt_code=BUURT_A))])
    assert first == {"results": [{"mutation_id": 1, "status": "applied", "id": signal, "version": 1}],
                     "last_mutation_id": 1}
    # The response was lost; the phone sends the whole push again.
    again = push(worker, client, [upsert(1, "signal", signal, signal_fields())])
    assert again["results"][0] | {"status": "applied"} == first["results"][0] | {"original_status": "applied"}
    assert again["results"][0]["status"] == "duplicate" and again["last_mutation_id"] == 1
    record = worker.get(f"/api/v1/signals/{signal}").get_json()
    assert record["version"] == 1 and record["buurt_code"] == BUURT_B  # from the location, not the client
    assert record["created_by"] == str(worker.db_user.id)
    assert _count(RecordChange, RecordChange.record_id == record_uuid(signal)) == 1
    assert db.session.get(SyncClient, record_uuid(client)).last_mutation_id == 1


def record_uuid(value: str):
    import uuid

    return uuid.UUID(value)


def test_rejected_mutation_is_quarantined_and_does_not_undo_others(api):
    worker = api("field_worker", buurten=[BUURT_A])
    admin = api("admin")
    client, good, bad = new_id(), new_id(), new_id()
    body = push(worker, client, [
        upsert(1, "signal", good, signal_fields()),
        upsert(2, "signal", bad, signal_fields(title="", urgency="asap")),
        upsert(3, "meeting", new_id(), {}),
        {"mutation_id": 4, "entity": "signal", "op": "merge", "id": good, "fields": {}},
        upsert(5, "conversation", new_id(), {"residents_count": 2}),
        upsert(6, "signal", good, {"description": "later"}, base_version=1),
    ])
    statuses = [r["status"] for r in body["results"]]
    assert statuses == ["applied", "rejected", "rejected", "rejected", "rejected", "applied"]
    assert set(body["results"][1]["errors"]) == {"title", "urgency"}
    assert "entity" in body["results"][2]["errors"] and "op" in body["results"][3]["errors"]
    assert body["results"][4]["errors"] == {"setting": ["Verplicht veld ontbreekt."]}
    assert body["last_mutation_id"] == 6
    assert worker.get(f"/api/v1/signals/{good}").get_json()["version"] == 2
    assert worker.get(f"/api/v1/signals/{bad}").status_code == 404

    assert worker.get("/api/v1/sync/quarantine").status_code == 403
    assert api("team").get("/api/v1/sync/quarantine").status_code == 403
    listing = admin.get("/api/v1/sync/quarantine").get_json()
    assert listing["total"] == 4
    item = next(i for i in listing["items"] if i["mutation_id"] == 2)
    assert item["payload"]["fields"]["urgency"] == "asap" and item["client_id"] == client
    assert item["user_id"] == str(worker.db_user.id) and "title" in item["errors"]
    # A replay of the rejected mutation is a duplicate that repeats the errors; nothing is quarantined twice.
    replay = push(worker, client, [upsert(2, "signal", bad, signal_fields(title=""))])["results"][0]
    assert replay["status"] == "duplicate" and replay["original_status"] == "rejected" and "title" in replay["errors"]
    assert _count(QuarantinedMutation) == 4

    # An admin marks one as handled: it leaves the open list and stays in the resolved one.
    assert worker.post(f"/api/v1/sync/quarantine/{item['id']}/resolve").status_code == 403
    resolved = admin.post(f"/api/v1/sync/quarantine/{item['id']}/resolve")
    assert resolved.status_code == 200 and resolved.get_json()["resolved_at"]
    assert admin.get("/api/v1/sync/quarantine").get_json()["total"] == 3
    done = admin.get("/api/v1/sync/quarantine?resolved=true").get_json()
    assert [i["id"] for i in done["items"]] == [item["id"]] and done["items"][0]["payload"] == item["payload"]
    assert admin.post("/api/v1/sync/quarantine/999999/resolve").status_code == 404


def test_envelope_errors(api, client):
    url = "/api/v1/sync/push"
    unauth = client.post(url, json={"client_id": new_id(), "schema_version": 1, "mutations": []})
    assert unauth.status_code == 401 and unauth.mimetype == "application/problem+json"
    worker = api("field_worker")
    bad_json = worker.post(url, data="{nope", content_type="application/json")
    assert bad_json.status_code == 400 and bad_json.mimetype == "application/problem+json"
    missing = worker.post(url, json={"schema_version": 1, "mutations": []})
    assert missing.status_code == 400 and "client_id" in missing.get_json()["errors"]
    no_mutation_id = worker.post(url, json={"client_id": new_id(), "schema_version": 1, "mutations": [{}]})
    assert no_mutation_id.status_code == 400
    version = worker.post(url, json={"client_id": new_id(), "schema_version": 99, "mutations": []})
    assert version.status_code == 409 and version.mimetype == "application/problem+json"
    many = [upsert(i, "signal", new_id(), {"title": "x"}) for i in range(1, 502)]
    too_many = worker.post(url, json={"client_id": new_id(), "schema_version": 1, "mutations": many})
    assert too_many.status_code == 413
    detail = too_many.get_json()["detail"]
    assert "500 mutaties" in detail and "2 MB" in detail
    big = json.dumps({"client_id": new_id(), "schema_version": 1,
                      "mutations": [upsert(1, "signal", new_id(), {"title": "x", "description": "y" * 2_200_000})]})
    too_big = worker.post(url, data=big, content_type="application/json")
    assert too_big.status_code == 413 and "500 mutaties" in too_big.get_json()["detail"]
    assert _count(Signal) == 0


def test_concurrent_edit_is_a_conflict_kept_in_history(api):
    """The worked example of docs/sync-protocol.md."""
    worker = api("field_worker", buurten=[BUURT_A])
    team = api("team", organisation="Gemeente Assen")
    client, signal = new_id(), new_id()
    push(worker, client, [upsert(1, "signal", signal, signal_fields(urgency="normal"))])
    web = team.patch(f"/api/v1/signals/{signal}", json={"base_version": 1, "urgency": "high", "status": "picked_up"})
    assert web.status_code == 200 and web.get_json()["version"] == 2 and web.get_json()["conflicts"] == []
    # Offline, the worker also changed urgency and description against version 1.
    body = push(worker, client, [upsert(2, "signal", signal, {"urgency": "low", "description": "Hek ligt plat"},
                                        base_version=1)])
    result = body["results"][0]
    assert result["status"] == "conflict" and result["version"] == 3
    assert result["conflicts"] == [{"field": "urgency", "server_value": "high", "client_value": "low"}]
    record = worker.get(f"/api/v1/signals/{signal}").get_json()
    assert record["urgency"] == "low" and record["description"] == "Hek ligt plat"  # later arrival wins
    assert record["status"] == "picked_up" and record["has_conflict"] is True
    history = team.get(f"/api/v1/signals/{signal}/conflicts").get_json()["conflicts"]
    assert [(c["field"], c["server_value"], c["client_value"]) for c in history] == [("urgency", "high", "low")]
    resolved = team.post(f"/api/v1/signals/{signal}/resolve")
    assert resolved.status_code == 200 and resolved.get_json()["has_conflict"] is False
    assert resolved.get_json()["version"] == 4
    assert team.get(f"/api/v1/signals/{signal}/conflicts").get_json()["conflicts"][0]["resolved_at"]
    assert _count(RecordConflict) == 1


def test_same_client_editing_twice_offline_is_no_conflict(api):
    worker = api("field_worker", buurten=[BUURT_A])
    client, signal = new_id(), new_id()
    body = push(worker, client, [
        upsert(1, "signal", signal, signal_fields()),
        upsert(2, "signal", signal, {"title": "Eerste"}, base_version=None),
        upsert(3, "signal", signal, {"title": "Tweede"}, base_version=None),
        upsert(4, "signal", signal, {"urgency": "high"}, base_version=1),
    ])
    assert [r["status"] for r in body["results"]] == ["applied"] * 4
    assert [r["version"] for r in body["results"]] == [1, 2, 3, 4]


def test_create_of_existing_id(api):
    worker = api("field_worker", buurten=[BUURT_A])
    other = api("field_worker", buurten=[BUURT_A])
    signal = new_id()
    push(worker, new_id(), [upsert(1, "signal", signal, signal_fields())])
    same = push(other, new_id(), [upsert(1, "signal", signal, signal_fields())])["results"][0]
    assert same["status"] == "duplicate" and same["version"] == 1
    different = push(other, new_id(), [upsert(1, "signal", signal, signal_fields(title="Ander"))])["results"][0]
    assert different["status"] == "conflict" and different["version"] == 2
    assert different["conflicts"] == [{"field": "title", "server_value": "Hek speelveld kapot",
                                       "client_value": "Ander"}]


def test_status_rules(api):
    worker = api("field_worker", buurten=[BUURT_A])
    team = api("team")
    client, signal, idea = new_id(), new_id(), new_id()
    body = push(worker, client, [
        upsert(1, "signal", signal, signal_fields(status="picked_up")),
        upsert(2, "signal", signal, signal_fields()),
        upsert(3, "signal", signal, {"status": "referred"}, base_version=1),
        upsert(4, "signal", signal, {"status": "done"}, base_version=1),
        upsert(5, "idea", idea, idea_fields()),
        upsert(6, "idea", idea, {"status": "in_conversation"}, base_version=1),
        upsert(7, "idea", idea, {"status": "application_submitted"}, base_version=2),
        upsert(8, "idea", idea, {"status": "granted"}, base_version=3),
        upsert(9, "idea", idea, {"status": "granted", "budget_granted_cents": 40_000}, base_version=3),
    ])
    statuses = [(r["status"], sorted(r.get("errors", {}))) for r in body["results"]]
    # Granting is for managers and admins only (docs/API.md v1.1, the programme).
    assert statuses == [("rejected", ["status"]), ("applied", []), ("rejected", ["status"]), ("rejected", ["status"]),
                        ("applied", []), ("applied", []), ("applied", []), ("rejected", ["status"]),
                        ("rejected", ["status"])]
    # The team moved the signal on; the worker's stale "picked_up" keeps the server status as a conflict.
    assert team.patch(f"/api/v1/signals/{signal}", json={"base_version": 1, "status": "picked_up"}).status_code == 200
    assert team.patch(f"/api/v1/signals/{signal}", json={"base_version": 2, "status": "done"}).status_code == 200
    stale = push(worker, client, [upsert(10, "signal", signal, {"status": "picked_up"}, base_version=1)])
    result = stale["results"][0]
    assert result["status"] == "conflict"
    assert result["conflicts"] == [{"field": "status", "server_value": "done", "client_value": "picked_up"}]
    record = worker.get(f"/api/v1/signals/{signal}").get_json()
    assert record["status"] == "done" and record["done_at"] and record["has_conflict"] is True
    # A web edit that needs a reason is refused the same way.
    refused = team.patch(f"/api/v1/signals/{signal}", json={"base_version": record["version"],
                                                            "status": "in_progress"})
    assert refused.status_code == 400 and "status" in refused.get_json()["errors"]


def test_followups_change_status_and_are_append_only(api):
    worker = api("field_worker", buurten=[BUURT_A])
    client, signal, note, reason = new_id(), new_id(), new_id(), new_id()
    body = push(worker, client, [
        upsert(1, "signal", signal, signal_fields()),
        upsert(2, "followup", note, {"parent_entity": "signal", "parent_id": signal, "text": "Gebeld",
                                     "status_to": "picked_up"}),
        upsert(3, "followup", new_id(), {"parent_entity": "signal", "parent_id": signal, "status_to": "referred"}),
        upsert(4, "followup", reason, {"parent_entity": "signal", "parent_id": signal, "status_to": "referred",
                                       "text": "Naar Actium"}),
        upsert(5, "followup", note, {"parent_entity": "signal", "parent_id": signal, "text": "Anders"}),
        delete(6, "followup", note),
        upsert(7, "followup", new_id(), {"parent_entity": "signal", "parent_id": new_id(), "text": "?"}),
        upsert(8, "followup", new_id(), {"parent_entity": "signal", "parent_id": signal, "status_to": "done"}),
    ])
    statuses = [(r["status"], sorted(r.get("errors", {}))) for r in body["results"]]
    assert statuses == [("applied", []), ("applied", []), ("rejected", ["text"]), ("applied", []),
                        ("rejected", ["id"]), ("rejected", ["op"]), ("rejected", ["parent_id"]),
                        ("rejected", ["status_to"])]
    record = worker.get(f"/api/v1/signals/{signal}").get_json()
    assert record["status"] == "referred" and record["version"] == 3
    log = worker.get(f"/api/v1/signals/{signal}/followups").get_json()["followups"]
    assert [(f["status_from"], f["status_to"], f["text"]) for f in log] == [
        ("new", "picked_up", "Gebeld"), ("picked_up", "referred", "Naar Actium")]
    assert {f["buurt_code"] for f in log} == {BUURT_A}


def test_delete_is_a_tombstone(api):
    worker = api("field_worker", buurten=[BUURT_A])
    other = api("field_worker", buurten=[BUURT_A])
    client, conv = new_id(), new_id()
    push(worker, client, [upsert(1, "conversation", conv, conversation_fields())])
    refused = push(other, new_id(), [delete(1, "conversation", conv)])["results"][0]
    assert refused["status"] == "rejected" and "op" in refused["errors"]
    body = push(worker, client, [delete(2, "conversation", conv), delete(3, "conversation", new_id()),
                                 upsert(4, "conversation", conv, {"summary": "te laat"}, base_version=1)])
    assert [r["status"] for r in body["results"]] == ["applied", "applied", "rejected"]
    assert body["results"][0]["version"] == 2 and body["results"][1]["version"] is None
    changes, _, _ = pull_all(other)
    assert [(c["id"], c["deleted"], c["record"]["deleted"], c["version"]) for c in changes] == [(conv, True, True, 2)]


def test_buurt_code_rules(api):
    worker = api("field_worker", buurten=[BUURT_A])
    client, located, picked, wrong = new_id(), new_id(), new_id(), new_id()
    body = push(worker, client, [
        upsert(1, "conversation", located, conversation_fields(BUURT_B, buurt_code=BUURT_A)),
        upsert(2, "conversation", picked, conversation_fields(location=None, buurt_code=BUURT_A)),
        upsert(3, "conversation", wrong, conversation_fields(location=None, buurt_code="BU99999999")),
        upsert(4, "conversation", picked, {"location": conversation_fields(BUURT_B)["location"]}, base_version=1),
    ])
    assert [r["status"] for r in body["results"]] == ["applied", "applied", "rejected", "applied"]
    assert worker.get(f"/api/v1/conversations/{located}").get_json()["buurt_code"] == BUURT_B
    moved = worker.get(f"/api/v1/conversations/{picked}").get_json()
    assert moved["buurt_code"] == BUURT_B and moved["location"]["accuracy_m"] == 5.0


def test_resident_contact_is_write_only(api):
    worker = api("field_worker", buurten=[BUURT_A])
    client, conv = new_id(), new_id()
    contact = {"name": "Mevrouw Jansen", "phone": "0612345678", "email": "jansen@example.nl", "consent": True}
    body = push(worker, client, [
        upsert(1, "conversation", conv, conversation_fields(resident_contact=contact)),
        upsert(2, "conversation", new_id(), conversation_fields(resident_contact={**contact, "consent": False})),
    ])
    assert [r["status"] for r in body["results"]] == ["applied", "rejected"]
    assert _count(ResidentContact) == 1
    changes, _, _ = pull_all(worker)
    text = json.dumps(changes) + json.dumps(worker.get(f"/api/v1/conversations/{conv}").get_json())
    assert "Jansen" not in text and "0612345678" not in text
    history = db.session.scalars(select(RecordChange.changes)).all()
    assert "Jansen" not in json.dumps(history)


@pytest.mark.parametrize("role", ["team", "manager"])
def test_other_roles_can_push(api, role):
    user = api(role)
    body = push(user, new_id(), [upsert(1, "signal", new_id(), signal_fields())])
    assert body["results"][0]["status"] == "applied"
