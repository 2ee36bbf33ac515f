"""Read buurt boundary files (GeoJSON, plain or gzip, EPSG:4326 or RD New)."""

from __future__ import annotations

import gzip
import json
import os
import re
from dataclasses import dataclass, field
from typing import IO, Any

import numpy as np
import pyproj
import shapely
from shapely.errors import GEOSException

WGS84 = 4326
RD_NEW = 28992

# Declared CRSs we accept, mapped to the one we treat them as. ETRS89 differs
# from WGS84 by well under a metre in NL, far below the precision of buurt
# boundaries; EPSG:7415 is RD New + NAP height, whose horizontal part is RD New.
_CRS_ALIASES = {4326: WGS84, 4258: WGS84, 28992: RD_NEW, 7415: RD_NEW}

# Generous envelope of RD New coordinates (the official domain is roughly
# x -7,000..300,000 and y 289,000..629,000); anything outside is not RD.
_RD_DOMAIN = (-50_000.0, 250_000.0, 350_000.0, 700_000.0)
_DEGREE_DOMAIN = (-180.0, -90.0, 180.0, 90.0)

# Property names: the data/ files and older CBS years use the long lowercase
# names, newer CBS years the short uppercase ones. Keys are compared lowercased.
_CODE_KEYS = ("buurtcode", "bu_code")
_NAME_KEYS = ("buurtnaam", "bu_naam")
_WIJK_CODE_KEYS = ("wijkcode", "wk_code")
_WIJK_NAME_KEYS = ("wijknaam", "wk_naam")
_GEMEENTE_CODE_KEYS = ("gemeentecode", "gm_code")
_GEMEENTE_NAME_KEYS = ("gemeentenaam", "gm_naam")

_BUURT_CODE = re.compile(r"^BU(\d{4})(\d{2})(\d{2})$")


@dataclass(frozen=True)
class BuurtFeature:
    """One buurt: its CBS codes and names and its EPSG:4326 MultiPolygon."""

    code: str
    name: str
    wijk_code: str | None
    wijk_name: str | None
    gemeente_code: str | None
    gemeente_name: str | None
    geometry: shapely.MultiPolygon


