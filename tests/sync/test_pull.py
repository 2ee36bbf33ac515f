"""GET /api/v1/sync/pull on both databases: order, pages, scope, tombstones, reset."""

from __future__ import annotations

from app.extensions import db
from tests.sync.helpers import (
    BUURT_A,
    BUURT_B,
    delete,
    new_id,
    old_style_cursor,
    pull_all,
    push,
    signal_fields,
    upsert,
)


def test_pages_in_commit_order_with_whole_records(api):
    worker = api("field_worker", buurten=[BUURT_A])
    client = new_id()
    ids = [new_id() for _ in range(7)]
    push(worker, client, [upsert(i + 1, "signal", sid, signal_fields()) for i, sid in enumerate(ids)])
    push(worker, client, [upsert(8, "signal", ids[0], {"title": "Nu als laatste"}, base_version=1)])
    changes, cursor, reset = pull_all(worker, limit=3)
    assert not reset
    assert [c["id"] for c in changes] == ids[1:] + ids[:1]  # a changed record moves to its new place
    assert changes[-1]["version"] == 2 and changes[-1]["record"]["title"] == "Nu als laatste"
    assert set(changes[0]["record"]) >= {"id", "version", "created_at", "updated_at", "created_by", "buurt_code",
                                         "location", "has_conflict", "deleted", "title", "status", "photos"}
    empty = worker.get(f"/api/v1/sync/pull?cursor={cursor}").get_json()
    assert empty["changes"] == [] and empty["has_more"] is False and empty["cursor"] == cursor
    push(worker, client, [delete(9, "signal", ids[3])])
    later = worker.get(f"/api/v1/sync/pull?cursor={cursor}").get_json()
    assert [(c["id"], c["deleted"]) for c in later["changes"]] == [(ids[3], True)]


def test_limit_bounds(api):
    worker = api("field_worker")
    for limit in (0, 1001, "x"):
        response = worker.get(f"/api/v1/sync/pull?limit={limit}")
        assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert worker.get("/api/v1/sync/pull?limit=1000").status_code == 200


def test_field_worker_scope(api):
    mine = api("field_worker", buurten=[BUURT_A])
    neighbour = api("field_worker", buurten=[BUURT_B])
    team = api("team")
    in_a, in_b, own_in_b = new_id(), new_id(), new_id()
    push(mine, new_id(), [upsert(1, "signal", in_a, signal_fields(BUURT_A)),
                          upsert(2, "signal", own_in_b, signal_fields(BUURT_B))])
    push(neighbour, new_id(), [upsert(1, "signal", in_b, signal_fields(BUURT_B))])
    # A followup by someone else on my signal outside my buurten still reaches me.
    note = new_id()
    push(neighbour, new_id(), [upsert(1, "followup", note, {"parent_entity": "signal", "parent_id": own_in_b,
                                                            "text": "Gezien"})])
    seen = {c["id"] for c in pull_all(mine)[0]}
    assert seen == {in_a, own_in_b, note}
    assert {c["id"] for c in pull_all(neighbour)[0]} == {in_b, own_in_b, note}
    assert {c["id"] for c in pull_all(team)[0]} == {in_a, in_b, own_in_b, note}
    assert mine.get(f"/api/v1/signals/{in_b}").status_code == 404
    refused = push(mine, new_id(), [upsert(1, "signal", in_b, {"title": "x"}, base_version=1)])["results"][0]
    assert refused["status"] == "rejected" and "id" in refused["errors"]


def test_reset_on_bad_cursor_and_on_scope_change(api):
    worker = api("field_worker", buurten=[BUURT_A])
    other = api("field_worker", buurten=[BUURT_B])
    in_a, in_b = new_id(), new_id()
    push(worker, new_id(), [upsert(1, "signal", in_a, signal_fields(BUURT_A))])
    push(other, new_id(), [upsert(1, "signal", in_b, signal_fields(BUURT_B))])
    changes, cursor, reset = pull_all(worker)
    assert [c["id"] for c in changes] == [in_a] and not reset
    from flask import current_app

    from app.sync.service import scope_for

    # A cursor signed the way the server did before it used itsdangerous, for this very scope.
    old = old_style_cursor(10**6, scope_for(worker.db_user), current_app.config["SECRET_KEY"])
    for bad in ("garbage", cursor[:-2] + "xx", pull_all(other)[1], old):
        body = worker.get(f"/api/v1/sync/pull?cursor={bad}").get_json()
        assert body["reset"] is True and [c["id"] for c in body["changes"]] == [in_a]
    # The worker gets buurt B as well: the old cursor would never deliver B's older records.
    user = worker.db_user
    user.set_buurten([BUURT_A, BUURT_B])
    db.session.commit()
    body = worker.get(f"/api/v1/sync/pull?cursor={cursor}").get_json()
    assert body["reset"] is True and {c["id"] for c in body["changes"]} == {in_a, in_b}
    again = worker.get(f"/api/v1/sync/pull?cursor={body['cursor']}").get_json()
    assert again["reset"] is False and again["changes"] == []
