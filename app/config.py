"""Configuration from the environment, with safe defaults only for development."""

from __future__ import annotations

import os
from pathlib import Path

ROLES = ("field_worker", "team", "manager", "admin")


class ConfigError(RuntimeError):
    """Raised at start-up when production configuration is missing."""


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(instance_path: str, test_config: dict | None = None) -> dict:
    """Build the Flask config from the environment and an optional test override."""
    env = os.environ
    muurtje_env = env.get("MUURTJE_ENV", "development")
    default_db = "sqlite:///" + str(Path(instance_path) / "muurtje.sqlite")
    config = {
        "MUURTJE_ENV": muurtje_env,
        "SQLALCHEMY_DATABASE_URI": _normalise_db_url(env.get("DATABASE_URL", default_db)),
        "SECRET_KEY": env.get("SECRET_KEY"),
        # Optional read replica of the primary, for read-only views (reports, exports, map, lists).
        "DATABASE_REPLICA_URL": _normalise_db_url(replica) if (replica := env.get("DATABASE_REPLICA_URL")) else None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), muurtje_env == "production"),
        "REMEMBER_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), muurtje_env == "production"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "MAX_CONTENT_LENGTH": 11 * 1024 * 1024,
        # memory:// counts per worker process; redis://host:6379/0 shares limits across workers and machines.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", "muurtje"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute"),
        "DEVICE_TOKEN_DAYS": int(env.get("DEVICE_TOKEN_DAYS", "90")),
        "CONTACT_RETENTION_DAYS": int(env.get("CONTACT_RETENTION_DAYS", "365")),
        "TILE_URL": env.get(
            "TILE_URL",
            "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png",
        ),
        # The tiles' own credit; maps that draw buurt outlines add the buurten's (Bron: CBS / Kadaster)
        # from the `attribution` member of /api/v1/buurten.
        "TILE_ATTRIBUTION": env.get("TILE_ATTRIBUTION", "Kaart: PDOK BRT-Achtergrondkaart"),
        # A deployment's release name; it changes the PWA's version even when no shell file changed.
        "RELEASE": env.get("MUURTJE_RELEASE", ""),
        # How many proxies in front of the app may set X-Forwarded-For/-Proto/-Host/-Port (0: none).
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        # On PostgreSQL the database renders the pull feed's records as JSON (app/sync/pg_wire.py); off: Python.
        "PULL_RENDERED_BY_DATABASE": _bool(env.get("PULL_RENDERED_BY_DATABASE"), True),
        "TRUSTED_ORIGINS": [o for o in env.get("TRUSTED_ORIGINS", "").split(",") if o],
        "API_TITLE": "Muurtje API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }
    if test_config:
        config.update(test_config)
    if not config["SECRET_KEY"]:
        if config["MUURTJE_ENV"] == "production":
            raise ConfigError("SECRET_KEY must be set when MUURTJE_ENV=production")
        config["SECRET_KEY"] = _development_secret(instance_path)
    return config


def _normalise_db_url(url: str) -> str:
    """Let `postgres://` and `postgresql://` URLs use the psycopg 3 driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _development_secret(instance_path: str) -> str:
    """Keep a random development secret in the instance folder so sessions survive restarts."""
    path = Path(instance_path) / "dev-secret-key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(os.urandom(32).hex())
        path.chmod(0o600)
    return path.read_text().strip()