class BuurtFileError(ValueError):
    """Report every problem found in a buurt file; nothing of it may be imported."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        shown = "; ".join(self.problems[:10])
        more = f" (and {len(self.problems) - 10} more)" if len(self.problems) > 10 else ""
        super().__init__(f"{len(self.problems)} problem(s) in buurt file: {shown}{more}")


@dataclass
class ReadResult:
    """Hold the features read from a buurt file and what was repaired in them."""

    features: list[BuurtFeature]
    repaired: list[str]
    # The CRS the file's coordinates were in (given, declared or detected);
    # the features themselves are always EPSG:4326.
    srid: int = field(default=WGS84)


def read_buurten(source: str | os.PathLike[str] | IO[bytes], srid: int | None = None) -> ReadResult:
    """Read a GeoJSON FeatureCollection of buurten into EPSG:4326 features.

    ``source`` is a path or a binary file object; gzip is detected by its magic
    bytes. ``srid`` (4326 or 28992) overrides the file; when None the GeoJSON
    ``crs`` member decides, and without one the coordinate ranges do.

    Raises BuurtFileError listing every bad feature (named by buurt code, or
    "feature #i", counting from 1, when it has none) so the caller imports
    nothing from a partly broken file.
    """
    doc = _load_json(_read_bytes(source))
    raw_features = doc.get("features")
    if doc.get("type") != "FeatureCollection" or not isinstance(raw_features, list):
        raise BuurtFileError(["the file is not a GeoJSON FeatureCollection"])
    if not raw_features:
        raise BuurtFileError(["the FeatureCollection contains no features"])

    if srid is None:
        srid = _declared_srid(doc.get("crs"))
    elif srid not in _CRS_ALIASES:
        raise BuurtFileError([f"unsupported srid {srid}; use 4326 or 28992"])
    else:
        srid = _CRS_ALIASES[srid]

    # (feature number, message), so problems can be reported in file order.
    problems: list[tuple[int, str]] = []
    parsed = _parse_features(raw_features, problems)
    srid = _check_coordinates(parsed, srid, problems)

    good = [p for p in parsed if p.geometry is not None]
    geoms = _to_wgs84(np.array([p.geometry for p in good], dtype=object), srid)

    features: list[BuurtFeature] = []
    repaired: list[str] = []
    for p, geom in zip(good, geoms, strict=True):
        multi = _as_valid_multipolygon(p, geom, problems, repaired)
        if multi is not None and p.code is not None:
            features.append(_feature(p.code, p.props, multi))

    if problems:
        raise BuurtFileError([message for _, message in sorted(problems, key=lambda p: p[0])])
    return ReadResult(features=features, repaired=repaired, srid=srid)


@dataclass
class _Parsed:
    number: int
    label: str
    code: str | None
    props: dict[str, Any]
    geometry: shapely.Geometry | None


def _read_bytes(source: str | os.PathLike[str] | IO[bytes]) -> bytes:
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            data = fh.read()
    else:
        data = source.read()
    if data[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise BuurtFileError([f"the gzip data is damaged: {exc}"]) from exc
    return data


def _load_json(data: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BuurtFileError([f"the file is not valid JSON: {exc}"]) from exc
    if not isinstance(doc, dict):
        raise BuurtFileError(["the file is not a GeoJSON FeatureCollection"])
    return doc


def _declared_srid(crs: Any) -> int | None:
    """Return the srid named by a GeoJSON ``crs`` member, or None if absent."""
    if crs is None:
        return None
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(name, str):
        raise BuurtFileError([f"cannot understand the crs member {crs!r}"])
    if "CRS84" in name.upper():
        return WGS84
    try:
        epsg = pyproj.CRS.from_user_input(name).to_epsg()
    except pyproj.exceptions.CRSError as exc:
        raise BuurtFileError([f"unknown crs {name!r}"]) from exc
    if epsg not in _CRS_ALIASES:
        raise BuurtFileError([f"unsupported crs {name!r}; use EPSG:4326 or EPSG:28992"])
    return _CRS_ALIASES[epsg]


def _parse_features(raw_features: list[Any], problems: list[tuple[int, str]]) -> list[_Parsed]:
    parsed: list[_Parsed] = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(raw_features, start=1):
        if not isinstance(raw, dict):
            problems.append((i, f"feature #{i}: not a GeoJSON Feature"))
            continue
        props = {str(k).lower(): v for k, v in (raw.get("properties") or {}).items()}
        code = _text(props, _CODE_KEYS)
        label = code or f"feature #{i}"
        if code is None:
            problems.append((i, f"feature #{i}: no buurt code (buurtcode or BU_CODE)"))
        elif code in seen:
            problems.append((i, f"{code}: duplicate buurt code (also {seen[code]})"))
            code = None
        else:
            seen[code] = f"feature #{i}"
        geom = _parse_geometry(label, raw.get("geometry"))
        if isinstance(geom, str):
            problems.append((i, f"{label}: {geom}"))
            geom = None
        parsed.append(_Parsed(i, label, code, props, geom))
    return parsed


def _parse_geometry(label: str, spec: Any) -> shapely.Geometry | str:
    """Return the parsed geometry, or a message saying what is wrong with it."""
    if spec is None:
        return "missing geometry"
    try:
        geom = shapely.geometry.shape(spec)
    except (
        GEOSException,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        AttributeError,
    ) as exc:
        return f"unparsable geometry ({exc})"
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return f"geometry is a {geom.geom_type}, expected (Multi)Polygon"
    if geom.is_empty:
        return "empty geometry"
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        return "non-finite coordinates"
    return shapely.force_2d(geom)


def _check_coordinates(parsed: list[_Parsed], srid: int | None, problems: list[tuple[int, str]]) -> int:
    """Check every geometry lies in the CRS's domain; detect the CRS if unknown."""
    with_geom = [p for p in parsed if p.geometry is not None]
    bounds = shapely.bounds(np.array([p.geometry for p in with_geom], dtype=object))
    in_degrees = _inside(bounds, _DEGREE_DOMAIN)
    in_rd = _inside(bounds, _RD_DOMAIN)
    if srid is None:
        # The majority decides so that a few stray features are reported by
        # name instead of the whole file being called the wrong CRS.
        srid = RD_NEW if in_rd.sum() > in_degrees.sum() else WGS84
    fits = in_degrees if srid == WGS84 else in_rd
    expected = "lon/lat degrees (EPSG:4326)" if srid == WGS84 else "RD New metres (EPSG:28992)"
    for p, ok, b in zip(with_geom, fits, bounds, strict=True):
        if not ok:
            problems.append(
                (
                    p.number,
                    (
                        f"{p.label}: coordinates are not {expected}; bounds "
                        f"({b[0]:.6g}, {b[1]:.6g}, {b[2]:.6g}, {b[3]:.6g})"
                    ),
                )
            )
            p.geometry = None
    return srid


