"""On PostgreSQL the pull feed's entries are rendered by the database: they must equal change_dict exactly."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from app.demo import seed_demo
from app.extensions import db
from app.models import ENTITIES, Signal, User
from app.sync import pg_wire
from app.sync.service import scope_for
from offline_sync import feed
from offline_sync.records import change_dict
from tests.sync.helpers import BUURT_A, new_id, pull_all, push, signal_fields, upsert

pytestmark = pytest.mark.parametrize("database_url", ["postgis"], indirect=True)

AWKWARD = 'Aan "de" Vaart\\ 12\n\t€ – ‘straat’ \x01 😀 </script>'


def test_database_rendering_equals_change_dict_for_every_record_kind(app, api):
    seed_demo(seed=11, conversations=40)
    team = api("team", organisation="Actium")
    awkward = new_id()
    push(team, new_id(), [upsert(1, "signal", awkward, signal_fields(BUURT_A, title=AWKWARD[:200],
                                                                     description=AWKWARD))])
    db.session.execute(update(Signal).where(Signal.id == awkward).values(
        created_at=datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC),  # whole seconds: no fraction, as isoformat
        done_at=datetime(2026, 3, 2, 8, 30, 0, 5, tzinfo=UTC), due_date=date(2026, 12, 31),
        photos=["a" * 64, "b" * 64], public=True, public_note=None, accuracy_m=None))
    db.session.commit()

    compared = 0
    for entity, model in ENTITIES.items():
        table = model.__table__
        rows = {row.id: row for row in db.session.execute(select(table))}
        rendered = dict(db.session.execute(select(table.c.id, pg_wire.change_json(table, entity))).all())
        assert rows and set(rendered) == set(rows), entity
        for record_id, row in rows.items():
            assert json.loads(rendered[record_id]) == change_dict(row, entity), (entity, record_id)
            compared += 1
    assert compared > 100
    awkward_row = db.session.execute(select(Signal.__table__).where(Signal.id == awkward)).one()
    wire = json.loads(db.session.execute(select(pg_wire.change_json(Signal.__table__, "signal"))
                                         .where(Signal.id == awkward)).scalar_one())
    assert wire["record"]["description"] == AWKWARD and wire["record"]["created_at"] == "2026-03-01T12:00:00+00:00"
    assert wire["record"]["done_at"] == "2026-03-02T08:30:00.000005+00:00" and wire["record"]["public"] is True
    assert wire == change_dict(awkward_row, "signal")


def test_pull_pages_are_the_same_on_either_path(app, api):
    """The whole feed, page by page, through the API (database-rendered) and through the Python path."""
    seed_demo(seed=12, conversations=30)
    team = api("team", organisation="Actium")
    changes, _cursor, _reset = pull_all(team, limit=37)
    user = db.session.get(User, uuid.UUID(team.user["id"]))
    python_path, cursor = [], None
    while True:
        page = feed.read_changes(db.session, ENTITIES, scope_for(user), cursor, 37, app.config["SECRET_KEY"])
        python_path += page["changes"]
        cursor = page["cursor"]
        if not page["has_more"]:
            break
    assert len(changes) > 100 and changes == python_path
    # Field workers' scope: the same on both paths too.
    worker = api("field_worker", buurten=[BUURT_A])
    mine = pull_all(worker, limit=5)[0]
    python_mine = feed.read_changes(db.session, ENTITIES, scope_for(db.session.get(User, uuid.UUID(worker.user["id"]))),
                                    None, 1000,
                                    app.config["SECRET_KEY"])["changes"]
    assert mine == python_mine and all(c["record"]["buurt_code"] == BUURT_A or c["entity"] == "followup"
                                       for c in mine)
