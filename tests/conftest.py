"""Fixtures: every test that uses `app` runs on SQLite + SpatiaLite and on PostgreSQL + PostGIS.

With MUURTJE_REQUIRE_ALL_DBS=1 (set by `make test` and CI) a database that is unavailable, or any
skipped test, is a failure instead of a skip.
"""

from __future__ import annotations

import os

import pytest
from flask import g
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import func, select, text

from app import create_app
from app.extensions import db
from tests.support import ASSEN, ApiClient, LiveServer, create_postgis_database, drop_postgis_database

STRICT = os.environ.get("MUURTJE_REQUIRE_ALL_DBS") == "1"

# Property tests: `ci` (the default, what `make test` runs) and `thorough` for a long run before a release:
# MUURTJE_HYPOTHESIS_PROFILE=thorough .venv/bin/pytest tests/hostile/test_fuzz_fields.py tests/sync/test_property.py
_PROPERTY_SETTINGS = {"deadline": None, "database": None,
                      "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                HealthCheck.data_too_large]}
hypothesis_settings.register_profile("ci", max_examples=25, **_PROPERTY_SETTINGS)
hypothesis_settings.register_profile("thorough", max_examples=500, **_PROPERTY_SETTINGS)
hypothesis_settings.load_profile(os.environ.get("MUURTJE_HYPOTHESIS_PROFILE", "ci"))
DIALECTS = ("sqlite", "postgis")
_PRISTINE_BUURTEN: dict[str, tuple] = {}
KEEP_TABLES = {"buurten", "themes", "sync_sequence", "spatial_ref_sys"}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In strict mode a skipped test fails: a database that did not run is not a pass."""
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"skipped test is a failure when MUURTJE_REQUIRE_ALL_DBS=1: {report.longrepr}"


def _prepare(url: str) -> None:
    """Migrate a database and load Assen's buurten and the default themes."""
    from flask_migrate import upgrade

    from app.accounts.themes import ensure_default_themes
    from app.buurten.importer import import_buurten
    from geo.buurten import read_buurten

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        import_buurten(read_buurten(ASSEN).features)
        ensure_default_themes()
        db.session.commit()
        _PRISTINE_BUURTEN[url] = _buurten_revision()
        db.engine.dispose()


@pytest.fixture(scope="session", params=DIALECTS)
def database_url(request, tmp_path_factory):
    """A migrated database with Assen's buurten, one per dialect for the whole run."""
    if request.param == "sqlite":
        url = "sqlite:///" + str(tmp_path_factory.mktemp("sqlite") / "muurtje.sqlite")
        _prepare(url)
        yield url
        return
    try:
        url = create_postgis_database()
    except Exception as exc:  # noqa: BLE001 - any failure to reach PostgreSQL means: not available
        if STRICT:
            pytest.fail(f"PostGIS is required but unavailable: {exc}")
        pytest.skip(f"PostGIS unavailable: {exc}")
    try:
        _prepare(url)
        yield url
    finally:
        drop_postgis_database(url)


@pytest.fixture
def dialect(database_url) -> str:
    return "sqlite" if database_url.startswith("sqlite") else "postgis"


@pytest.fixture
def app(database_url):
    """A fresh app on the session database; data tables are emptied after each test."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "LOGIN_RATE_LIMIT": "1000 per minute"})
    # First of all hooks: the CSRF check reads current_user, which must not be the previous request's.
    app.before_request_funcs.setdefault(None, []).insert(0, _forget_previous_request)
    with app.app_context():
        yield app
        db.session.rollback()
        _clean(database_url)
        db.session.remove()
        db.engine.dispose()


def _forget_previous_request() -> None:
    """Drop per-request state from `g`.

    The fixture keeps one app context pushed for the whole test so tests can use the database;
    Flask then reuses that context (and its `g`) for every request, so the user flask-login cached
    for one client would leak into the next request of another client.
    """
    for key in ("_login_user", "auth_via_token", "device_token_id", "auth_refusal"):
        g.pop(key, None)


def _clean(database_url: str) -> None:
    tables = [t for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES]
    if database_url.startswith("sqlite"):
        for table in reversed(tables):
            db.session.execute(table.delete())
    else:
        db.session.execute(text("TRUNCATE " + ", ".join(t.name for t in tables) + " RESTART IDENTITY CASCADE"))
    if _buurten_revision() != _PRISTINE_BUURTEN.get(database_url):
        from app.buurten.importer import import_buurten
        from geo.buurten import read_buurten

        import_buurten(read_buurten(ASSEN).features, replace=True)
        db.session.commit()
        _PRISTINE_BUURTEN[database_url] = _buurten_revision()
    db.session.commit()


def _buurten_revision() -> tuple:
    """Fingerprint the buurten table, so a test that re-imported them gets Assen back afterwards."""
    from app.models import Buurt

    return tuple(db.session.execute(select(func.count(), func.max(Buurt.updated_at))).one())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):
    """Create a user and return (user, password)."""
    from app.accounts.users import create_user

    counter = iter(range(10_000))

    def make(
        role: str = "field_worker",
        buurten: list[str] | None = None,
        organisation: str | None = None,
        email: str | None = None,
        name: str | None = None,
    ):
        n = next(counter)
        email = email or f"{role}{n}@test.muurtje.local"
        password = f"wachtwoord-{role}-{n}"
        user = create_user(email, name or f"Test {role} {n}", role, organisation, buurten or [], password)
        db.session.commit()
        return user, password

    return make


@pytest.fixture
def api(app, make_user):
    """Return a factory of signed-in ApiClients: api("team", organisation="Actium")."""

    def signed_in(role: str = "field_worker", **kwargs) -> ApiClient:
        user, password = make_user(role, **kwargs)
        client = ApiClient(app.test_client())
        client.login(user.email, password)
        client.db_user = user
        return client

    return signed_in


@pytest.fixture
def live_server(database_url):
    """gunicorn with 2 workers on loopback, against the session database."""
    server = LiveServer(database_url).start()
    yield server
    server.stop()


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (the system's) per test process, shared by every browser test.

    Playwright's sync API allows one running instance per thread, so the browser tests of all
    folders must share this one.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
