"""Every hostile mutation of the corpus is `rejected` on its own: the good mutations around it in the
same push apply, nothing of it is written, the quarantine keeps it in a storable form without resident
contact values, and every view that shows what happened still answers (never a 5xx)."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    ENTITIES,
    QuarantinedMutation,
    RecordChange,
    RecordPhoto,
    ResidentContact,
    SyncMutation,
)
from tests.hostile.corpus import CASES, Known
from tests.sync.helpers import BUURT_A, conversation_fields, idea_fields, new_id, pull_all, signal_fields, upsert

#: Counted in docs/security.md ("corpus cases").
CORPUS_SIZE = len(CASES)


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _snapshot() -> dict:
    """Row counts of everything a push may write."""
    return {m.__tablename__: _count(m) for m in (*ENTITIES.values(), RecordChange, ResidentContact, RecordPhoto)}


def raw_push(client, client_id: str, mutations: list[dict]):
    """Push with NaN, Infinity and lone surrogates written as JSON allows Python to read them back."""
    body = json.dumps({"client_id": client_id, "schema_version": 1, "mutations": mutations}, allow_nan=True)
    return client.post("/api/v1/sync/push", data=body, content_type="application/json")


@pytest.fixture
def setting(api):
    """A field worker with one signal and one idea of their own, an admin, and a team member elsewhere."""
    worker = api("field_worker", buurten=[BUURT_A])
    team = api("team", organisation="Actium")
    admin = api("admin")
    signal, idea = new_id(), new_id()
    seed = raw_push(worker, new_id(), [upsert(1, "signal", signal, signal_fields()),
                                       upsert(2, "idea", idea, idea_fields())])
    assert [r["status"] for r in seed.get_json()["results"]] == ["applied", "applied"]
    known = Known(signal=signal, idea=idea, self_id=str(worker.db_user.id), team_other_org=str(team.db_user.id))
    return worker, admin, known


def test_each_hostile_mutation_rejects_only_itself(setting):
    """One push per corpus case; the failures of all cases are reported together."""
    worker, admin, known = setting
    failures = {}
    for name, build in CASES:
        try:
            _check_case(worker, admin, known, build(known))
        except AssertionError as exc:
            failures[name] = str(exc)[:400]
    assert failures == {}


def _check_case(worker, admin, known: Known, hostile: dict) -> None:
    before = _snapshot()
    quarantined_before = _count(QuarantinedMutation)
    good_before, good_after = new_id(), new_id()
    client_id = new_id()
    response = raw_push(worker, client_id, [
        upsert(1, "signal", good_before, signal_fields(title="Goed ervoor")),
        hostile,
        upsert(3, "conversation", good_after, conversation_fields(summary="Goed erna")),
    ])
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    results = response.get_json()["results"]
    assert [r["mutation_id"] for r in results] == [1, 2, 3]
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"], results[1]
    assert results[1]["errors"]

    # The good ones are there; of the hostile one, nothing.
    after = _snapshot()
    assert after["signals"] == before["signals"] + 1 and after["conversations"] == before["conversations"] + 1
    assert after["ideas"] == before["ideas"]
    assert after["record_changes"] == before["record_changes"] + 2
    assert after["resident_contacts"] == before["resident_contacts"]
    assert after["record_photos"] == before["record_photos"]
    assert worker.get(f"/api/v1/signals/{known.signal}").get_json()["version"] == 1
    assert worker.get(f"/api/v1/ideas/{known.idea}").get_json()["version"] == 1

    # The result and the quarantine are stored, replayable and readable.
    stored = db.session.scalar(select(SyncMutation.status).where(
        SyncMutation.client_id == uuid.UUID(client_id), SyncMutation.mutation_id == 2))
    assert stored == "rejected"
    replay = raw_push(worker, client_id, [hostile]).get_json()["results"][0]
    assert replay["status"] == "duplicate" and replay["original_status"] == "rejected"
    kept = db.session.scalars(select(QuarantinedMutation).where(
        QuarantinedMutation.client_id == uuid.UUID(client_id))).all()
    assert len(kept) == 1
    fields = kept[0].payload.get("fields")
    if isinstance(fields, dict) and "resident_contact" in fields:
        assert fields["resident_contact"] == "[verwijderd]"
    listing = admin.get("/api/v1/sync/quarantine?limit=1")
    assert listing.status_code == 200 and listing.get_json()["total"] == quarantined_before + 1
    changes, _cursor, _reset = pull_all(worker)
    assert {c["id"] for c in changes} >= {good_before, good_after}


def test_corpus_covers_the_reported_cases():
    """The values of issue 9 item 3 and 11 are in the corpus (a guard against it shrinking)."""
    names = {name for name, _ in CASES}
    assert {"nul-in-title", "nan-latitude", "budget-beyond-64-bits", "budget-1e20-float", "occurred-at-year-1",
            "occurred-at-year-9999", "lone-high-surrogate", "nested-500-in-description",
            "contact-without-consent", "contact-empty-object", "field-worker-assigns-self-on-update"} <= names
    assert CORPUS_SIZE >= 50
