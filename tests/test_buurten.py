"""Buurten in the database: API, lookup rules, and agreement between BuurtIndex and ST_Contains."""

from __future__ import annotations

import io
import json
import uuid

import numpy as np
import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import select, text

from app.buurten.importer import SIMPLIFY_STEPS, buurt_index, cached_collections, simplify_step
from app.extensions import db
from app.models import Buurt, Signal
from geo.buurten import read_buurten
from tests.support import ASSEN, GROWING_BUURT, SHRINKING_BUURT, assen_with_moved_boundary
from tests.sync.helpers import new_id, pull_all, push, upsert


def test_buurten_geojson(api):
    client = api("field_worker")
    response = client.get("/api/v1/buurten")
    assert response.status_code == 200
    body = response.get_json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 109
    props = body["features"][0]["properties"]
    assert set(props) >= {"buurt_code", "buurt_name", "wijk_code", "wijk_name"}
    assert body["attribution"] == "Bron: CBS / Kadaster"


def test_buurten_simplify_makes_lighter_geometry(api):
    client = api("team")
    full = client.get("/api/v1/buurten").get_data()
    light = client.get("/api/v1/buurten?simplify=50").get_data()
    assert len(light) < len(full)
    assert len(json.loads(light)["features"]) == 109
    assert client.get("/api/v1/buurten?simplify=abc").status_code == 400
    assert client.get("/api/v1/buurten?simplify=-1").status_code == 400


def test_lookup_known_points(api):
    client = api("field_worker")
    for feature in read_buurten(ASSEN).features[:15]:
        point = feature.geometry.representative_point()
        response = client.get(f"/api/v1/buurten/lookup?lat={point.y}&lon={point.x}")
        assert response.status_code == 200
        body = response.get_json()
        assert body["buurt_code"] == feature.code and body["buurt_name"] == feature.name
        assert body["wijk_code"] == feature.wijk_code


