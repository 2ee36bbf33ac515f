"""The Muurtje Flask application factory."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app import errors, request_limits, security_headers, serving
from app.config import load_config
from app.database import begin_writes_immediately, configure_engine, engine_options, remember_write_position
from app.extensions import api as smorest_api
from app.extensions import db, limiter, migrate

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(test_config: dict | None = None) -> Flask:
    """Create and configure the app; `test_config` overrides environment settings."""
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_config(app.instance_path, test_config))
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    if replica := app.config["DATABASE_REPLICA_URL"]:
        app.config["SQLALCHEMY_BINDS"] = {"replica": {"url": replica, **engine_options(replica)}}
        if replica.startswith("postgresql"):
            app.after_request(remember_write_position)  # read-your-writes (app.database)
    app.json.sort_keys = False

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            configure_engine(engine)
    app.before_request(begin_writes_immediately)  # first: before anything opens a read transaction
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    limiter.init_app(app)
    smorest_api.init_app(app)

    from app import backup, cli, notifications, public  # noqa: PLC0415 - these import models, which need the db
    from app.accounts import auth  # noqa: PLC0415

    request_limits.init_app(app)
    auth.init_app(app)
    _register_blueprints(app)
    notifications.init_app(app)
    public.init_app(app)
    errors.init_app(app)
    security_headers.init_app(app)
    serving.init_app(app)
    cli.init_app(app)
    backup.init_app(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """Register every blueprint: the JSON API ones with flask-smorest (so they are in the OpenAPI
    document), the pages with Flask."""
    from app import health, vocabulary  # noqa: PLC0415 - views import models, which need the db object
    from app.accounts import api as accounts_api  # noqa: PLC0415
    from app.accounts import organisations, pages, themes  # noqa: PLC0415
    from app.beheer import api as beheer_api  # noqa: PLC0415
    from app.beheer import buurten as beheer_buurten  # noqa: PLC0415
    from app.beheer import pages as beheer_pages  # noqa: PLC0415
    from app.beheer import password_page  # noqa: PLC0415
    from app.budget import api as budget_api  # noqa: PLC0415
    from app.budget import ideas_map  # noqa: PLC0415
    from app.budget import pages as budget_pages  # noqa: PLC0415
    from app.buurten import api as buurten_api  # noqa: PLC0415
    from app.field import pwa, vendor  # noqa: PLC0415
    from app.map import api as map_api  # noqa: PLC0415
    from app.map import pages as map_pages  # noqa: PLC0415
    from app.map import signals  # noqa: PLC0415
    from app.records import api as records_api  # noqa: PLC0415
    from app.reports import api as reports_api  # noqa: PLC0415
    from app.reports import buurt_report, dashboard, exports_api  # noqa: PLC0415
    from app.sync import api as sync_api  # noqa: PLC0415
    from app.sync import attachments  # noqa: PLC0415

    for module in (accounts_api, organisations, themes, buurten_api, records_api, sync_api, attachments,
                   signals, map_api, reports_api, exports_api, beheer_api, budget_api, ideas_map):
        smorest_api.register_blueprint(module.blp)
    for module in (pages, map_pages, dashboard, buurt_report, beheer_buurten, beheer_pages, password_page,
                   budget_pages, pwa, vendor, vocabulary, health):
        app.register_blueprint(module.blp)
