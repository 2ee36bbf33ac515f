"""The trust rules of docs/API.md v1.1 one by one: consent, assigning, the contact audit, the quarantine
without contact details, occurred_at, and photos that a hash alone does not open."""

from __future__ import annotations

import hashlib
import io
import uuid
from datetime import UTC, datetime, timedelta

from PIL import Image
from sqlalchemy import func, select

from app.extensions import db
from app.models import ContactAccess, QuarantinedMutation, ResidentContact, Signal
from tests.sync.helpers import (
    BUURT_A,
    BUURT_B,
    conversation_fields,
    idea_fields,
    new_id,
    push,
    signal_fields,
    upsert,
)

CONTACT = {"name": "Mevr. Jansen", "phone": "0612345678", "consent": True}


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# -- consent (item 1) -----------------------------------------------------------------------------


def test_patch_contact_without_consent_is_400_and_nothing_kept(api):
    worker = api("field_worker", buurten=[BUURT_A])
    signal = new_id()
    push(worker, new_id(), [upsert(1, "signal", signal, signal_fields())])
    for contact in ({}, {"name": "X"}, {"name": "X", "consent": False}, {"name": "X", "consent": None}, None):
        response = worker.patch(f"/api/v1/signals/{signal}", json={"base_version": 1, "resident_contact": contact})
        assert response.status_code == 400, (contact, response.get_json())
        assert "resident_contact" in response.get_json()["errors"]
    assert _count(ResidentContact) == 0
    assert worker.get(f"/api/v1/signals/{signal}/contact").status_code == 404
    ok = worker.patch(f"/api/v1/signals/{signal}", json={"base_version": 1, "resident_contact": CONTACT})
    assert ok.status_code == 200
    assert worker.get(f"/api/v1/signals/{signal}/contact").get_json()["contacts"][0]["name"] == "Mevr. Jansen"


def test_quarantine_never_keeps_contact_and_purge_scrubs_old_rows(api, runner):
    worker = api("field_worker", buurten=[BUURT_A])
    body = push(worker, new_id(), [upsert(1, "signal", new_id(), signal_fields(
        title="", resident_contact={**CONTACT, "consent": False}))])
    assert body["results"][0]["status"] == "rejected"
    kept = db.session.scalar(select(QuarantinedMutation))
    assert kept.payload["fields"]["resident_contact"] == "[verwijderd]"
    assert "Jansen" not in str(kept.payload) and "0612345678" not in str(kept.payload)
    # A row an older version wrote with the contact in it: `retention purge` removes the details.
    db.session.add(QuarantinedMutation(client_id=uuid.uuid4(), mutation_id=9, user_id=worker.db_user.id,
                                       payload={"fields": {"resident_contact": CONTACT, "title": ""}},
                                       errors={"title": ["x"]}))
    db.session.commit()
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0 and "1 afgewezen mutatie" in result.output
    db.session.expire_all()
    payloads = [q.payload for q in db.session.scalars(select(QuarantinedMutation))]
    assert all(p["fields"]["resident_contact"] == "[verwijderd]" for p in payloads)
    assert all(p["fields"].get("title") == "" for p in payloads)


# -- assigning and the contact endpoint (item 2) --------------------------------------------------


def _signal_of(api, organisation_id):
    worker = api("field_worker", buurten=[BUURT_A])
    signal = new_id()
    push(worker, new_id(), [upsert(1, "signal", signal, signal_fields(
        organisation=str(organisation_id), resident_contact=CONTACT))])
    return worker, signal


def test_assign_to_self_does_not_open_the_contact_of_another_organisation(api):
    actium = api("team", organisation="Actium")
    vaart = api("team", organisation="Vaart Welzijn")
    worker, signal = _signal_of(api, actium.db_user.organisation_id)
    assert vaart.get(f"/api/v1/signals/{signal}/contact").status_code == 403
    response = vaart.patch(f"/api/v1/signals/{signal}", json={"base_version": 1, "assignee": str(vaart.db_user.id)})
    assert response.status_code in (400, 403)
    assert vaart.get(f"/api/v1/signals/{signal}/contact").status_code == 403
    assert worker.get(f"/api/v1/signals/{signal}").get_json()["assignee"] is None
    # Every refused attempt is in the audit log, like every read.
    refused = _count(ContactAccess, ContactAccess.user_id == vaart.db_user.id, ContactAccess.granted.is_(False))
    assert refused == 2
    # The owning organisation's team member may take it, and then reads the contact.
    taken = actium.patch(f"/api/v1/signals/{signal}", json={"base_version": 1, "assignee": str(actium.db_user.id)})
    assert taken.status_code == 200
    assert actium.get(f"/api/v1/signals/{signal}/contact").status_code == 200
    assert _count(ContactAccess, ContactAccess.user_id == actium.db_user.id, ContactAccess.granted.is_(True)) == 1


