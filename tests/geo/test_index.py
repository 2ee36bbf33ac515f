"""Tests for BuurtIndex: containment, the shared-edge rule, GPS snapping, NaN."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.buurten import BuurtFeature, read_buurten
from geo.index import MAX_ACCURACY_M, BuurtIndex
from geo.simplify import simplify_metres

ASSEN = Path(__file__).resolve().parents[2] / "data" / "assen-buurten.geojson"
TO_RD = pyproj.Transformer.from_crs(4326, 28992, always_xy=True)
FROM_RD = pyproj.Transformer.from_crs(28992, 4326, always_xy=True)
GEOD = pyproj.Geod(ellps="WGS84")

FEATURES = read_buurten(ASSEN).features
INDEX = BuurtIndex(FEATURES)
REVERSED = BuurtIndex(FEATURES[::-1])
GEOMS = np.array([f.geometry for f in FEATURES])
CODES = np.array([f.code for f in FEATURES])
BBOX = shapely.total_bounds(GEOMS)


def rd(geom: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(geom, lambda xy: np.column_stack(TO_RD.transform(*xy.T)))


RD_GEOMS = rd(GEOMS)


def covering_codes(lon: float, lat: float) -> list[str]:
    """Brute force: every code whose polygon covers the point, sorted."""
    return sorted(CODES[shapely.covers(GEOMS, shapely.Point(lon, lat))])


def both(index: BuurtIndex, lon: float, lat: float, accuracy: float | None = None) -> str | None:
    """Look a point up both ways and insist they agree."""
    one = index.lookup(lon, lat, accuracy)
    many = index.lookup_many(np.array([lon]), np.array([lat]), accuracy)
    assert many.dtype == object and many.shape == (1,)
    assert many[0] == one
    return one


def test_every_representative_point_maps_to_its_own_buurt() -> None:
    points = [f.geometry.representative_point() for f in FEATURES]
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    assert len(INDEX) == 109
    assert list(INDEX.lookup_many(lon, lat)) == list(CODES)
    assert [INDEX.lookup(x, y) for x, y in zip(lon, lat, strict=True)] == list(CODES)


def test_codes_are_sorted_whatever_the_input_order() -> None:
    assert INDEX.codes == sorted(CODES) == REVERSED.codes


def shared_edge_points() -> list[tuple[float, float, list[str]]]:
    """Midpoints of shared edges that lie exactly on both neighbours' boundary."""
    tree = shapely.STRtree(GEOMS)
    found = []
    for i, j in zip(*tree.query(GEOMS, predicate="touches"), strict=True):
        if i >= j:
            continue
        shared = shapely.intersection(GEOMS[i].boundary, GEOMS[j].boundary)
        coords = shapely.get_coordinates(shared)
        for a, b in zip(coords[:-1], coords[1:], strict=True):
            x, y = (a + b) / 2
            # Only midpoints that floating point puts exactly on the edge count.
            if len(codes := covering_codes(x, y)) == 2:
                found.append((x, y, codes))
    return found


def test_point_on_a_shared_assen_edge_maps_to_the_lowest_code() -> None:
    points = shared_edge_points()
    assert len(points) >= 10
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    expected = [p[2][0] for p in points]
    for index in (INDEX, REVERSED):
        assert list(index.lookup_many(lon, lat)) == expected
        assert [both(index, x, y) for x, y in zip(lon, lat, strict=True)] == expected


def test_vertex_shared_by_three_assen_buurten_maps_to_the_lowest_code() -> None:
    coords = np.unique(shapely.get_coordinates(GEOMS), axis=0)
    triples = [(x, y) for x, y in coords if len(covering_codes(x, y)) >= 3]
    assert len(triples) >= 10
    for x, y in triples:
        expected = covering_codes(x, y)[0]
        assert both(INDEX, x, y) == expected
        assert both(REVERSED, x, y) == expected


