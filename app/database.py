"""Engine set-up for the two supported databases: SQLite + SpatiaLite and PostgreSQL + PostGIS."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from geoalchemy2 import alembic_helpers
from geoalchemy2.admin.dialects.sqlite import init_spatialite
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

SPATIALITE_CANDIDATES = (
    "mod_spatialite",
    "/usr/lib/x86_64-linux-gnu/mod_spatialite.so",
    "/usr/lib/aarch64-linux-gnu/mod_spatialite.so",
    "/opt/homebrew/lib/mod_spatialite.dylib",
    "/usr/local/lib/mod_spatialite.dylib",
)
BUSY_TIMEOUT_MS = 30_000


class SQLiteWithoutExtensions(RuntimeError):
    """Raised when no SQLite driver in this Python can load SpatiaLite."""


def sqlite_driver(stdlib=sqlite3):
    """Return a DB-API module for SQLite that can load extensions.

    The stdlib module is used when its SQLite was built with extension loading (Debian's python3,
    Homebrew's); otherwise the `pysqlite3` wheel (`pysqlite3-binary`, installed by requirements.txt on
    Linux x86_64 only), which bundles a SQLite that can. Without either: a clear error at start.
    """
    if hasattr(stdlib.Connection, "enable_load_extension"):
        return stdlib
    try:
        import pysqlite3.dbapi2  # noqa: PLC0415 - only needed where the stdlib lacks the feature
    except ImportError:
        raise SQLiteWithoutExtensions(
            "This Python's sqlite3 module cannot load extensions (SpatiaLite), and pysqlite3 is not "
            "installed (its wheel, pysqlite3-binary, exists for Linux x86_64 only). Use a Python whose "
            "sqlite3 can load extensions (Debian's python3, Homebrew's python, or pyenv built with "
            "PYTHON_CONFIGURE_OPTS=--enable-loadable-sqlite-extensions), or use PostgreSQL + PostGIS "
            "(DATABASE_URL=postgresql://...)."
        ) from None
    return pysqlite3.dbapi2


def engine_options(database_uri: str) -> dict:
    """Return SQLAlchemy engine options for the database URI."""
    if database_uri.startswith("sqlite"):
        return {
            "module": sqlite_driver(),
            "connect_args": {"timeout": BUSY_TIMEOUT_MS / 1000, "isolation_level": None},
        }
    return {"pool_pre_ping": True}


def _load_spatialite(dbapi_conn) -> None:
    dbapi_conn.enable_load_extension(True)
    errors = []
    candidates = [os.environ["SPATIALITE_LIBRARY_PATH"]] if os.environ.get("SPATIALITE_LIBRARY_PATH") else []
    for path in candidates + list(SPATIALITE_CANDIDATES):
        try:
            dbapi_conn.load_extension(path)
            break
        except Exception as exc:  # noqa: BLE001 - the driver raises its own OperationalError class
            errors.append(f"{path}: {exc}")
    else:
        raise RuntimeError("SpatiaLite could not be loaded: " + "; ".join(errors))
    dbapi_conn.enable_load_extension(False)


def configure_engine(engine: Engine) -> None:
    """Install per-connection set-up: SpatiaLite, WAL, busy timeout, foreign keys, BEGIN mode."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        _load_spatialite(dbapi_conn)
        dbapi_conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        dbapi_conn.execute("PRAGMA foreign_keys = ON")
        if engine.url.database not in (None, "", ":memory:"):
            dbapi_conn.execute("PRAGMA journal_mode = WAL")
            dbapi_conn.execute("PRAGMA synchronous = NORMAL")
        init_spatialite(dbapi_conn, transaction=True, init_mode="WGS84")

    # The driver runs in autocommit mode (isolation_level=None) so that we emit BEGIN ourselves:
    # a plain deferred BEGIN for readers, BEGIN IMMEDIATE for writers that must not fail with
    # SQLITE_BUSY when upgrading a read snapshot to a write lock.
    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = "IMMEDIATE" if conn.get_execution_options().get("sqlite_immediate") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def writes_late(view):
    """Mark a writing view that takes the write lock itself, only around its writes.

    Such a view does its slow work first (scrypt at sign-in, re-encoding a photo) and then writes in
    `write_transaction`, so that other writers do not wait for that work on SQLite. Put it above the
    view's other decorators.
    """
    view.writes_late = True
    return view


