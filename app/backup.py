"""`flask --app wsgi backup PATH`: a consistent copy of the embedded SQLite database while it runs.

SQLite's online backup API copies the database page by page under its own locking, so gunicorn may
keep serving (and writing) meanwhile; the copy is the database as of one moment, with WAL content
included. It is written next to PATH and renamed into place only when complete. Restoring is copying
the file back while the app is stopped (docs/deploy.md). For PostgreSQL use pg_dump (docs/deploy.md).
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext

from app.database import sqlite_driver
from app.extensions import db


def backup_sqlite(destination: Path) -> int:
    """Copy the app's SQLite database to `destination` with the online backup API; return its size."""
    destination = destination.resolve()
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    source = db.engine.raw_connection()
    try:
        target = sqlite_driver().connect(str(partial))
        try:
            # 1,000 pages (4 MB) per step: writers get the database between steps.
            source.driver_connection.backup(target, pages=1000)
            (ok,) = target.execute("PRAGMA integrity_check").fetchone()
            if ok != "ok":
                raise click.ClickException(f"De kopie is niet in orde: {ok}")
        finally:
            target.close()
    finally:
        source.close()
    os.replace(partial, destination)
    return destination.stat().st_size


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def backup(path: Path) -> None:
    """Maak een consistente kopie van de SQLite-database naar PATH (mag tijdens gebruik)."""
    if db.engine.dialect.name != "sqlite":
        raise click.ClickException(
            "backup is voor de ingebouwde SQLite-database; maak van PostgreSQL een kopie met pg_dump "
            "(zie docs/deploy.md)."
        )
    size = backup_sqlite(path)
    click.echo(f"Kopie gemaakt: {path.resolve()} ({size:,} bytes)")


def init_app(app: Flask) -> None:
    """Register the backup command."""
    app.cli.add_command(backup)