@pytest.mark.parametrize(
    "query",
    [
        "lat=abc&lon=6.5",
        "lat=NaN&lon=6.5",
        "lat=53&lon=nan",
        "lat=91&lon=6.5",
        "lat=53&lon=181",
        "lon=6.5",
        "lat=53",
        "",
        "lat=53&lon=6.5&accuracy_m=-3",
        "lat=inf&lon=6.5",
    ],
)
def test_lookup_bad_parameters_are_400_problem(api, query):
    response = api("field_worker").get(f"/api/v1/buurten/lookup?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["errors"]


def test_lookup_outside_every_buurt_is_404_problem(api):
    response = api("field_worker").get("/api/v1/buurten/lookup?lat=52.37&lon=4.89")  # Amsterdam
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_lookup_snaps_within_gps_accuracy(api):
    client = api("field_worker")
    features = read_buurten(ASSEN).features
    # The westernmost vertex of the gemeente, and a point about 20 m further west (outside).
    x0, y0, code = min(
        ((x, y, f.code) for f in features for poly in f.geometry.geoms for x, y in poly.exterior.coords),
        key=lambda v: v[0],
    )
    outside_lon = x0 - 20 / (111_320 * np.cos(np.radians(y0)))
    far = client.get(f"/api/v1/buurten/lookup?lat={y0}&lon={outside_lon}")
    assert far.status_code == 404
    near = client.get(f"/api/v1/buurten/lookup?lat={y0}&lon={outside_lon}&accuracy_m=40")
    assert near.status_code == 200
    assert near.get_json()["buurt_code"] == code
    too_far = client.get(f"/api/v1/buurten/lookup?lat={y0}&lon={outside_lon}&accuracy_m=10")
    assert too_far.status_code == 404


def test_index_agrees_with_database_st_contains(app, dialect):
    """10,000 random points in Assen's bounding box map identically in Python and in SQL."""
    rng = np.random.default_rng(2026)
    minx, miny, maxx, maxy = buurt_index_bounds()
    lon = rng.uniform(minx, maxx, 10_000)
    lat = rng.uniform(miny, maxy, 10_000)
    expected = buurt_index().lookup_many(lon, lat)

    db.session.execute(
        text("CREATE TEMPORARY TABLE probe (i INTEGER PRIMARY KEY, x DOUBLE PRECISION, y DOUBLE PRECISION)")
    )
    db.session.execute(
        text("INSERT INTO probe (i, x, y) VALUES (:i, :x, :y)"),
        [{"i": i, "x": float(x), "y": float(y)} for i, (x, y) in enumerate(zip(lon, lat))],
    )
    if dialect == "postgis":
        sql = """SELECT p.i, min(b.code) FROM probe p JOIN buurten b
                 ON ST_Contains(b.geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326)) GROUP BY p.i"""
    else:
        sql = """SELECT p.i, min(b.code) FROM probe p JOIN buurten b
                 ON b.ROWID IN (SELECT ROWID FROM SpatialIndex WHERE f_table_name = 'buurten'
                                AND f_geometry_column = 'geom' AND search_frame = MakePoint(p.x, p.y, 4326))
                 AND ST_Contains(b.geom, MakePoint(p.x, p.y, 4326)) GROUP BY p.i"""
    found = dict(db.session.execute(text(sql)).all())
    db.session.execute(text("DROP TABLE probe"))
    actual = [found.get(i) for i in range(len(lon))]
    mismatches = [(i, expected[i], actual[i]) for i in range(len(lon)) if expected[i] != actual[i]]
    assert not mismatches, mismatches[:10]
    assert sum(c is not None for c in actual) > 5_000  # most of the box is covered: the test has teeth


def buurt_index_bounds() -> tuple[float, float, float, float]:
    """Return the bounding box of all buurten in the database (computed from their geometries)."""
    import shapely

    geoms = [to_shape(g) for g in db.session.scalars(select(Buurt.geom))]
    return tuple(shapely.total_bounds(geoms))


def test_every_representative_point_in_database(app):
    rows = db.session.execute(select(Buurt.code, Buurt.geom)).all()
    index = buurt_index()
    for code, geom in rows:
        point = to_shape(geom).representative_point()
        assert index.lookup(point.x, point.y) == code


# --- Import: plan, apply, records carried to phones (issue 9 items 6-8) -----------------------------


def _moved_file() -> tuple[bytes, dict]:
    doc, (lon, lat) = assen_with_moved_boundary()
    return json.dumps(doc).encode(), {"lat": lat, "lon": lon, "accuracy_m": 5.0}


def _push_signal_with_followup(worker, location: dict) -> str:
    signal_id = new_id()
    push(worker, new_id(), [
        upsert(1, "signal", signal_id, {"title": "Hek kapot", "theme": "openbare_ruimte", "domain": "physical",
                                         "location": location}),
        upsert(2, "followup", new_id(), {"parent_entity": "signal", "parent_id": signal_id, "text": "Gebeld"}),
    ])
    return signal_id


def _import(admin, data: bytes, **query):
    url = "/api/v1/buurten/import?" + "&".join(f"{k}={str(v).lower()}" for k, v in query.items())
    return admin.post(url, data={"file": (io.BytesIO(data), "assen-gewijzigd.geojson")},
                      content_type="multipart/form-data")


def test_import_moves_records_to_every_phone(api):
    """A record that an import moves gets a new version and sequence: pulls carry it, history notes it."""
    data, location = _moved_file()
    worker = api("field_worker", buurten=[SHRINKING_BUURT])
    signal_id = _push_signal_with_followup(worker, location)
    newcomer = api("field_worker", buurten=[GROWING_BUURT])
    team = api("team")
    _, worker_cursor, _ = pull_all(worker)
    _, newcomer_cursor, _ = pull_all(newcomer)
    _, team_cursor, _ = pull_all(team)
    before = api("admin").get(f"/api/v1/signals/{signal_id}").get_json()
    assert before["buurt_code"] == SHRINKING_BUURT and before["version"] == 1

    admin = api("admin")
    dry = _import(admin, data, dry_run=True)
    assert dry.status_code == 200, dry.get_json()
    assert dry.get_json() == {"added": 0, "removed": 0, "changed": 2, "records_remapped": 2, "problems": []}
    assert pull_all(team, team_cursor)[0] == []  # a dry run changes nothing
    assert db.session.get(Buurt, SHRINKING_BUURT) is not None

    applied = _import(admin, data, dry_run=False)
    assert applied.get_json() == dry.get_json()

    changes, _, reset = pull_all(team, team_cursor)
    assert not reset
    moved = {c["entity"]: c["record"] for c in changes}
    assert set(moved) == {"signal", "followup"}
    assert moved["signal"]["buurt_code"] == GROWING_BUURT and moved["signal"]["version"] == 2
    assert moved["followup"]["buurt_code"] == GROWING_BUURT
    # A field worker of the buurt it moved to gets it in an incremental pull ...
    changes, _, reset = pull_all(newcomer, newcomer_cursor)
    assert not reset and {c["entity"] for c in changes} == {"signal", "followup"}
    # ... and one of the buurt it left (here also its author) starts over, so no stale copy remains.
    changes, _, reset = pull_all(worker, worker_cursor)
    assert reset and signal_id in {c["id"] for c in changes}

    history = admin.get(f"/api/v1/signals/{signal_id}/history").get_json()["history"]
    last = history[-1]
    assert last["version"] == 2 and last["user"] is None and last["source"] == "buurten_import"
    assert last["changes"] == {"buurt_code": [SHRINKING_BUURT, GROWING_BUURT]}

    # The same file again changes nothing and moves nothing.
    again = _import(admin, data, dry_run=False).get_json()
    assert again == {"added": 0, "removed": 0, "changed": 0, "records_remapped": 0, "problems": []}

    # Each applied import is in the admin audit log with who did it and what it changed; the dry run is not.
    audit = admin.get("/api/v1/admin/audit?kind=admin_action").get_json()["items"]
    imports = [item for item in audit if item["action"] == "buurten.import"]
    assert len(imports) == 2
    assert imports[-1]["actor"]["id"] == admin.user["id"]
    assert imports[-1]["after"]["changed"] == 2 and imports[-1]["after"]["records_remapped"] == 2


def test_cli_import_moves_records_like_the_api(runner, api, tmp_path):
    data, location = _moved_file()
    worker = api("field_worker", buurten=[SHRINKING_BUURT])
    signal_id = _push_signal_with_followup(worker, location)
    path = tmp_path / "gewijzigd.geojson"
    path.write_bytes(data)
    dry = runner.invoke(args=["buurten", "import", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "Proefimport, niets veranderd" in dry.output, dry.output
    assert "2 records zouden naar een andere buurt gaan" in dry.output
    db.session.rollback()
    assert db.session.get(Signal, uuid.UUID(signal_id)).buurt_code == SHRINKING_BUURT
    result = runner.invoke(args=["buurten", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "2 gewijzigd" in result.output and "2 records opnieuw aan een buurt gekoppeld" in result.output
    db.session.rollback()
    signal = db.session.get(Signal, uuid.UUID(signal_id))
    assert signal.buurt_code == GROWING_BUURT and signal.version == 2


def test_import_replace_counts_added_and_removed(api):
    doc = json.loads(ASSEN.read_text())
    removed = doc["features"].pop(0)["properties"]["buurtcode"]
    extra = json.loads(json.dumps(doc["features"][0]))
    extra["properties"]["buurtcode"] = "BU01069999"
    extra["geometry"] = {"type": "Polygon", "coordinates": [[[6.70, 52.90], [6.71, 52.90], [6.71, 52.91],
                                                             [6.70, 52.90]]]}
    doc["features"].append(extra)
    admin = api("admin")
    keep = _import(admin, json.dumps(doc).encode(), dry_run=True)
    assert keep.get_json()["added"] == 1 and keep.get_json()["removed"] == 0
    body = _import(admin, json.dumps(doc).encode(), dry_run=False, replace=True).get_json()
    assert (body["added"], body["removed"], body["changed"]) == (1, 1, 0)
    db.session.rollback()
    assert db.session.get(Buurt, removed) is None and db.session.get(Buurt, "BU01069999") is not None


def test_simplify_cache_is_bounded(api):
    """Any number of distinct ?simplify= values fills at most one cache entry per allowed step."""
    client = api("team")
    for i in range(300):
        assert client.get(f"/api/v1/buurten?simplify={i * 16.7 + 0.3:.3f}").status_code == 200
    assert cached_collections() <= len(SIMPLIFY_STEPS)
    assert client.get("/api/v1/buurten?simplify=10").get_data() == client.get(
        "/api/v1/buurten?simplify=19.99").get_data()
    assert client.get("/api/v1/buurten?simplify=0.5").get_data() == client.get("/api/v1/buurten").get_data()


@pytest.mark.parametrize(("asked", "served"), [(None, 0), (0, 0), (0.9, 0), (1, 1), (9.99, 5), (10, 10),
                                                (4999, 2000), (5000, 5000)])
def test_simplify_steps(asked, served):
    assert simplify_step(asked) == served
