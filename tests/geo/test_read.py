"""Tests for reading buurt files: formats, CRSs, property names, repair and errors."""

from __future__ import annotations

import copy
import gzip
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import pytest
import shapely

from geo.buurten import BuurtFileError, read_buurten

ASSEN = Path(__file__).resolve().parents[2] / "data" / "assen-buurten.geojson"
TO_RD = pyproj.Transformer.from_crs(4326, 28992, always_xy=True)


@pytest.fixture(scope="module")
def assen_doc() -> dict[str, Any]:
    return json.loads(ASSEN.read_bytes())


def as_bytes(doc: dict[str, Any]) -> io.BytesIO:
    return io.BytesIO(json.dumps(doc).encode())


def to_rd(coords: Any) -> Any:
    """Reproject nested GeoJSON coordinates from lon/lat to RD New."""
    arr = np.asarray(coords, dtype=float)
    x, y = TO_RD.transform(arr[..., 0], arr[..., 1])
    return np.stack([x, y], axis=-1).tolist()


def rd_doc(doc: dict[str, Any], crs_name: str | None) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    for feature in out["features"]:
        geom = feature["geometry"]
        geom["coordinates"] = [[to_rd(ring) for ring in poly] for poly in geom["coordinates"]]
    if crs_name is not None:
        out["crs"] = {"type": "name", "properties": {"name": crs_name}}
    return out


def feature(code: str | None, coords: Any, geom_type: str = "Polygon", **props: Any) -> dict:
    properties = {"buurtcode": code, "buurtnaam": f"Buurt {code}", **props}
    geometry = None if coords is None else {"type": geom_type, "coordinates": coords}
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def square(x: float, y: float, size: float = 0.01) -> list:
    return [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]]


def collection(*features: dict) -> io.BytesIO:
    return as_bytes({"type": "FeatureCollection", "features": list(features)})


def test_reads_the_assen_file() -> None:
    result = read_buurten(ASSEN)
    assert len(result.features) == 109
    assert result.repaired == []
    assert result.srid == 4326
    assert len({f.code for f in result.features}) == 109
    for f in result.features:
        assert f.geometry.geom_type == "MultiPolygon"
        assert f.geometry.is_valid and not f.geometry.is_empty
        assert f.gemeente_code == "GM0106" and f.gemeente_name == "Assen"
        assert f.wijk_code == "WK" + f.code[2:8]
    by_code = {f.code: f for f in result.features}
    assert by_code["BU01060000"].name == "Brinkkwartier"
    assert by_code["BU01060000"].wijk_name == "Wijk 00 Assen centrum"


def test_reads_gzip_from_path_and_file_object(tmp_path: Path) -> None:
    packed = gzip.compress(ASSEN.read_bytes())
    path = tmp_path / "assen.geojson.gz"
    path.write_bytes(packed)
    plain = [f.code for f in read_buurten(ASSEN).features]
    assert [f.code for f in read_buurten(path).features] == plain
    assert [f.code for f in read_buurten(str(path)).features] == plain
    assert [f.code for f in read_buurten(io.BytesIO(packed)).features] == plain


@pytest.mark.parametrize(
    ("crs_name", "srid"),
    [
        ("urn:ogc:def:crs:EPSG::28992", None),
        ("EPSG:28992", None),
        (None, None),  # detected from the coordinate ranges
        (None, 28992),  # given by the caller
    ],
)
def test_rd_file_matches_the_wgs84_file(assen_doc: dict, crs_name: str | None, srid: int | None) -> None:
    wgs84 = read_buurten(ASSEN).features
    result = read_buurten(as_bytes(rd_doc(assen_doc, crs_name)), srid=srid)
    assert result.srid == 28992
    assert [f.code for f in result.features] == [f.code for f in wgs84]
    for rd, orig in zip(result.features, wgs84, strict=True):
        assert rd.geometry.geom_type == "MultiPolygon"
        assert rd.geometry.is_valid
        # Compare in metres: both back in RD, every vertex within 0.5 m.
        a = shapely.transform(rd.geometry, lambda xy: np.column_stack(TO_RD.transform(*xy.T)))
        b = shapely.transform(orig.geometry, lambda xy: np.column_stack(TO_RD.transform(*xy.T)))
        assert shapely.hausdorff_distance(a, b) < 0.5


@pytest.mark.parametrize(
    "crs_name",
    ["urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4326", "urn:ogc:def:crs:EPSG::4326"],
)
def test_declared_wgs84(assen_doc: dict, crs_name: str) -> None:
    doc = dict(assen_doc, crs={"type": "name", "properties": {"name": crs_name}})
    result = read_buurten(as_bytes(doc))
    assert result.srid == 4326
    assert len(result.features) == 109


def test_unsupported_crs_is_rejected(assen_doc: dict) -> None:
    doc = dict(assen_doc, crs={"type": "name", "properties": {"name": "EPSG:3857"}})
    with pytest.raises(BuurtFileError, match="3857"):
        read_buurten(as_bytes(doc))