def test_who_may_assign_to_whom(api, make_user):
    actium = api("team", organisation="Actium")
    colleague, _ = make_user("team", organisation="Actium")
    vaart = api("team", organisation="Vaart Welzijn")
    manager = api("manager")
    worker, signal = _signal_of(api, actium.db_user.organisation_id)
    version = 1

    def assign(client, assignee):
        nonlocal version
        response = client.patch(f"/api/v1/signals/{signal}", json={"base_version": version, "assignee": assignee})
        if response.status_code == 200:
            version = response.get_json()["version"]
        return response.status_code

    assert assign(manager, str(worker.db_user.id)) == 400  # a field worker is no team member
    assert assign(manager, str(vaart.db_user.id)) == 400  # another organisation's member
    assert assign(worker, str(worker.db_user.id)) == 400
    assert assign(vaart, None) == 200  # nothing changes: it was nobody's
    assert assign(manager, str(colleague.id)) == 200
    assert assign(vaart, None) == 400  # unassigning is assigning too
    assert assign(actium, str(actium.db_user.id)) == 200
    assert assign(actium, None) == 200
    # The colleague, once assigned, reads the contact; a manager never does (not creator, not assignee).
    assert assign(manager, str(colleague.id)) == 200
    assert manager.get(f"/api/v1/signals/{signal}/contact").status_code == 403


# -- occurred_at (item 4) -------------------------------------------------------------------------


def test_occurred_at_as_typed_else_client_time_else_receipt(api):
    worker = api("field_worker", buurten=[BUURT_A])
    typed, from_clock, bare, ahead = new_id(), new_id(), new_id(), new_id()
    friday = "2026-11-20T16:30:00+01:00"
    clock = upsert(2, "idea", from_clock, idea_fields())
    clock["client_time"] = "2026-11-21T09:00:00+01:00"
    plain = upsert(3, "conversation", bare, {k: v for k, v in conversation_fields().items() if k != "occurred_at"})
    del plain["client_time"]
    skewed = upsert(4, "signal", ahead, signal_fields())
    skewed["client_time"] = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    before = datetime.now(UTC)
    body = push(worker, new_id(), [upsert(1, "signal", typed, signal_fields(occurred_at=friday)), clock, plain,
                                   skewed])
    assert [r["status"] for r in body["results"]] == ["applied"] * 4
    assert worker.get(f"/api/v1/signals/{typed}").get_json()["occurred_at"] == "2026-11-20T15:30:00+00:00"
    assert worker.get(f"/api/v1/ideas/{from_clock}").get_json()["occurred_at"] == "2026-11-21T08:00:00+00:00"
    for entity, record in (("conversation", bare), ("signal", ahead)):
        when = datetime.fromisoformat(worker.get(f"/api/v1/{entity}s/{record}").get_json()["occurred_at"])
        assert before - timedelta(seconds=1) <= when <= datetime.now(UTC) + timedelta(seconds=1)


