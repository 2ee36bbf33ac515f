"""Buurten in the database: API, lookup rules, and agreement between BuurtIndex and ST_Contains."""

from __future__ import annotations

import json

import numpy as np
import pytest
from geoalchemy2.shape import to_shape
from sqlalchemy import select, text

from app.buurten.importer import buurt_index
from app.extensions import db
from app.models import Buurt
from geo.buurten import read_buurten
from tests.support import ASSEN


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
