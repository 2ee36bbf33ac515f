"""Grid clustering of signals in the database, the same on SpatiaLite and PostGIS.

Cells are squares of 2^(6 - zoom) degrees: about 5.6 cells across a 256-pixel tile, and each zoom
level's cells split exactly into four of the next, so clusters stay put while panning and nest
while zooming. A view never gets more than MAX_CELLS cells (the grid coarsens for huge boxes) and
never more than SINGLES_LIMIT single signals, so the response stays small whatever the data.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, cast, func, select
from sqlalchemy.orm import Session

from app.models import Signal

MAX_CELLS = 800
#: At this zoom and above a view with few signals shows each of them, even in shared cells.
SINGLES_ZOOM = 15
SINGLES_LIMIT = 300
#: Map markers need a label, not the whole title; keeps the worst-case payload bounded.
TITLE_CHARS = 80


@dataclass(frozen=True)
class Grid:
    """The cell size chosen for a view."""

    zoom: int
    cell: float


def grid_for(bbox: tuple[float, float, float, float], zoom: int) -> Grid:
    """Return the cell size for a zoom, coarsened until the bbox spans at most MAX_CELLS cells."""
    min_lon, min_lat, max_lon, max_lat = bbox
    cell = 2.0 ** (6 - zoom)
    while _cells_spanned(min_lon, min_lat, max_lon, max_lat, cell) > MAX_CELLS:
        cell *= 2
    return Grid(zoom, cell)


def _cells_spanned(min_lon, min_lat, max_lon, max_lat, cell) -> int:
    columns = math.floor(max_lon / cell) - math.floor(min_lon / cell) + 1
    rows = math.floor(max_lat / cell) - math.floor(min_lat / cell) + 1
    return columns * rows


def cluster_signals(
    session: Session, conditions: list[ColumnElement[bool]], bbox: tuple[float, float, float, float], zoom: int
) -> dict:
    """Return a GeoJSON FeatureCollection of clusters and single signals matching `conditions`.

    `conditions` must already contain the bbox condition; `bbox` only sizes the grid.
    """
    grid = grid_for(bbox, zoom)
    x, y = func.ST_X(Signal.location), func.ST_Y(Signal.location)
    points = (
        select(x.label("x"), y.label("y"), cast(Signal.id, String).label("sid"))
        .where(*conditions)
        .subquery("points")
    )
    gx = func.floor(points.c.x / grid.cell).label("gx")
    gy = func.floor(points.c.y / grid.cell).label("gy")
    cells = session.execute(
        select(
            gx, gy, func.count().label("n"), func.sum(points.c.x).label("sx"),
            func.sum(points.c.y).label("sy"), func.min(points.c.sid).label("sid"),
        ).group_by(gx, gy)
    ).all()
    total = sum(c.n for c in cells)
    if zoom >= SINGLES_ZOOM and total <= SINGLES_LIMIT:
        features = _singles(session, conditions, None)
    else:
        lone = [c.sid for c in cells if c.n == 1]
        features = [_cluster_feature(c) for c in cells if c.n > 1]
        features += _singles(session, conditions, lone) if lone else []
    return {
        "type": "FeatureCollection",
        "features": features,
        "total": total,
        "zoom": zoom,
        "cell_degrees": grid.cell,
    }


def _cluster_feature(cell) -> dict:
    lon, lat = cell.sx / cell.n, cell.sy / cell.n
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": {"cluster": True, "count": cell.n},
    }


def _singles(session: Session, conditions: list[ColumnElement[bool]], ids: list[str] | None) -> list[dict]:
    """Return single-signal features, either all matching ones or those with the given ids."""
    query = select(
        Signal.id, Signal.title, Signal.status, Signal.urgency,
        func.ST_X(Signal.location).label("x"), func.ST_Y(Signal.location).label("y"),
    )
    if ids is None:
        query = query.where(*conditions).order_by(Signal.created_at.desc(), Signal.id).limit(SINGLES_LIMIT)
    else:
        query = query.where(Signal.id.in_([uuid.UUID(i) for i in ids]))
    features = []
    for row in session.execute(query):
        title = row.title if len(row.title) <= TITLE_CHARS else row.title[: TITLE_CHARS - 1] + "…"
        features.append({
            "type": "Feature",
            "id": str(row.id),
            "geometry": {"type": "Point", "coordinates": [round(row.x, 6), round(row.y, 6)]},
            "properties": {
                "cluster": False, "count": 1, "id": str(row.id), "title": title,
                "status": row.status, "urgency": row.urgency,
            },
        })
    return features