def squares(origin: tuple[float, float], codes: list[str]) -> list[tuple[str, shapely.Geometry]]:
    """Return a 2x2 block of squares, 0.01 degree each, labelled in row order."""
    x0, y0 = origin
    d = 0.01
    boxes = [
        shapely.box(x0, y0, x0 + d, y0 + d),
        shapely.box(x0 + d, y0, x0 + 2 * d, y0 + d),
        shapely.box(x0, y0 + d, x0 + d, y0 + 2 * d),
        shapely.box(x0 + d, y0 + d, x0 + 2 * d, y0 + 2 * d),
    ]
    return list(zip(codes, boxes, strict=True))


@pytest.mark.parametrize("order", [slice(None), slice(None, None, -1)])
def test_synthetic_squares_edge_and_corner(order: slice) -> None:
    # Codes deliberately not in geometric order: the highest code is bottom left.
    pairs = squares((6.5, 52.9), ["BU00000004", "BU00000002", "BU00000003", "BU00000001"])
    index = BuurtIndex(pairs[order])
    # Vertical edge between bottom-left (4) and bottom-right (2).
    assert both(index, 6.51, 52.905) == "BU00000002"
    # Horizontal edge between bottom-left (4) and top-left (3).
    assert both(index, 6.505, 52.91) == "BU00000003"
    # The centre vertex is shared by all four.
    assert both(index, 6.51, 52.91) == "BU00000001"
    # Outer corner belongs to the one square only.
    assert both(index, 6.5, 52.9) == "BU00000004"


def test_accepts_features_and_rejects_duplicate_codes() -> None:
    geom = shapely.MultiPolygon([shapely.box(6.5, 52.9, 6.51, 52.91)])
    feature = BuurtFeature("BU00000001", "Een", None, None, None, None, geom)
    assert both(BuurtIndex([feature]), 6.505, 52.905) == "BU00000001"
    with pytest.raises(ValueError, match="duplicate"):
        BuurtIndex([("BU00000001", geom), ("BU00000001", geom)])


def test_empty_index_finds_nothing() -> None:
    index = BuurtIndex([])
    assert len(index) == 0
    assert both(index, 6.5, 52.9, 40) is None


def outside_point(metres: float) -> tuple[float, float, str]:
    """Return a point ``metres`` due east of Assen's easternmost vertex, and its buurt.

    Every point of Assen lies west of that vertex, so in RD the point is exactly
    ``metres`` from Assen and that vertex is the nearest point.
    """
    rd_geoms = RD_GEOMS
    coords = shapely.get_coordinates(rd_geoms)
    x, y = coords[np.argmax(coords[:, 0])]
    px, py = x + metres, y
    distances = shapely.distance(rd_geoms, shapely.Point(px, py))
    assert distances.min() == pytest.approx(metres, abs=1e-6)
    nearest = sorted(CODES[distances <= distances.min() + 1e-6])[0]
    lon, lat = FROM_RD.transform(px, py)
    # Cross-check the offset on the ellipsoid: RD's scale error is tiny here.
    vlon, vlat = FROM_RD.transform(x, y)
    assert GEOD.inv(vlon, vlat, lon, lat)[2] == pytest.approx(metres, rel=1e-3)
    assert covering_codes(lon, lat) == []
    return lon, lat, nearest


@pytest.mark.parametrize(
    ("metres", "accuracy", "snaps"),
    [
        (30, 40, True),
        (30, 20, False),
        (30, None, False),
        (30, 0, False),
        (30, float("nan"), False),
        (45, 500, True),  # 500 is capped at 50 ...
        (60, 500, False),  # ... so 60 m is too far
        (49, float("inf"), True),
    ],
)
def test_gps_snapping(metres: float, accuracy: float | None, snaps: bool) -> None:
    lon, lat, nearest = outside_point(metres)
    expected = nearest if snaps else None
    assert both(INDEX, lon, lat, accuracy) == expected
    assert both(REVERSED, lon, lat, accuracy) == expected


def test_per_point_accuracy_in_lookup_many() -> None:
    lon30, lat30, nearest = outside_point(30)
    inside = shapely.point_on_surface(GEOMS[0])
    lon = np.array([lon30, lon30, lon30, inside.x])
    lat = np.array([lat30, lat30, lat30, inside.y])
    accuracy = np.array([40.0, 20.0, np.nan, 0.0])
    got = INDEX.lookup_many(lon, lat, accuracy)
    assert list(got) == [nearest, None, None, CODES[0]]


