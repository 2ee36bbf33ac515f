"""The field app's own point-in-polygon (app/static/pwa/geo.js) agrees with shapely on Assen's buurten.

The phone shows the buurt's name from the outlines it cached (`/api/v1/buurten?simplify=10`); the
server decides in the end. Run in Chromium on exactly those simplified outlines, the phone must name
the same buurt as shapely for random points, for a point in each buurt and for points in the holes
that some buurten have (a buurt lying inside another).
"""

from __future__ import annotations

import base64
import json

import numpy as np
import shapely
from shapely.geometry import mapping

from geo.buurten import read_buurten
from geo.simplify import simplify_metres
from tests.support import ASSEN, ROOT

GEO_JS = ROOT / "app" / "static" / "pwa" / "geo.js"


def _simplified_collection():
    features = read_buurten(ASSEN).features
    outlines = [(f.code, simplify_metres(f.geometry, 10)) for f in features]
    collection = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": mapping(geom), "properties": {"buurt_code": code}} for code, geom in outlines]}
    return outlines, json.loads(json.dumps(collection))


def test_field_app_point_in_polygon_agrees_with_shapely(browser):
    outlines, collection = _simplified_collection()
    geoms = np.array([g for _, g in outlines], dtype=object)
    codes = np.array([c for c, _ in outlines], dtype=object)
    holes = [shapely.Polygon(ring).representative_point() for g in geoms for p in g.geoms for ring in p.interiors]
    assert len(holes) >= 3  # the Assen file has buurten with holes: the test covers them
    rng = np.random.default_rng(15)
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    points = [*shapely.points(rng.uniform(x0, x1, 4000), rng.uniform(y0, y1, 4000)),
              *(g.representative_point() for g in geoms), *holes]

    # shapely's answer; points on or within ~1 cm of an edge, or where two simplified outlines
    # overlap, have no single answer and are left out.
    tree = shapely.STRtree(geoms)
    boundaries = shapely.STRtree(shapely.boundary(geoms))
    expected, probe, hole_probes = [], [], 0
    for i, point in enumerate(points):
        if len(boundaries.query(point, predicate="dwithin", distance=1e-7)):
            continue
        hits = tree.query(point, predicate="within")
        if len(hits) > 1:
            continue
        probe.append([point.x, point.y])
        hole_probes += i >= len(points) - len(holes)
        expected.append(codes[hits[0]] if len(hits) else None)
    assert sum(e is not None for e in expected) > 2000 and None in expected
    assert hole_probes == len(holes)

    module = "data:text/javascript;base64," + base64.b64encode(GEO_JS.read_bytes()).decode()
    page = browser.new_page()
    try:
        page.goto("about:blank")
        got = page.evaluate(
            """async ([url, collection, points]) => {
                const { indexBuurten, buurtAt } = await import(url);
                const index = indexBuurten(collection);
                return points.map(([lon, lat]) => buurtAt(index, lon, lat)?.buurt_code ?? null);
            }""",
            [module, collection, probe],
        )
    finally:
        page.close()
    mismatches = [(p, e, g) for p, e, g in zip(probe, expected, got, strict=True) if e != g]
    assert not mismatches, mismatches[:5]
