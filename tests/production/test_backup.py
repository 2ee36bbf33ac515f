"""Backups and tested restores: SQLite's online backup (`flask backup PATH`), PostgreSQL's pg_dump.

The restore steps are the ones docs/deploy.md gives.
"""

from __future__ import annotations

import shutil
import subprocess

from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.models import User
from tests.support import create_postgis_database, drop_postgis_database


def _users(url: str) -> set[str]:
    restored = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with restored.app_context():
        emails = set(db.session.scalars(db.select(User.email)))
        buurten = db.session.execute(text("SELECT count(*) FROM buurten")).scalar_one()
        db.engine.dispose()
    assert buurten == 109
    return emails


def test_backup_and_restore(app, runner, make_user, dialect, tmp_path):
    before, _ = make_user("team", email="voor-de-kopie@muurtje.local")
    if dialect == "sqlite":
        copy = tmp_path / "muurtje-backup.sqlite"
        result = runner.invoke(args=["backup", str(copy)])
        assert result.exit_code == 0, result.output
        assert "Kopie gemaakt" in result.output
        make_user("team", email="na-de-kopie@muurtje.local")
        # Restore (docs/deploy.md): with the app stopped, copy the file over the database.
        restored = tmp_path / "restored" / "muurtje.sqlite"
        restored.parent.mkdir()
        shutil.copyfile(copy, restored)
        emails = _users(f"sqlite:///{restored}")
    else:
        result = runner.invoke(args=["backup", str(tmp_path / "x.sqlite")])
        assert result.exit_code != 0 and "pg_dump" in result.output
        dump = tmp_path / "muurtje.dump"
        source = app.config["SQLALCHEMY_DATABASE_URI"].replace("+psycopg", "")
        subprocess.run(["pg_dump", "--format=custom", "--file", str(dump), source], check=True)
        make_user("team", email="na-de-kopie@muurtje.local")
        target = create_postgis_database()  # an empty database with the postgis extension, as in deploy.md
        try:
            subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", "--dbname",
                            target.replace("+psycopg", ""), str(dump)], check=True, capture_output=True)
            emails = _users(target)
        finally:
            drop_postgis_database(target)
    assert before.email in emails and "na-de-kopie@muurtje.local" not in emails