def _inside(bounds: np.ndarray, domain: tuple[float, float, float, float]) -> np.ndarray:
    if len(bounds) == 0:
        return np.zeros(0, dtype=bool)
    x0, y0, x1, y1 = domain
    return (bounds[:, 0] >= x0) & (bounds[:, 1] >= y0) & (bounds[:, 2] <= x1) & (bounds[:, 3] <= y1)


def _to_wgs84(geoms: np.ndarray, srid: int) -> np.ndarray:
    if srid == WGS84 or len(geoms) == 0:
        return geoms
    transformer = pyproj.Transformer.from_crs(srid, WGS84, always_xy=True)

    def project(xy: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    # One call over all coordinates of all geometries keeps pyproj vectorised.
    return shapely.transform(geoms, project)


def _as_valid_multipolygon(
    p: _Parsed,
    geom: shapely.Geometry,
    problems: list[tuple[int, str]],
    repaired: list[str],
) -> shapely.MultiPolygon | None:
    """Return geom as a valid MultiPolygon, repairing it if needed."""
    label = p.label
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        fixed = shapely.make_valid(geom)
        parts = shapely.get_parts(fixed)
        polygons = [q for q in _flatten(parts) if q.geom_type == "Polygon" and not q.is_empty]
        if not polygons or shapely.union_all(polygons).area == 0:
            problems.append(
                (
                    p.number,
                    f"{label}: invalid geometry ({reason}) with no area left after repair",
                )
            )
            return None
        dropped = len(_flatten(parts)) - len(polygons)
        note = f"; dropped {dropped} non-polygonal part(s)" if dropped else ""
        repaired.append(f"{label}: {reason}; repaired with make_valid{note}")
        geom = shapely.union_all(polygons)
    if geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    if geom.geom_type != "MultiPolygon" or geom.is_empty or geom.area == 0:
        problems.append((p.number, f"{label}: geometry has no area"))
        return None
    return geom


def _flatten(parts: np.ndarray) -> list[shapely.Geometry]:
    out: list[shapely.Geometry] = []
    for part in parts:
        if part.geom_type in (
            "GeometryCollection",
            "MultiPolygon",
            "MultiLineString",
            "MultiPoint",
        ):
            out.extend(_flatten(shapely.get_parts(part)))
        else:
            out.append(part)
    return out


def _feature(code: str, props: dict[str, Any], geom: shapely.MultiPolygon) -> BuurtFeature:
    wijk_code = _text(props, _WIJK_CODE_KEYS)
    gemeente_code = _text(props, _GEMEENTE_CODE_KEYS)
    # A CBS buurt code embeds its wijk and gemeente: BU GGGG WW BB.
    match = _BUURT_CODE.match(code)
    if match:
        wijk_code = wijk_code or f"WK{match[1]}{match[2]}"
        gemeente_code = gemeente_code or f"GM{match[1]}"
    return BuurtFeature(
        code=code,
        # A name is not required to place a point; show the code rather than nothing.
        name=_text(props, _NAME_KEYS) or code,
        wijk_code=wijk_code,
        wijk_name=_text(props, _WIJK_NAME_KEYS),
        gemeente_code=gemeente_code,
        gemeente_name=_text(props, _GEMEENTE_NAME_KEYS),
        geometry=geom,
    )


def _text(props: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = props.get(key)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None
