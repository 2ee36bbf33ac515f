"""signal_grid_counts: triggers keep it exact, and low-zoom maps read from it give the raw query's answer."""

from __future__ import annotations

import math
import random
import uuid
from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest
from flask_login import login_user
from sqlalchemy import delete, func, insert, select, text, update

from app.extensions import db
from app.map import clustering
from app.map.filters import signal_conditions
from app.models import GRID_SCALE, Signal, SignalGridCount

#: A region of 16 x 13 fine cells around Assen.
REGION = (6.0, 52.5, 7.0, 53.3)
STATUSES = ("new", "picked_up", "in_progress", "done")


def _expected() -> dict:
    """Recount live located signals per fine cell, status and organisation, from the signals."""
    rows = db.session.execute(
        select(Signal.status, Signal.organisation_id, func.ST_X(Signal.location), func.ST_Y(Signal.location))
        .where(Signal.deleted.is_(False), Signal.location.is_not(None))
    )
    cells: dict = defaultdict(lambda: [0, 0.0, 0.0])
    for status, org, x, y in rows:
        cell = cells[(math.floor(x * GRID_SCALE), math.floor(y * GRID_SCALE), status, org)]
        cell[0] += 1
        cell[1] += x
        cell[2] += y
    return dict(cells)


def _assert_aggregate_exact() -> None:
    db.session.expire_all()
    stored = {
        (g.gx, g.gy, g.status, g.organisation_id): [g.count, g.sum_lon, g.sum_lat]
        for g in db.session.scalars(select(SignalGridCount))
    }
    expected = _expected()
    assert {k: v[0] for k, v in stored.items()} == {k: v[0] for k, v in expected.items()}
    for key, (_, sum_lon, sum_lat) in expected.items():
        assert stored[key][1] == pytest.approx(sum_lon, abs=1e-9) and stored[key][2] == pytest.approx(sum_lat, abs=1e-9)


def _point(lon: float, lat: float) -> str:
    return f"SRID=4326;POINT({lon!r} {lat!r})"


def _signal(rng: random.Random, i: int, lon: float, lat: float, **columns) -> Signal:
    created = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=i)
    values = {
        "id": uuid.UUID(int=rng.getrandbits(128)), "title": f"Signaal {i}", "theme": "groen", "domain": "physical",
        "urgency": rng.choice(("low", "normal", "high")), "status": rng.choice(STATUSES), "created_at": created,
        "updated_at": created, "location": _point(lon, lat), "accuracy_m": 5.0, "buurt_code": "BU01060000",
    }
    values.update(columns)
    return Signal(**values)


def test_triggers_keep_counts_exact_through_every_kind_of_write(app, organisation, dialect):
    actium, gemeente = organisation("Actium").id, organisation("Gemeente Assen").id
    rng = random.Random(5)
    signals = [_signal(rng, i, rng.uniform(6.45, 6.65), rng.uniform(52.95, 53.05),
                       organisation_id=rng.choice((None, actium, gemeente))) for i in range(60)]
    # Two in one fine cell with the same status and organisation, and one exactly on a cell corner.
    signals += [_signal(rng, 60, 6.5 + 1e-4, 53.0 + 1e-4, status="new", organisation_id=None),
                _signal(rng, 61, 6.5 + 2e-4, 53.0 + 2e-4, status="new", organisation_id=None),
                _signal(rng, 62, 6.5625, 53.0625, status="new")]
    db.session.add_all(signals)
    db.session.commit()
    _assert_aggregate_exact()
    assert db.session.scalar(select(func.sum(SignalGridCount.count))) == 63

    first, second, third, corner = signals[0], signals[60], signals[61], signals[62]
    first.status = "done" if first.status != "done" else "new"  # status change
    db.session.commit()
    _assert_aggregate_exact()
    second.location = _point(6.61, 52.97)  # move to another cell
    third.organisation_id = actium  # organisation change
    db.session.commit()
    _assert_aggregate_exact()
    corner.deleted = True  # soft delete: the cell's row goes away
    db.session.commit()
    _assert_aggregate_exact()
    assert db.session.scalar(select(func.count()).where(SignalGridCount.gx == 105, SignalGridCount.gy == 849)) == 0
    corner.deleted = False  # back from the dead
    signals[1].location = None  # no location: not counted
    db.session.commit()
    _assert_aggregate_exact()
    db.session.delete(signals[2])  # hard delete
    db.session.execute(update(Signal).where(Signal.status == "picked_up").values(status="in_progress"))  # bulk
    db.session.execute(insert(Signal), [  # Core executemany, as the sync engine writes
        {"id": uuid.uuid4(), "title": "Bulk", "description": "", "domain": "social", "urgency": "low",
         "status": "new", "photos": [], "version": 1, "has_conflict": False, "deleted": False, "change_seq": 0,
         "created_at": datetime(2026, 4, 1, tzinfo=UTC), "updated_at": datetime(2026, 4, 1, tzinfo=UTC),
         "location": _point(6.5 + k / 100, 53.0), "organisation_id": gemeente} for k in range(5)])
    db.session.commit()
    _assert_aggregate_exact()
    db.session.execute(delete(Signal).where(Signal.organisation_id == gemeente))
    db.session.commit()
    _assert_aggregate_exact()
    assert db.session.scalar(select(func.count()).select_from(SignalGridCount)) > 0
    if dialect == "postgis":  # TRUNCATE fires no row triggers; a statement trigger empties the table
        db.session.execute(text("TRUNCATE signals CASCADE"))
    else:
        db.session.execute(delete(Signal))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SignalGridCount)) == 0