@pytest.mark.parametrize("how", ["crs member", "srid argument"])
def test_rd_coordinates_in_a_file_claimed_as_wgs84(assen_doc: dict, how: str) -> None:
    doc = copy.deepcopy(assen_doc)
    rd = rd_doc(assen_doc, None)
    # Two features slipped in with RD coordinates; the rest are fine.
    for i in (3, 7):
        doc["features"][i]["geometry"] = rd["features"][i]["geometry"]
    bad = [doc["features"][i]["properties"]["buurtcode"] for i in (3, 7)]
    if how == "crs member":
        doc["crs"] = {"type": "name", "properties": {"name": "EPSG:4326"}}
        kwargs: dict[str, Any] = {}
    else:
        kwargs = {"srid": 4326}
    with pytest.raises(BuurtFileError) as info:
        read_buurten(as_bytes(doc), **kwargs)
    assert len(info.value.problems) == 2
    for code, problem in zip(bad, info.value.problems, strict=True):
        assert problem.startswith(code)
        assert "EPSG:4326" in problem


def test_degree_coordinates_in_a_file_claimed_as_rd(assen_doc: dict) -> None:
    doc = rd_doc(assen_doc, "EPSG:28992")
    doc["features"][5]["geometry"] = assen_doc["features"][5]["geometry"]
    code = assen_doc["features"][5]["properties"]["buurtcode"]
    with pytest.raises(BuurtFileError) as info:
        read_buurten(as_bytes(doc))
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith(code)
    assert "EPSG:28992" in info.value.problems[0]


def test_bow_tie_is_repaired_and_reported() -> None:
    bow_tie = [[[6.50, 52.90], [6.51, 52.91], [6.51, 52.90], [6.50, 52.91], [6.50, 52.90]]]
    result = read_buurten(collection(feature("BU01069901", bow_tie), feature("BU01069902", square(6.6, 52.9))))
    assert [f.code for f in result.features] == ["BU01069901", "BU01069902"]
    repaired = result.features[0].geometry
    assert repaired.geom_type == "MultiPolygon" and repaired.is_valid
    assert len(repaired.geoms) == 2
    assert repaired.area == pytest.approx(0.5 * 0.01 * 0.01)
    assert len(result.repaired) == 1
    assert result.repaired[0].startswith("BU01069901: ")
    assert "Self-intersection" in result.repaired[0]


def test_polygon_becomes_multipolygon_and_3d_is_flattened() -> None:
    ring = [[x, y, 12.0] for x, y in square(6.5, 52.9)[0]]
    result = read_buurten(collection(feature("BU01069901", [ring])))
    geom = result.features[0].geometry
    assert geom.geom_type == "MultiPolygon"
    assert not geom.has_z


def test_every_bad_feature_is_reported_and_nothing_is_returned() -> None:
    line = [[6.5, 52.9], [6.6, 52.9]]
    zero_area = [[[6.5, 52.9], [6.6, 52.9], [6.7, 52.9], [6.5, 52.9]]]
    source = collection(
        feature("BU01069901", square(6.50, 52.9)),  # fine
        feature(None, square(6.52, 52.9)),  # feature #2: no code
        feature("BU01069903", None),  # null geometry
        feature("BU01069904", [[["a", "b"], [1, 2], [3, 4], ["a", "b"]]]),  # unparsable
        feature("BU01069901", square(6.54, 52.9)),  # duplicate code
        feature("BU01069906", line, geom_type="LineString"),  # not polygonal
        feature("BU01069907", zero_area),  # repairs to nothing polygonal
        feature("BU01069908", []),  # empty
    )
    with pytest.raises(BuurtFileError) as info:
        read_buurten(source)
    problems = info.value.problems
    assert len(problems) == 7, problems
    expected = [
        "object #2",
        "BU01069903",
        "BU01069904",
        "BU01069901",
        "BU01069906",
        "BU01069907",
        "BU01069908",
    ]
    for prefix, problem in zip(expected, problems, strict=True):
        assert problem.startswith(prefix + ":"), problem
    assert "dubbele buurtcode" in problems[3]
    assert isinstance(info.value, ValueError)


def test_empty_collection_is_an_error() -> None:
    with pytest.raises(BuurtFileError, match="geen buurten"):
        read_buurten(collection())


@pytest.mark.parametrize("data", [b"not json", b"[1, 2]", b'{"type": "Feature"}'])
def test_not_a_feature_collection_is_an_error(data: bytes) -> None:
    with pytest.raises(BuurtFileError):
        read_buurten(io.BytesIO(data))


def test_cbs_property_names_are_accepted_case_insensitively() -> None:
    source = collection(
        {
            "type": "Feature",
            "properties": {
                "BU_CODE": "BU03630001",
                "BU_NAAM": "Kop Zeedijk",
                "WK_CODE": "WK036300",
                "WK_NAAM": "Burgwallen-Oude Zijde",
                "GM_CODE": "GM0363",
                "GM_NAAM": "Amsterdam",
            },
            "geometry": {"type": "Polygon", "coordinates": square(4.90, 52.37)},
        },
        {
            "type": "Feature",
            "properties": {"bu_code": "BU03630002", "Bu_Naam": "Oude Kerk e.o."},
            "geometry": {"type": "Polygon", "coordinates": square(4.92, 52.37)},
        },
    )
    first, second = read_buurten(source).features
    assert (first.code, first.name, first.wijk_code, first.wijk_name) == (
        "BU03630001",
        "Kop Zeedijk",
        "WK036300",
        "Burgwallen-Oude Zijde",
    )
    assert (first.gemeente_code, first.gemeente_name) == ("GM0363", "Amsterdam")
    # Wijk and gemeente codes derived from the buurt code when absent.
    assert (second.code, second.name) == ("BU03630002", "Oude Kerk e.o.")
    assert (second.wijk_code, second.gemeente_code) == ("WK036300", "GM0363")
    assert second.wijk_name is None and second.gemeente_name is None