def test_future_occurred_at_is_rejected_on_create_and_edit(api):
    worker = api("field_worker", buurten=[BUURT_A])
    signal = new_id()
    soon = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    late = (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
    body = push(worker, new_id(), [upsert(1, "signal", signal, signal_fields(occurred_at=soon)),
                                   upsert(2, "signal", signal, {"occurred_at": late}, base_version=1),
                                   upsert(3, "idea", new_id(), idea_fields(occurred_at=late))])
    assert [r["status"] for r in body["results"]] == ["applied", "rejected", "rejected"]
    assert "occurred_at" in body["results"][1]["errors"]
    patch = worker.patch(f"/api/v1/signals/{signal}", json={"base_version": 1, "occurred_at": late})
    assert patch.status_code == 400


def test_periods_count_by_occurred_at(api):
    """Logged offline on Friday, synced on Monday: counted on Friday by reports, trend, lists and exports."""
    worker = api("field_worker", buurten=[BUURT_A])
    manager = api("manager")
    signal, idea = new_id(), new_id()
    friday = "2026-11-20T16:30:00+01:00"
    push(worker, new_id(), [upsert(1, "signal", signal, signal_fields(occurred_at=friday)),
                            upsert(2, "idea", idea, idea_fields(occurred_at=friday))])
    # The server received them "on Monday": move created_at to make the difference visible.
    monday = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    db.session.execute(Signal.__table__.update().values(created_at=monday))
    from app.models import Idea

    db.session.execute(Idea.__table__.update().values(created_at=monday))
    db.session.commit()
    on_friday = "from=2026-11-20&to=2026-11-20"
    totals = manager.get(f"/api/v1/reports/buurten?{on_friday}").get_json()["totals"]
    assert totals["signals_total"] == 1 and totals["ideas_total"] == 1
    on_monday = manager.get("/api/v1/reports/buurten?from=2026-11-23&to=2026-11-23").get_json()["totals"]
    assert on_monday["signals_total"] == 0 and on_monday["ideas_total"] == 0
    quarters = manager.get("/api/v1/reports/trend?from=2026-10-01&to=2026-12-31").get_json()["quarters"]
    assert quarters[0]["signals_total"] == 1 and quarters[0]["ideas_total"] == 1
    assert manager.get(f"/api/v1/signals?{on_friday}").get_json()["total"] == 1
    assert manager.get("/api/v1/signals?from=2026-11-23&to=2026-11-23").get_json()["total"] == 0
    export = manager.get(f"/api/v1/exports/signals?{on_friday}&format=geojson").get_json()
    assert [f["id"] for f in export["features"]] == [signal]
    assert export["features"][0]["properties"]["occurred_at"].startswith("2026-11-20T16:30:00")
    assert manager.get(f"/api/v1/exports/ideas?{on_friday}").headers["X-Record-Count"] == "1"
    page = manager.get(f"/reports/buurten/{BUURT_A}?{on_friday}")
    assert page.status_code == 200 and "Hek speelveld kapot" in page.get_data(as_text=True)


# -- photos (item 14) -----------------------------------------------------------------------------


def _photo(colour: str) -> tuple[bytes, str]:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(out, "PNG")
    data = out.getvalue()
    return data, hashlib.sha256(data).hexdigest()


def _put(client, data: bytes, sha: str) -> int:
    return client.put(f"/api/v1/attachments/{sha}", data=data, content_type="image/png").status_code


def test_a_hash_alone_opens_no_photo(api):
    owner = api("field_worker", buurten=[BUURT_A])
    stranger = api("field_worker", buurten=[BUURT_B])
    team = api("team", organisation="Actium")
    data, sha = _photo("blue")
    push(owner, new_id(), [upsert(1, "signal", new_id(), signal_fields(photos=[sha]))])  # named before upload
    assert _put(owner, data, sha) == 201
    assert owner.get(f"/api/v1/attachments/{sha}").status_code == 200
    assert team.get(f"/api/v1/attachments/{sha}").status_code == 200  # sees the signal that names it
    assert stranger.get(f"/api/v1/attachments/{sha}").status_code == 404
    # Naming the known hash in a record of one's own opens nothing.
    own = new_id()
    body = push(stranger, new_id(), [upsert(1, "signal", own, signal_fields(BUURT_B, photos=[sha]))])
    assert body["results"][0]["status"] == "applied"
    assert stranger.get(f"/api/v1/attachments/{sha}").status_code == 404
    # ...nor for whoever sees that record.
    other_b = api("field_worker", buurten=[BUURT_B])
    assert other_b.get(f"/api/v1/attachments/{sha}").status_code == 404
    # Holding the bytes does: uploading them proves it.
    assert _put(stranger, data, sha) == 200
    assert stranger.get(f"/api/v1/attachments/{sha}").status_code == 200
    assert other_b.get(f"/api/v1/attachments/{sha}").status_code == 200


def test_someone_who_sees_a_photo_may_name_it_elsewhere(api):
    owner = api("field_worker", buurten=[BUURT_A])
    team = api("team", organisation="Actium")
    in_b = api("field_worker", buurten=[BUURT_B])
    data, sha = _photo("green")
    push(owner, new_id(), [upsert(1, "signal", new_id(), signal_fields(photos=[sha]))])
    assert _put(owner, data, sha) == 201
    # The team member sees it, so a record they write naming it vouches for it.
    second = new_id()
    body = push(team, new_id(), [upsert(1, "signal", second, signal_fields(BUURT_B, photos=[sha]))])
    assert body["results"][0]["status"] == "applied"
    assert in_b.get(f"/api/v1/attachments/{sha}").status_code == 200
    # Removing it from that record removes the way in.
    push(team, new_id(), [upsert(1, "signal", second, {"photos": []}, base_version=1)])
    assert in_b.get(f"/api/v1/attachments/{sha}").status_code == 404