def _random_signals(rng: random.Random, orgs: list) -> list[Signal]:
    """Random points, dense spots, lone signals, points on fine-cell lines, tombstones, no location."""
    signals = []
    for i in range(500):
        kind = rng.random()
        if kind < 0.5:
            lon, lat = rng.uniform(REGION[0], REGION[2]), rng.uniform(REGION[1], REGION[3])
        elif kind < 0.8:
            lon, lat = 6.55 + rng.gauss(0, 0.02), 53.0 + rng.gauss(0, 0.02)
        else:  # exactly on fine-cell lines, where the half-open edges matter
            lon = rng.randrange(96, 112) / GRID_SCALE
            lat = rng.randrange(840, 852) / GRID_SCALE if rng.random() < 0.7 else rng.uniform(52.5, 53.3)
        extra = {"organisation_id": rng.choice([None, *orgs])}
        if rng.random() < 0.05:
            extra["deleted"] = True
        if rng.random() < 0.03:
            extra["location"] = None
        signals.append(_signal(rng, i, lon, lat, **extra))
    return signals


def _random_view(rng: random.Random, points: list[tuple[float, float]]) -> tuple[tuple, int]:
    def edge(low: float, high: float) -> float:
        choice = rng.random()
        if choice < 0.3:
            return rng.randrange(math.ceil(low * GRID_SCALE), math.floor(high * GRID_SCALE) + 1) / GRID_SCALE
        return rng.uniform(low, high)

    min_lon = edge(5.95, 6.9)
    min_lat = edge(52.45, 53.2)
    max_lon = edge(min_lon + 0.01, min_lon + 1.2)
    max_lat = edge(min_lat + 0.01, min_lat + 0.9)
    if rng.random() < 0.2 and points:  # a bbox edge exactly through a signal
        lon, lat = rng.choice(points)
        if lon > min_lon and lat > min_lat:
            max_lon, max_lat = lon, lat
    return (min_lon, min_lat, max_lon, max_lat), rng.randint(4, 10)


def _random_filters(rng: random.Random, orgs: list) -> dict:
    filters: dict = {}
    if rng.random() < 0.5:
        filters["status"] = rng.sample(STATUSES, rng.randint(1, 3))
    if rng.random() < 0.3:
        filters["organisation"] = rng.sample(orgs, rng.randint(1, 2))
    if rng.random() < 0.3:
        filters["mine"] = True
    return filters


