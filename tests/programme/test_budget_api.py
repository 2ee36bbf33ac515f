"""Budgets through the API, and applications decided through PATCH, followups and pushes (both databases)."""

from __future__ import annotations

from tests.programme.helpers import WIJK_A, application, grant, make_budget
from tests.sync.helpers import BUURT_A, BUURT_B, new_id, pull_all, push, upsert


def test_budgets_are_read_by_staff_and_written_by_managers(api):
    manager, worker, team = api("manager"), api("field_worker", buurten=[BUURT_A]), api("team")
    body = {"year": 2026, "name": "Buurtbudget 2026", "amount_cents": 1_000_000}
    assert worker.post("/api/v1/budgets", json=body).status_code == 403
    assert team.post("/api/v1/budgets", json=body).status_code == 403
    created = make_budget(manager, 1_000_000)
    assert created["granted_cents"] == created["spent_cents"] == 0 and created["remaining_cents"] == 1_000_000
    wijk = make_budget(manager, 200_000, wijk_code=WIJK_A, name="Noorderpark")
    assert wijk["wijk_name"] == "Wijk 02 Noorderpark"
    bad = manager.post("/api/v1/budgets", json={**body, "wijk_code": "WK999999"})
    assert bad.status_code == 400 and bad.content_type == "application/problem+json"
    assert "wijk_code" in bad.get_json()["errors"]
    listed = worker.get("/api/v1/budgets?year=2026").get_json()["items"]
    assert [b["name"] for b in listed] == ["Buurtbudget", "Noorderpark"]
    assert worker.get("/api/v1/budgets?year=2025").get_json()["items"] == []
    assert worker.patch(f"/api/v1/budgets/{wijk['id']}", json={"name": "x"}).status_code == 403
    renamed = manager.patch(f"/api/v1/budgets/{wijk['id']}", json={"name": "Wijk Noorderpark"})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Wijk Noorderpark"
    assert manager.get(f"/api/v1/budgets/{new_id()}").status_code == 404


def test_grant_decline_ask_for_more_and_realise(api):
    manager, worker = api("manager"), api("field_worker", buurten=[BUURT_A])
    budget = make_budget(manager, 100_000)
    first, conversation = application(worker, requested=60_000)
    second, _ = application(worker, requested=50_000)
    # The waiting applications are in the year's programme budget queue.
    listed = manager.get(f"/api/v1/budgets/{budget['id']}").get_json()
    assert listed["applications"] == 0  # counted per budget only once a budget is named
    queued = manager.get("/api/v1/budgets").get_json()["items"][0]
    assert queued["applications"] == 2 and queued["requested_cents"] == 110_000

    # A coordinator cannot grant.
    refused = grant(worker, first, budget["id"], 60_000)
    assert refused.status_code == 400 and "status" in refused.get_json()["errors"]
    granted = grant(manager, first, budget["id"], 45_000)
    assert granted.status_code == 200, granted.get_json()
    assert granted.get_json()["status"] == "granted" and granted.get_json()["budget_granted_cents"] == 45_000
    after = manager.get(f"/api/v1/budgets/{budget['id']}").get_json()
    assert (after["granted_cents"], after["remaining_cents"]) == (45_000, 55_000)

    # More than remaining is refused with a Dutch reason on the field.
    over = grant(manager, second, budget["id"], 55_001)
    assert over.status_code == 400
    assert over.get_json()["errors"]["budget_granted_cents"] == [
        "Toegekend bedrag (€ 550,01) is meer dan er over is in dit budget (€ 550,00)."]
    # The amount of a budget never drops below what is granted.
    low = manager.patch(f"/api/v1/budgets/{budget['id']}", json={"amount_cents": 44_999})
    assert low.status_code == 400 and "amount_cents" in low.get_json()["errors"]

    # Ask for more: back to in_conversation with a note; the coordinator cannot do that.
    note = {"text": "Graag een begroting met offertes.", "status_to": "in_conversation"}
    assert worker.post(f"/api/v1/ideas/{second}/followups", json=note).status_code == 400
    asked = manager.post(f"/api/v1/ideas/{second}/followups", json=note)
    assert asked.status_code == 201, asked.get_json()
    assert manager.get(f"/api/v1/ideas/{second}").get_json()["status"] == "in_conversation"
    # ... resubmitted and declined with a reason.
    version = worker.get(f"/api/v1/ideas/{second}").get_json()["version"]
    assert worker.patch(f"/api/v1/ideas/{second}", json={"base_version": version,
                                                        "status": "application_submitted"}).status_code == 200
    declined = manager.post(f"/api/v1/ideas/{second}/followups",
                            json={"text": "Past niet in de regeling: niet collectief.", "status_to": "declined"})
    assert declined.status_code == 201
    assert manager.get(f"/api/v1/ideas/{second}").get_json()["status"] == "declined"

    # Realised needs the amount spent, not more than granted.
    version = manager.get(f"/api/v1/ideas/{first}").get_json()["version"]
    no_spent = manager.patch(f"/api/v1/ideas/{first}", json={"base_version": version, "status": "realised"})
    assert no_spent.status_code == 400 and "budget_spent_cents" in no_spent.get_json()["errors"]
    done = manager.patch(f"/api/v1/ideas/{first}", json={"base_version": version, "status": "realised",
                                                         "budget_spent_cents": 43_210})
    assert done.status_code == 200, done.get_json()
    final = manager.get(f"/api/v1/budgets/{budget['id']}").get_json()
    assert (final["granted_cents"], final["spent_cents"], final["remaining_cents"]) == (45_000, 43_210, 55_000)

    # The coordinator's phone receives the decision.
    changes, _, _ = pull_all(worker)
    ideas = {c["id"]: c["record"] for c in changes if c["entity"] == "idea"}
    assert ideas[first]["status"] == "realised" and ideas[first]["budget_granted_cents"] == 45_000
    assert ideas[first]["conversation_id"] == conversation
    assert ideas[second]["status"] == "declined"


