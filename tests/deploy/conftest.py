"""One production stack (nginx, two app nodes, PostGIS primary + streaming replica, Redis) per module."""

from __future__ import annotations

import pytest

from tests.deploy.stack import Stack, env_has_nginx

# The replica applies WAL 4 s late, so that read-your-writes is tested against a real lag.
REPLICA_DELAY_MS = 4000


@pytest.fixture(scope="module")
def stack():
    if not env_has_nginx():
        pytest.fail("tests/deploy need Debian's nginx (scripts/system-deps.sh test) and root")
    running = Stack(apply_delay_ms=REPLICA_DELAY_MS).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def people(stack):
    """Users on the stack's database: (email, password) per role."""
    from app import create_app
    from app.accounts.users import create_user
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": stack.pg.primary_url})
    made = {}
    with app.app_context():
        for role, buurten in (("field_worker", ["BU01060001"]), ("manager", []), ("team", [])):
            email, password = f"{role}@deploy.muurtje.local", f"wachtwoord-{role}-deploy"
            create_user(email, f"Deploy {role}", role, "Actium" if role == "team" else None, buurten, password)
            made[role] = (email, password)
        for i in range(8):
            email, password = f"device{i}@deploy.muurtje.local", f"wachtwoord-device-{i}"
            create_user(email, f"Apparaat {i}", "field_worker", None, ["BU01060001"], password)
            made[f"device{i}"] = (email, password)
        db.session.commit()
        db.engine.dispose()
    return made