def begin_writes_immediately() -> None:
    """Start the transaction of a writing request (POST, PUT, PATCH, DELETE) with the write lock.

    On SQLite a transaction that reads first and writes later fails at once with SQLITE_BUSY when
    another gunicorn worker committed in between; taking the lock at BEGIN makes it wait (busy
    timeout) instead. Registered as the first before_request hook, before anything touches the
    session. Views marked `writes_late` take the lock themselves. A no-op on PostgreSQL.
    """
    from flask import request  # noqa: PLC0415 - only this hook needs Flask here

    from app.extensions import db  # noqa: PLC0415

    writing = request.method in {"POST", "PUT", "PATCH", "DELETE"}
    # A session already in a transaction only happens when tests share one app context with requests.
    if (writing and db.engine.dialect.name == "sqlite" and not db.session().in_transaction()
            and not _view_writes_late(request)):
        db.session.connection(execution_options={"sqlite_immediate": True})


def _view_writes_late(request) -> bool:
    """Return whether the view that will handle the request is marked `writes_late`."""
    from flask import current_app  # noqa: PLC0415

    view = current_app.view_functions.get(request.endpoint)
    view_class = getattr(view, "view_class", None)
    handler = getattr(view_class, request.method.lower(), None) if view_class is not None else view
    return getattr(handler, "writes_late", False)


READ_AFTER_LSN = "read_after_lsn"
WRITING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def reads_from_replica(view):
    """Run a read-only view's queries on the read replica (DATABASE_REPLICA_URL) when configured.

    For views whose answer may lag the primary by replication delay: reports, exports, the map and
    lists. Sync pull stays on the primary, so a phone always sees its own push in its next pull.
    Read-your-writes: after a person's own write (remember_write_position) their reads stay on the
    primary until the replica has replayed that write.
    """
    from functools import wraps  # noqa: PLC0415

    from flask import g, session  # noqa: PLC0415

    @wraps(view)
    def wrapped(*args, **kwargs):
        lsn = session.get(READ_AFTER_LSN)
        if lsn is None or _replica_has_replayed(lsn):
            g.use_replica = True
            session.pop(READ_AFTER_LSN, None)
        return view(*args, **kwargs)

    return wrapped


def _replica_has_replayed(lsn: str) -> bool:
    """Whether the replica has replayed the primary's WAL up to `lsn` (true when it is no standby)."""
    from app.extensions import db  # noqa: PLC0415

    replica = db.engines.get("replica")
    if replica is None:
        return True
    with replica.connect() as conn:
        return bool(conn.execute(
            text("SELECT coalesce(pg_last_wal_replay_lsn() >= CAST(:lsn AS pg_lsn), true)"), {"lsn": lsn}
        ).scalar())


def remember_write_position(response):
    """After a successful write of a signed-in browser session, keep the primary's WAL position.

    Registered as an after_request hook when a PostgreSQL replica is configured. The position is
    the primary's WAL insert position after the view committed, so it covers this person's write (also
    with synchronous_commit off, where the written position may lag the commit record); their
    next replica-routed read waits for nothing, it simply goes to the primary until the replica has
    replayed that far. Device-token clients (the PWA) are not tracked: their sync pull reads the
    primary anyway, and they carry no session.
    """
    from flask import g, request, session  # noqa: PLC0415

    from app.extensions import db  # noqa: PLC0415

    if request.method in WRITING_METHODS and response.status_code < 400 and not g.get("auth_via_token"):
        with db.engine.connect() as conn:
            session[READ_AFTER_LSN] = conn.execute(text("SELECT pg_current_wal_insert_lsn()::text")).scalar()
    return response


def read_engine():
    """Return the engine read-only streaming work should use: the replica if this request may."""
    from flask import g, has_app_context  # noqa: PLC0415

    from app.extensions import db  # noqa: PLC0415

    if has_app_context() and g.get("use_replica"):
        return db.engines.get("replica", db.engine)
    return db.engine


@contextmanager
def write_transaction(session: Session) -> Iterator[Session]:
    """Run a block in a fresh transaction that holds the write lock from its start.

    On SQLite this is BEGIN IMMEDIATE; on PostgreSQL an ordinary transaction (row locks do the rest).
    Commits on success, rolls back on error.
    """
    if session.in_transaction():
        session.commit()
    if session.get_bind().dialect.name == "sqlite":
        session.connection(execution_options={"sqlite_immediate": True})
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


def include_in_migrations(obj, name, obj_type, reflected, compare_to) -> bool:
    """Tell Alembic what to compare: leave the spatial extensions' own tables alone, never drop a
    table we do not model."""
    if obj_type == "table" and reflected and compare_to is None:
        return False
    return alembic_helpers.include_object(obj, name, obj_type, reflected, compare_to)