def _normalised(collection: dict) -> tuple[list, list]:
    features = collection["features"]
    clusters = sorted((f["properties"]["count"], *f["geometry"]["coordinates"])
                      for f in features if f["properties"]["cluster"])
    singles = sorted((f["properties"]["id"], tuple(f["geometry"]["coordinates"]),
                      tuple(sorted(f["properties"].items()))) for f in features if not f["properties"]["cluster"])
    return clusters, singles


def test_aggregate_path_equals_raw_query_on_random_data(app, organisation, make_user, monkeypatch):
    orgs = [organisation(name).id for name in ("Actium", "Gemeente Assen", "ICARE")]
    rng = random.Random(20261128)
    signals = _random_signals(rng, orgs)
    points = [tuple(float(v) for v in s.location[len("SRID=4326;POINT("):-1].split()) for s in signals if s.location]
    db.session.add_all(signals)
    db.session.commit()
    _assert_aggregate_exact()
    users = [make_user("team", organisation="Actium")[0], make_user("manager")[0]]

    used = []
    real = clustering._aggregate_cells
    monkeypatch.setattr(clustering, "_aggregate_cells", lambda *a, **kw: used.append(1) or real(*a, **kw))
    dialect = db.session.get_bind().dialect.name
    compared = with_singles = 0
    for _ in range(60):
        bbox, zoom = _random_view(rng, points)
        filters = {"bbox": bbox, **_random_filters(rng, orgs)}
        with app.test_request_context():
            login_user(rng.choice(users))
            conditions = signal_conditions(filters, dialect)
            raw = clustering.cluster_signals(db.session, conditions, bbox, zoom)
            before = len(used)
            fast = clustering.cluster_signals(db.session, conditions, bbox, zoom, filters=filters, dialect=dialect)
        if clustering._inner_fine_cells(bbox) is None:
            assert len(used) == before, "a bbox without whole fine cells is answered by the raw query"
        else:
            assert len(used) == before + 1, "the aggregate was not used"
            compared += 1
        assert fast["total"] == raw["total"], (bbox, zoom, filters)
        raw_clusters, raw_singles = _normalised(raw)
        fast_clusters, fast_singles = _normalised(fast)
        assert fast_singles == raw_singles, (bbox, zoom, filters)
        assert [c[0] for c in fast_clusters] == [c[0] for c in raw_clusters], (bbox, zoom, filters)
        for a, b in zip(fast_clusters, raw_clusters, strict=True):
            assert a[1:] == pytest.approx(b[1:], abs=2e-6), (bbox, zoom, filters)
        with_singles += bool(raw_singles)
    assert compared >= 30 and with_singles >= 10, (compared, with_singles)


def test_map_api_reads_the_aggregate_only_for_filters_it_can_answer(api, add_signals, monkeypatch):
    add_signals(40, bbox=(6.40, 52.90, 6.70, 53.10), status="new")
    (lone,) = add_signals(1, bbox=(6.90, 53.20, 6.91, 53.21), seed=7, status="done", title="Alleen")
    used = []
    real = clustering._aggregate_cells
    monkeypatch.setattr(clustering, "_aggregate_cells", lambda *a, **kw: used.append(1) or real(*a, **kw))
    team = api("team")
    query = {"bbox": "6.0,52.5,7.5,53.5", "zoom": 8}
    body = team.get("/api/v1/map/signals", query_string=query).get_json()
    assert body["total"] == 41 and len(used) == 1
    singles = [f["properties"] for f in body["features"] if not f["properties"]["cluster"]]
    assert singles == [{"cluster": False, "count": 1, "id": str(lone.id), "title": "Alleen", "status": "done",
                        "urgency": "normal"}]
    assert team.get("/api/v1/map/signals", query_string={**query, "status": "done"}).get_json()["total"] == 1
    assert len(used) == 2
    assert team.get("/api/v1/map/signals", query_string={**query, "theme": "groen"}).get_json()["total"] == 41
    assert len(used) == 2, "a theme filter cannot be answered by the aggregate"
    zoomed = {"bbox": "6.4,52.9,6.7,53.1", "zoom": 12}
    assert team.get("/api/v1/map/signals", query_string=zoomed).get_json()["total"] == 40
    assert len(used) == 2, "zoom 12 cells are finer than the aggregate's"
