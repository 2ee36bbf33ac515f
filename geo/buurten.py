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

_BUURT_CODE = re.compile(r"BU([0-9]{4})([0-9]{2})([0-9]{2})")

#: Lengths of the database columns the properties go into (app.models.Buurt).
MAX_NAME_LENGTH = 200
MAX_CODE_LENGTH = 16
#: A FeatureCollection of MultiPolygons nests 8 deep (collection, features, feature, geometry,
#: polygons, rings, positions, numbers); the rest allows for flat foreign members and a crs member.
MAX_NESTING = 16
#: lon/lat box around the Netherlands and its waters (the country spans about 3.3-7.2 E, 50.75-53.6 N).
NL_BOX = (3.0, 50.6, 7.6, 53.8)
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f]")


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
        more = f" (en nog {len(self.problems) - 10})" if len(self.problems) > 10 else ""
        super().__init__(f"{len(self.problems)} probleem/problemen in het buurtenbestand: {shown}{more}")


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
    "object #i", counting from 1, when it has no valid one) so the caller imports
    nothing from a partly broken file. Messages are Dutch: they reach admins.
    Refused besides broken geometry: codes that are not ``BU`` + 8 digits,
    duplicate codes, texts the database cannot store, nesting deeper than GeoJSON
    needs, and buurten outside the Netherlands (a file mostly outside it, as
    with swapped axes, gets one problem saying so).
    """
    doc = _load_json(_read_bytes(source))
    raw_features = doc.get("features")
    if doc.get("type") != "FeatureCollection" or not isinstance(raw_features, list):
        raise BuurtFileError(["het bestand is geen GeoJSON FeatureCollection"])
    if not raw_features:
        raise BuurtFileError(["de FeatureCollection bevat geen buurten (features)"])

    if srid is None:
        srid = _declared_srid(doc.get("crs"))
    elif srid not in _CRS_ALIASES:
        raise BuurtFileError([f"coördinatenstelsel {srid} wordt niet ondersteund; gebruik 4326 of 28992"])
    else:
        srid = _CRS_ALIASES[srid]

    # (feature number, message), so problems can be reported in file order.
    problems: list[tuple[int, str]] = []
    parsed = _parse_features(raw_features, problems)
    srid = _check_coordinates(parsed, srid, problems)

    good = [p for p in parsed if p.geometry is not None]
    geoms = _to_wgs84(np.array([p.geometry for p in good], dtype=object), srid)
    good, geoms = _inside_netherlands(good, geoms, srid, problems)

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
            raise BuurtFileError([f"de gzip-gegevens zijn beschadigd: {exc}"]) from exc
    return data


def _load_json(data: bytes) -> dict[str, Any]:
    too_deep = f"het bestand is dieper genest dan GeoJSON toestaat (meer dan {MAX_NESTING} niveaus)"
    try:
        doc = json.loads(data)
    except RecursionError as exc:
        raise BuurtFileError([too_deep]) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BuurtFileError([f"het bestand is geen geldige JSON: {exc}"]) from exc
    if not isinstance(doc, dict):
        raise BuurtFileError(["het bestand is geen GeoJSON FeatureCollection"])
    if _nesting(doc) > MAX_NESTING:
        raise BuurtFileError([too_deep])
    return doc


def _nesting(doc: Any) -> int:
    """Return how deep lists and objects nest in a parsed JSON document (without recursion)."""
    deepest = 0
    stack = [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            return deepest
        children = value.values() if isinstance(value, dict) else value
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return deepest


def _declared_srid(crs: Any) -> int | None:
    """Return the srid named by a GeoJSON ``crs`` member, or None if absent."""
    if crs is None:
        return None
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(name, str):
        raise BuurtFileError([f"het crs-lid is onbegrijpelijk: {_shown(crs)}"])
    if "CRS84" in name.upper():
        return WGS84
    try:
        epsg = pyproj.CRS.from_user_input(name).to_epsg()
    except pyproj.exceptions.CRSError as exc:
        raise BuurtFileError([f"onbekend coördinatenstelsel {_shown(name)}"]) from exc
    if epsg not in _CRS_ALIASES:
        raise BuurtFileError(
            [f"coördinatenstelsel {_shown(name)} wordt niet ondersteund; gebruik EPSG:4326 of EPSG:28992"]
        )
    return _CRS_ALIASES[epsg]


def _parse_features(raw_features: list[Any], problems: list[tuple[int, str]]) -> list[_Parsed]:
    parsed: list[_Parsed] = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(raw_features, start=1):
        properties = raw.get("properties") if isinstance(raw, dict) else None
        if not isinstance(raw, dict) or not isinstance(properties, (dict, type(None))):
            problems.append((i, f"object #{i}: geen GeoJSON Feature"))
            continue
        props = {str(k).lower(): v for k, v in (properties or {}).items()}
        code = _text(props, _CODE_KEYS)
        label = code if code is not None and _BUURT_CODE.fullmatch(code) else f"object #{i}"
        if code is None:
            problems.append((i, f"object #{i}: geen buurtcode (buurtcode of BU_CODE)"))
        elif not _BUURT_CODE.fullmatch(code):
            problems.append(
                (i, f"object #{i}: ongeldige buurtcode {_shown(code)} (verwacht: BU gevolgd door 8 cijfers)")
            )
            code = None
        elif code in seen:
            problems.append((i, f"{code}: dubbele buurtcode (ook {seen[code]})"))
            code = None
        else:
            seen[code] = f"object #{i}"
        for message in _text_problems(props):
            problems.append((i, f"{label}: {message}"))
        geom = _parse_geometry(label, raw.get("geometry"))
        if isinstance(geom, str):
            problems.append((i, f"{label}: {geom}"))
            geom = None
        parsed.append(_Parsed(i, label, code, props, geom))
    return parsed


def _parse_geometry(label: str, spec: Any) -> shapely.Geometry | str:
    """Return the parsed geometry, or a message saying what is wrong with it."""
    if spec is None:
        return "geometrie ontbreekt"
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
        return f"onleesbare geometrie ({_shown(str(exc))})"
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return f"de geometrie is een {geom.geom_type}, verwacht: (Multi)Polygon"
    if geom.is_empty:
        return "lege geometrie"
    if not np.isfinite(shapely.get_coordinates(geom)).all():
        return "coördinaten die geen eindig getal zijn"
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
    expected = "lengte/breedte in graden (EPSG:4326)" if srid == WGS84 else "RD New in meters (EPSG:28992)"
    for p, ok, b in zip(with_geom, fits, bounds, strict=True):
        if not ok:
            problems.append(
                (
                    p.number,
                    (
                        f"{p.label}: de coördinaten zijn geen {expected}; grenzen "
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
                    f"{label}: ongeldige geometrie ({reason}) zonder oppervlak na herstel",
                )
            )
            return None
        dropped = len(_flatten(parts)) - len(polygons)
        note = f"; {dropped} niet-vlakvormig(e) deel/delen weggelaten" if dropped else ""
        repaired.append(f"{label}: {reason}; hersteld met make_valid{note}")
        geom = shapely.union_all(polygons)
    if geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    if geom.geom_type != "MultiPolygon" or geom.is_empty or geom.area == 0:
        problems.append((p.number, f"{label}: de geometrie heeft geen oppervlak"))
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
    match = _BUURT_CODE.fullmatch(code)
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


def _inside_netherlands(
    good: list[_Parsed], geoms: np.ndarray, srid: int, problems: list[tuple[int, str]]
) -> tuple[list[_Parsed], np.ndarray]:
    """Drop (and report) buurten outside the Netherlands; a file mostly outside it is one problem."""
    if not len(good):
        return good, geoms
    bounds = shapely.bounds(geoms)
    lon, lat = (bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2
    x0, y0, x1, y1 = NL_BOX
    inside = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
    if inside.all():
        return good, geoms
    outside = int((~inside).sum())
    if outside * 2 > len(good):
        hint = " Staan lengte- en breedtegraad verwisseld?" if srid == WGS84 else ""
        problems.append((0, (f"het bestand ligt grotendeels buiten Nederland ({outside} van {len(good)} buurten, "
                             f"bijvoorbeeld {good[int(np.argmin(inside))].label} rond lengte {lon[~inside][0]:.4f}, "
                             f"breedte {lat[~inside][0]:.4f}).{hint}")))
        return [], geoms[:0]
    for p, ok, x, y in zip(good, inside, lon, lat, strict=True):
        if not ok:
            problems.append((p.number, f"{p.label}: ligt buiten Nederland (rond lengte {x:.4f}, breedte {y:.4f})"))
    keep = np.flatnonzero(inside)
    return [good[i] for i in keep], geoms[keep]


def _text_problems(props: dict[str, Any]) -> list[str]:
    """Say which code and name properties the database could not store as they are."""
    problems = []
    for keys, limit in (
        (_NAME_KEYS, MAX_NAME_LENGTH),
        (_WIJK_CODE_KEYS, MAX_CODE_LENGTH),
        (_WIJK_NAME_KEYS, MAX_NAME_LENGTH),
        (_GEMEENTE_CODE_KEYS, MAX_CODE_LENGTH),
        (_GEMEENTE_NAME_KEYS, MAX_NAME_LENGTH),
    ):
        for key in keys:
            value = props.get(key)
            if value is None:
                continue
            if not isinstance(value, (str, int)) or isinstance(value, bool):
                problems.append(f"{key} is geen tekst")
            elif len(str(value)) > limit:
                problems.append(f"{key} is langer dan {limit} tekens")
            elif _UNPRINTABLE.search(str(value)) or not _encodable(str(value)):
                problems.append(f"{key} bevat tekens die niet opgeslagen kunnen worden: {_shown(str(value))}")
    return problems


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _shown(value: Any, limit: int = 40) -> str:
    """Quote a value from the file for a message: escaped, and cut short."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    cut = text[:limit] + ("…" if len(text) > limit else "")
    return ascii(cut) if (_UNPRINTABLE.search(cut) or not _encodable(cut)) else repr(cut)


def _text(props: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = props.get(key)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None