def test_snapping_outside_the_netherlands_uses_local_metres() -> None:
    # Berlin: not RD territory, the index must pick a local metric CRS.
    pairs = squares((13.40, 52.50), ["BU00000001", "BU00000002", "BU00000003", "BU00000004"])
    index = BuurtIndex(pairs)
    lon, lat, _ = GEOD.fwd(13.40, 52.505, 270, 30)  # 30 m west of the west edge
    assert both(index, lon, lat) is None
    assert both(index, lon, lat, 40) == "BU00000001"
    assert both(index, lon, lat, 25) is None


def test_points_outside_everything_and_non_finite_are_none() -> None:
    lon = np.array([np.nan, np.inf, 6.5, -np.inf, 0.0, 170.0])
    lat = np.array([52.9, 52.9, np.nan, np.inf, 0.0, -80.0])
    assert list(INDEX.lookup_many(lon, lat, 50.0)) == [None] * 6
    for x, y in zip(lon, lat, strict=True):
        assert INDEX.lookup(x, y, 50.0) is None


def test_lookup_many_keeps_the_input_shape() -> None:
    points = shapely.point_on_surface(GEOMS[:6])
    lon = shapely.get_x(points).reshape(2, 3)
    lat = shapely.get_y(points).reshape(2, 3)
    got = INDEX.lookup_many(lon, lat)
    assert got.shape == (2, 3)
    assert list(got.ravel()) == list(CODES[:6])


margin = 0.01
coordinate = st.tuples(
    st.floats(BBOX[0] - margin, BBOX[2] + margin),
    st.floats(BBOX[1] - margin, BBOX[3] + margin),
)
accuracy = st.one_of(st.none(), st.sampled_from([0.0, 5.0, 40.0, 100.0]))


@settings(max_examples=200, deadline=None)
@given(points=st.lists(coordinate, min_size=1, max_size=50), accuracy=accuracy)
def test_lookup_equals_lookup_many_and_brute_force(points: list[tuple[float, float]], accuracy: float | None) -> None:
    lon = np.array([p[0] for p in points])
    lat = np.array([p[1] for p in points])
    many = INDEX.lookup_many(lon, lat, accuracy)
    cap = min(accuracy or 0.0, MAX_ACCURACY_M)
    for x, y, got in zip(lon, lat, many, strict=True):
        assert INDEX.lookup(x, y, accuracy) == got
        covering = covering_codes(x, y)
        if covering:
            assert got == covering[0]
        else:
            distances = shapely.distance(RD_GEOMS, rd(shapely.Point(x, y)))
            if got is None:
                assert cap == 0 or distances.min() > cap
            else:
                # Snapped: it must be a nearest buurt within the capped accuracy.
                assert distances.min() <= cap
                assert got == sorted(CODES[distances == distances.min()])[0]


def test_simplify_metres_keeps_a_valid_multipolygon() -> None:
    for geom in GEOMS[:20]:
        simple = simplify_metres(geom, 100)
        assert simple.geom_type == "MultiPolygon"
        assert simple.is_valid and not simple.is_empty
        # Simplification moves the outline by at most about the tolerance.
        assert shapely.hausdorff_distance(rd(simple), rd(geom)) <= 100 * 1.05


def test_simplify_metres_drops_detail_below_the_tolerance() -> None:
    # A square with a 2 m notch on one side: 10 m tolerance removes the notch.
    lon0, lat0 = 6.5, 52.9
    x0, y0 = TO_RD.transform(lon0, lat0)
    ring_rd = [(0, 0), (500, 0), (500, 250), (498, 250), (498, 252), (500, 252), (500, 500)]
    ring_rd += [(0, 500), (0, 0)]
    ring = [FROM_RD.transform(x0 + dx, y0 + dy) for dx, dy in ring_rd]
    simple = simplify_metres(shapely.Polygon(ring), 10)
    assert len(shapely.get_coordinates(simple)) == 5
    assert simplify_metres(shapely.Polygon(ring), 0.5).equals(shapely.MultiPolygon([shapely.Polygon(ring)]))
