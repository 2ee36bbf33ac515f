"""Signals placed straight into the database for the map and list tests."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import Organisation, Signal

#: A box well inside Assen.
ASSEN_BBOX = (6.50, 52.96, 6.60, 53.02)


@pytest.fixture
def add_signals(app):
    """Insert `n` signals at random points in a box; keyword arguments set columns on all of them."""

    def add(n: int, bbox=ASSEN_BBOX, seed: int = 1, **columns) -> list[Signal]:
        rng = random.Random(seed)
        base = datetime(2026, 3, 1, 12, tzinfo=UTC)
        signals = []
        for i in range(n):
            lon = rng.uniform(bbox[0], bbox[2])
            lat = rng.uniform(bbox[1], bbox[3])
            values = {
                "id": uuid.UUID(int=rng.getrandbits(128)),
                "title": f"Signaal {i}",
                "theme": "groen",
                "domain": "physical",
                "urgency": "normal",
                "status": "new",
                "created_at": base + timedelta(hours=i),
                "updated_at": base + timedelta(hours=i),
                "location": f"SRID=4326;POINT({lon} {lat})",
                "accuracy_m": 5.0,
                "buurt_code": "BU01060000",
            }
            values.update(columns)
            signals.append(Signal(**values))
        db.session.add_all(signals)
        db.session.commit()
        return signals

    return add


@pytest.fixture
def organisation(app):
    """Return a function that gets or creates an organisation by name."""

    def get(name: str) -> Organisation:
        org = db.session.query(Organisation).filter_by(name=name).one_or_none()
        if org is None:
            org = Organisation(name=name, kind="other")
            db.session.add(org)
            db.session.commit()
        return org

    return get
