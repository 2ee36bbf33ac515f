"""Migration 0003_trust on existing data: occurred_at = created_at, photo links and uploads backfilled,
contact details gone from the quarantine."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.extensions import db
from tests.support import create_postgis_database, drop_postgis_database

SHA = "a" * 64


@pytest.fixture(params=["sqlite", "postgis"])
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield "sqlite:///" + str(tmp_path / "old.sqlite")
        return
    url = create_postgis_database()
    try:
        yield url
    finally:
        drop_postgis_database(url)


def test_upgrade_backfills_existing_rows(empty_database):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database, "TESTING": True})
    directory = app.extensions["migrate"].directory
    with app.app_context():
        upgrade(directory=directory, revision="0002_signal_grid_counts")
        user, signal, idea = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        friday = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
        sqlite = db.engine.dialect.name == "sqlite"
        when = friday.replace(tzinfo=None) if sqlite else friday
        ids = (lambda u: u.hex) if sqlite else (lambda u: u)
        common = {"v": 1, "t": when, "f": False, "u": ids(user)}
        db.session.execute(text("INSERT INTO users (id, email, name, role, password_hash, active, created_at, "
                                "scope_version) VALUES (:u, 'a@b.nl', 'A', 'field_worker', 'x', :tr, :t, 1)"),
                           {**common, "tr": True})
        for table, record_id, extra in (("signals", signal, ", domain, urgency, status"),
                                        ("ideas", idea, ", initiators_count, status, support")):
            values = ", 'both', 'normal', 'new'" if table == "signals" else ", 1, 'idea', '[]'"
            db.session.execute(text(
                f"INSERT INTO {table} (id, version, created_at, updated_at, has_conflict, deleted, change_seq, "
                f"created_by_id, title, description, photos{extra}) VALUES (:id, :v, :t, :t, :f, :f, 1, :u, 'T', "
                f"'', :photos{values})"), {**common, "id": ids(record_id), "photos": json.dumps([SHA])})
        db.session.execute(text(
            "INSERT INTO attachments (sha256, content_type, size_bytes, data, created_by_id, created_at) "
            "VALUES (:s, 'image/png', 1, :d, :u, :t)"), {**common, "s": SHA, "d": b"x"})
        payload = {"fields": {"title": "", "resident_contact": {"name": "Mevr. Jansen", "phone": "06"}}}
        db.session.execute(text(
            "INSERT INTO sync_quarantine (client_id, mutation_id, user_id, payload, errors, created_at) "
            "VALUES (:c, 1, :u, :p, :e, :t)"), {**common, "c": ids(uuid.uuid4()), "p": json.dumps(payload),
                                                 "e": json.dumps({"title": ["x"]})})
        db.session.commit()

        upgrade(directory=directory)

        for table in ("signals", "ideas"):
            occurred = db.session.execute(text(f"SELECT occurred_at, created_at FROM {table}")).one()
            assert occurred[0] == occurred[1]
        links = db.session.execute(text("SELECT entity, sha256, vouched FROM record_photos ORDER BY entity")).all()
        assert [(e, s, bool(v)) for e, s, v in links] == [("idea", SHA, False), ("signal", SHA, False)]
        assert db.session.execute(text("SELECT count(*) FROM attachment_uploads")).scalar() == 1
        kept = db.session.execute(text("SELECT payload FROM sync_quarantine")).scalar()
        kept = json.loads(kept) if isinstance(kept, str) else kept
        assert kept["fields"] == {"title": "", "resident_contact": "[verwijderd]"}
        db.session.remove()
        db.engine.dispose()
