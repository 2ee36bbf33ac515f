"""Simplify lon/lat buurt outlines with a tolerance in metres."""

from __future__ import annotations

import math

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

# Metres per degree of latitude (mean); a degree of longitude is this times cos(lat).
_METRES_PER_DEGREE = 111_320.0


def simplify_metres(geom: BaseGeometry, metres: float) -> shapely.MultiPolygon:
    """Simplify an EPSG:4326 (Multi)Polygon, preserving topology, to about ``metres``.

    Longitude is scaled by cos(latitude) at the geometry's centre before
    simplifying so the tolerance means the same distance east-west as
    north-south. Each geometry is simplified on its own: neighbouring buurten
    may no longer share their edges exactly, so use this for display only.
    """
    original = _as_multipolygon(geom)
    if metres <= 0 or original.is_empty:
        return original
    lat = original.centroid.y
    scale = math.cos(math.radians(lat))

    def squash(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([xy[:, 0] * scale, xy[:, 1]])

    def unsquash(xy: np.ndarray) -> np.ndarray:
        return np.column_stack([xy[:, 0] / scale, xy[:, 1]])

    simple = shapely.transform(
        shapely.simplify(shapely.transform(original, squash), metres / _METRES_PER_DEGREE),
        unsquash,
    )
    if not simple.is_valid:
        simple = shapely.make_valid(simple)
    polygons = [p for p in shapely.get_parts(simple) if p.geom_type in ("Polygon", "MultiPolygon")]
    result = _as_multipolygon(shapely.union_all(polygons)) if polygons else None
    # Simplifying a sliver away must not make the buurt disappear from a map.
    if result is None or result.is_empty or not result.is_valid:
        return original
    return result


def _as_multipolygon(geom: BaseGeometry) -> shapely.MultiPolygon:
    if geom.geom_type == "MultiPolygon":
        return geom
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([geom])
    polygons = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon"]
    return shapely.MultiPolygon(polygons)