def test_grants_in_one_push_share_the_budget(api):
    manager, worker = api("manager"), api("field_worker", buurten=[BUURT_A])
    budget = make_budget(manager, 100_000)
    ideas = [application(worker, requested=40_000)[0] for _ in range(3)]
    body = push(manager, new_id(), [
        upsert(i + 1, "idea", idea, {"status": "granted", "budget_id": budget["id"], "budget_granted_cents": 40_000},
               base_version=4) for i, idea in enumerate(ideas)])
    assert [r["status"] for r in body["results"]] == ["applied", "applied", "rejected"]
    assert "budget_granted_cents" in body["results"][2]["errors"]
    assert manager.get(f"/api/v1/budgets/{budget['id']}").get_json()["remaining_cents"] == 20_000


def test_gathering_syncs_and_links_conversations_and_an_initiative(api):
    manager, worker = api("manager"), api("field_worker", buurten=[BUURT_A])
    other = api("field_worker", buurten=[BUURT_B])
    from tests.sync.helpers import conversation_fields, point_in

    org = manager.get("/api/v1/organisations")
    assert org.status_code == 200
    gathering, conversation, client = new_id(), new_id(), new_id()
    body = push(worker, client, [
        upsert(1, "gathering", gathering, {"kind": "stamppot", "occurred_at": "2026-11-27T18:00:00+01:00",
                                           "title": "Stamppotavond BIC", "location": point_in(BUURT_A)}),
        upsert(2, "gathering", gathering, {"attendance_count": 23}, base_version=1),
        upsert(3, "conversation", conversation, conversation_fields(setting="gathering", gathering_id=gathering)),
        upsert(4, "gathering", new_id(), {"kind": "disco", "occurred_at": "2026-11-27T18:00:00+01:00"}),
        upsert(5, "gathering", new_id(), {"kind": "bbq", "occurred_at": "2026-07-01T18:00:00+02:00",
                                          "idea_id": new_id()}),
        upsert(6, "gathering", gathering, {"ended_at": "2026-11-27T21:30:00+01:00"}, base_version=2),
    ])
    assert [r["status"] for r in body["results"]] == ["applied", "applied", "applied", "rejected", "rejected",
                                                      "applied"], body
    assert body["results"][4]["errors"] == {"idea_id": ["Onbekend initiatief."]}
    record = worker.get(f"/api/v1/gatherings/{gathering}").get_json()
    assert record["buurt_code"] == BUURT_A and record["attendance_count"] == 23 and record["kind"] == "stamppot"
    assert record["ended_at"] == "2026-11-27T20:30:00+00:00" and record["version"] == 3
    assert worker.get(f"/api/v1/conversations/{conversation}").get_json()["gathering_id"] == gathering
    # Pull scope: the other buurt's coordinator does not get it; the manager does.
    assert gathering not in {c["id"] for c in pull_all(other)[0]}
    assert gathering in {c["id"] for c in pull_all(manager)[0] if c["entity"] == "gathering"}
    # A gathering can realise a granted initiative only.
    idea, _ = application(worker, client=client, first_mutation=7)
    patch = {"base_version": 3, "idea_id": idea}
    refused = manager.patch(f"/api/v1/gatherings/{gathering}", json=patch)
    assert refused.status_code == 400 and "idea_id" in refused.get_json()["errors"]
    budget = make_budget(manager, 100_000)
    assert grant(manager, idea, budget["id"], 30_000).status_code == 200
    linked = manager.patch(f"/api/v1/gatherings/{gathering}", json=patch)
    assert linked.status_code == 200 and linked.get_json()["idea_id"] == idea
    # PATCH with attendance below zero is refused; contact details are not accepted.
    assert manager.patch(f"/api/v1/gatherings/{gathering}",
                         json={"base_version": 4, "attendance_count": -1}).status_code == 400
    assert worker.get(f"/api/v1/gatherings/{gathering}/contact").status_code == 404


def test_ideas_map_layer(api):
    manager, worker, team = api("manager"), api("field_worker", buurten=[BUURT_A]), api("team")
    budget = make_budget(manager, 100_000)
    granted, _ = application(worker, requested=20_000)
    waiting, _ = application(worker, requested=30_000)
    assert grant(manager, granted, budget["id"], 20_000).status_code == 200
    assert worker.get("/api/v1/map/ideas").status_code == 403
    everything = team.get("/api/v1/map/ideas?bbox=6.4,52.9,6.7,53.1").get_json()
    assert {f["id"] for f in everything["features"]} == {granted, waiting} and everything["truncated"] is False
    only = team.get("/api/v1/map/ideas?status=granted").get_json()["features"]
    assert [(f["id"], f["properties"]["status_label"], f["properties"]["budget_granted_cents"]) for f in only] == [
        (granted, "Toegekend", 20_000)]
    assert team.get("/api/v1/map/ideas?bbox=0,0,1,1").get_json()["features"] == []
    bad = team.get("/api/v1/map/ideas?bbox=1,2,x")
    assert bad.status_code == 400 and bad.content_type == "application/problem+json"
    assert team.get("/api/v1/map/ideas?status=bogus").status_code == 400
    assert 'id="ideas-toggle"' in team.get("/kaart").get_data(as_text=True)
