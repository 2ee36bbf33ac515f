"""Record endpoints on both databases: PATCH, followups and resolve through the engine; contact access."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.models import ContactAccess
from tests.sync.helpers import BUURT_A, BUURT_B, new_id, push, signal_fields, upsert


def test_patch_merges_like_a_push(api):
    worker = api("field_worker", buurten=[BUURT_A])
    team = api("team")
    signal = new_id()
    push(worker, new_id(), [upsert(1, "signal", signal, signal_fields())])
    first = team.patch(f"/api/v1/signals/{signal}", json={"base_version": 1, "title": "Team"})
    assert first.status_code == 200 and first.get_json()["version"] == 2
    stale = team.patch(f"/api/v1/signals/{signal}", json={"base_version": 1, "title": "Oud", "urgency": "high"})
    body = stale.get_json()
    assert stale.status_code == 200 and body["version"] == 3 and body["has_conflict"] is True
    assert body["conflicts"] == [{"field": "title", "server_value": "Team", "client_value": "Oud"}]
    assert team.patch(f"/api/v1/signals/{signal}", json={"title": "zonder versie"}).status_code == 400
    invalid = team.patch(f"/api/v1/signals/{signal}", json={"base_version": 3, "urgency": "asap"})
    assert invalid.status_code == 400 and "urgency" in invalid.get_json()["errors"]
    assert team.patch(f"/api/v1/signals/{new_id()}", json={"base_version": 1, "title": "x"}).status_code == 404
    unknown_org = team.patch(f"/api/v1/signals/{signal}", json={"base_version": 3, "organisation": new_id()})
    assert unknown_org.status_code == 400 and "organisation" in unknown_org.get_json()["errors"]


def test_web_followups_and_workflow(api):
    worker = api("field_worker", buurten=[BUURT_A])
    team = api("team")
    signal = new_id()
    push(worker, new_id(), [upsert(1, "signal", signal, signal_fields())])
    url = f"/api/v1/signals/{signal}/followups"
    created = team.post(url, json={"text": "Opgepakt door de gemeente", "status_to": "picked_up"})
    assert created.status_code == 201 and created.headers["Location"].endswith(created.get_json()["id"])
    assert created.get_json()["status_from"] == "new"
    needs_reason = team.post(url, json={"status_to": "not_actionable"})
    assert needs_reason.status_code == 400 and "text" in needs_reason.get_json()["errors"]
    invalid = team.post(url, json={"text": "klaar?", "status_to": "new"})
    assert invalid.status_code == 400 and "status_to" in invalid.get_json()["errors"]
    # A stale status change from someone who saw version 1 is kept as a note and reported as a conflict.
    team.post(url, json={"text": "Klaar", "status_to": "done"})
    stale = team.post(url, json={"text": "Ik pak het op", "status_to": "picked_up", "parent_version": 1})
    assert stale.status_code == 201
    assert stale.get_json()["conflicts"] == [{"field": "status_to", "server_value": "done",
                                              "client_value": "picked_up"}]
    assert stale.get_json()["status_to"] is None
    record = team.get(f"/api/v1/signals/{signal}").get_json()
    assert record["status"] == "done" and record["version"] == 3
    log = team.get(url).get_json()["followups"]
    assert [f["text"] for f in log] == ["Opgepakt door de gemeente", "Klaar", "Ik pak het op"]
    assert team.get(f"/api/v1/followups/{log[0]['id']}").get_json()["parent_id"] == signal
    assert team.post(f"/api/v1/signals/{new_id()}/followups", json={"text": "x"}).status_code == 404
    assert team.post(f"/api/v1/signals/{signal}/resolve").status_code == 200
    assert team.post(f"/api/v1/ideas/{new_id()}/resolve").status_code == 404


def test_contact_only_for_creator_assignee_admin_and_audited(api):
    worker = api("field_worker", buurten=[BUURT_A])
    colleague = api("field_worker", buurten=[BUURT_A])
    assignee = api("team", organisation="Actium")
    other_team = api("team", organisation="Actium")
    admin = api("admin")
    signal, bare = new_id(), new_id()
    contact = {"name": "Dhr. De Vries", "phone": "0591123456", "consent": True}
    actium = str(assignee.db_user.organisation_id)
    push(worker, new_id(), [
        upsert(1, "signal", signal, signal_fields(resident_contact=contact, organisation=actium)),
        upsert(2, "signal", bare, signal_fields()),
    ])
    # Only the owning organisation's team members, managers and admins assign (docs/API.md v1.1).
    assigned = api("manager").patch(f"/api/v1/signals/{signal}",
                                    json={"base_version": 1, "assignee": str(assignee.db_user.id)})
    assert assigned.status_code == 200, assigned.get_json()
    url = f"/api/v1/signals/{signal}/contact"
    for reader in (worker, assignee, admin):
        response = reader.get(url)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["contacts"][0]["name"] == "Dhr. De Vries"
    assert colleague.get(url).status_code == 403 and other_team.get(url).status_code == 403
    assert api("manager").get(url).status_code == 403
    assert worker.get(f"/api/v1/signals/{bare}/contact").status_code == 404
    audited = db.session.execute(select(ContactAccess.user_id, ContactAccess.granted, func.count())
                                 .group_by(ContactAccess.user_id, ContactAccess.granted)).all()
    reads = {user: n for user, granted, n in audited if granted}
    refusals = {user: n for user, granted, n in audited if not granted}
    assert reads == {worker.db_user.id: 1, assignee.db_user.id: 1, admin.db_user.id: 1}
    assert sorted(refusals.values()) == [1, 1, 1] and colleague.db_user.id in refusals  # refused attempts too
    outsider = api("field_worker", buurten=[BUURT_B])
    assert outsider.get(url).status_code == 404


def test_history_lists_every_change_with_old_and_new_values(api):
    worker = api("field_worker", buurten=[BUURT_A])
    outsider = api("field_worker", buurten=[BUURT_B])
    team = api("team", organisation="Actium")
    signal_id = new_id()
    push(worker, new_id(), [upsert(1, "signal", signal_id, signal_fields(title="Bankje kapot"))])
    patched = team.patch(f"/api/v1/signals/{signal_id}", json={"base_version": 1, "urgency": "high"})
    assert patched.status_code == 200
    history = team.get(f"/api/v1/signals/{signal_id}/history").get_json()["history"]
    assert [h["version"] for h in history] == [1, 2]
    assert history[0]["changes"]["title"] == [None, "Bankje kapot"]
    assert history[1]["changes"] == {"urgency": ["normal", "high"]}
    assert history[1]["user"] == str(team.db_user.id) and history[0]["user"] == str(worker.db_user.id)
    assert outsider.get(f"/api/v1/signals/{signal_id}/history").status_code == 404
