"""Fixtures for the report tests: two organisations with a team member each, and seeded records."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Buurt
from tests.reports.seed import seed_records

UNKNOWN_CODE = "BU99999999"


@pytest.fixture
def buurt_codes(app) -> list[str]:
    return list(db.session.scalars(select(Buurt.code).order_by(Buurt.code).limit(6)))


@pytest.fixture
def world(app, make_user, buurt_codes):
    """Seed records over six buurten, no buurt and an unknown code; return what was seeded."""
    actium, _ = make_user("team", organisation="Actium")
    gemeente, _ = make_user("team", organisation="Gemeente Assen")
    organisations = {"Actium": actium.organisation_id, "Gemeente Assen": gemeente.organisation_id}
    users = {"Actium": actium.id, "Gemeente Assen": gemeente.id}
    codes = [*buurt_codes, buurt_codes[0], buurt_codes[1], None, UNKNOWN_CODE]
    seeded = seed_records(codes, organisations, users)
    return {"seeded": seeded, "known": set(db.session.scalars(select(Buurt.code))), "organisations": organisations}
