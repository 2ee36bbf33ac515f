"""The Muurtje Flask application factory."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from flask import Blueprint, Flask

import offline_sync  # noqa: F401 - first, so every schema gets Dutch validation messages
from app import errors, security_headers
from app.config import load_config
from app.database import begin_writes_immediately, configure_engine, engine_options
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
    app.json.sort_keys = False

    db.init_app(app)
    with app.app_context():
        for engine in db.engines.values():
            configure_engine(engine)
    app.before_request(begin_writes_immediately)  # first: before anything opens a read transaction
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    limiter.init_app(app)
    smorest_api.init_app(app)

    from app import auth, cli, notifications, public  # noqa: PLC0415 - these import models, which need the db

    auth.init_app(app)
    _register_blueprints(app)
    notifications.init_app(app)
    public.init_app(app)
    errors.init_app(app)
    security_headers.init_app(app)
    cli.init_app(app)
    return app


def _register_blueprints(app: Flask) -> None:
    """Register `blp` of every module in app.api and app.web (smorest ones with the OpenAPI spec)."""
    from flask_smorest import Blueprint as ApiBlueprint  # noqa: PLC0415

    for package in ("app.api", "app.web"):
        pkg = importlib.import_module(package)
        for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
            module = importlib.import_module(f"{package}.{info.name}")
            blueprint = getattr(module, "blp", None)
            if isinstance(blueprint, ApiBlueprint):
                smorest_api.register_blueprint(blueprint)
            elif isinstance(blueprint, Blueprint):
                app.register_blueprint(blueprint)
