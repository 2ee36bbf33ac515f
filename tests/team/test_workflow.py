"""The signal workflow as the team pages drive it: PATCH for plain transitions, followups for `*` ones."""

from __future__ import annotations

import uuid

import pytest

from offline_sync.workflow import TRANSITIONS

SIGNAL = TRANSITIONS["signal"]
ALLOWED = [(a, b, text) for a, targets in SIGNAL.items() for b, text in targets.items()]
REFUSED = [("new", "done"), ("new", "in_progress"), ("referred", "done"), ("done", "new"),
           ("not_actionable", "picked_up"), ("in_progress", "picked_up"), ("done", "referred")]
#: A shortest path from new to every status, through allowed transitions.
PATH = {"new": [], "picked_up": ["picked_up"], "in_progress": ["picked_up", "in_progress"],
        "referred": ["referred"], "done": ["picked_up", "done"], "not_actionable": ["not_actionable"]}


@pytest.fixture
def field_signal(api):
    """A signal pushed by a field worker in Assen; returns (field worker client, signal id)."""
    worker = api("field_worker", buurten=["BU01060000"])
    signal_id = str(uuid.uuid4())
    body = {"client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [{
        "mutation_id": 1, "entity": "signal", "op": "upsert", "id": signal_id, "base_version": None,
        "fields": {"title": "Hek speelveld kapot", "theme": "openbare_ruimte", "domain": "physical",
                   "location": {"lat": 52.9936, "lon": 6.5650, "accuracy_m": 8}},
    }]}
    result = worker.post("/api/v1/sync/push", json=body).get_json()["results"][0]
    assert result["status"] == "applied", result
    return worker, signal_id


def _move(team, signal_id: str, to: str, text: str | None):
    if text is None:
        version = team.get(f"/api/v1/signals/{signal_id}").get_json()["version"]
        return team.patch(f"/api/v1/signals/{signal_id}", json={"base_version": version, "status": to})
    return team.post(f"/api/v1/signals/{signal_id}/followups", json={"text": text, "status_to": to})


def _bring_to(team, signal_id: str, status: str) -> None:
    current = "new"
    for step in PATH[status]:
        response = _move(team, signal_id, step, "reden" if SIGNAL[current][step] else None)
        assert response.status_code in (200, 201), response.get_json()
        current = step
    assert team.get(f"/api/v1/signals/{signal_id}").get_json()["status"] == status


@pytest.mark.parametrize("start,to,needs_text", ALLOWED, ids=[f"{a}->{b}" for a, b, _ in ALLOWED])
def test_every_allowed_transition(api, field_signal, start, to, needs_text):
    _, signal_id = field_signal
    team = api("team", organisation="Actium")
    _bring_to(team, signal_id, start)
    if needs_text:
        assert _move(team, signal_id, to, None).status_code == 400  # not through PATCH
        assert _move(team, signal_id, to, "").status_code == 400  # not without a reason
        assert team.get(f"/api/v1/signals/{signal_id}").get_json()["status"] == start
    response = _move(team, signal_id, to, "Doorgezet naar de wijkagent" if needs_text else None)
    assert response.status_code in (200, 201), response.get_json()
    record = team.get(f"/api/v1/signals/{signal_id}").get_json()
    assert record["status"] == to
    log = team.get(f"/api/v1/signals/{signal_id}/followups").get_json()["followups"]
    if needs_text:
        assert (log[-1]["status_from"], log[-1]["status_to"], log[-1]["text"]) == (
            start, to, "Doorgezet naar de wijkagent")


@pytest.mark.parametrize("start,to", REFUSED, ids=[f"{a}->{b}" for a, b in REFUSED])
def test_refused_transitions(api, field_signal, start, to):
    _, signal_id = field_signal
    team = api("team")
    _bring_to(team, signal_id, start)
    assert _move(team, signal_id, to, None).status_code == 400
    assert _move(team, signal_id, to, "toch maar").status_code == 400
    assert team.get(f"/api/v1/signals/{signal_id}").get_json()["status"] == start


def test_pick_up_and_assign_shows_in_pull_and_on_the_map(api, field_signal, make_user):
    worker, signal_id = field_signal
    team = api("team", organisation="Actium")
    orgs = team.get("/api/v1/organisations").get_json()
    actium = next(o for o in orgs if o["name"] == "Actium")
    record = team.get(f"/api/v1/signals/{signal_id}").get_json()
    response = team.patch(f"/api/v1/signals/{signal_id}", json={
        "base_version": record["version"], "status": "picked_up", "organisation": actium["id"],
        "assignee": str(team.db_user.id), "due_date": "2026-12-01"})
    assert response.status_code == 200, response.get_json()
    mine = team.get("/api/v1/signals?mine=true&status=picked_up").get_json()
    assert [f["id"] for f in mine["features"]] == [signal_id]
    assert mine["features"][0]["properties"]["assignee"] == str(team.db_user.id)
    changes = worker.get("/api/v1/sync/pull").get_json()["changes"]
    pulled = [c["record"] for c in changes if c["id"] == signal_id][-1]
    assert (pulled["status"], pulled["organisation"], pulled["due_date"]) == ("picked_up", actium["id"], "2026-12-01")
