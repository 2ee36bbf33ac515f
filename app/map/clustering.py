"""Grid clustering of signals in the database, the same on SpatiaLite and PostGIS.

Cells are squares of 2^(6 - zoom) degrees: about 5.6 cells across a 256-pixel tile, and each zoom
level's cells split exactly into four of the next, so clusters stay put while panning and nest
while zooming. A view never gets more than MAX_CELLS cells (the grid coarsens for huge boxes) and
never more than SINGLES_LIMIT single signals, so the response stays small whatever the data.

Views whose cells are at least the cells of signal_grid_counts (zoom <= GRID_ZOOM, or coarsened) and
whose filters that table can answer read it instead of the signals: the fine cells wholly inside the
bbox come from the table, the strips along the bbox edges (less than one fine cell wide) from the
signals, so counts are exactly those of the raw query. Cluster positions are the same mean up to
floating-point summation order (well below the 6 decimals sent).
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from sqlalchemy import ColumnElement, String, and_, cast, func, or_, select
from sqlalchemy.orm import Session

from app.map.filters import bbox_clause, grid_conditions, signal_conditions
from app.models import GRID_SCALE, Signal, SignalGridCount

MAX_CELLS = 800
#: At this zoom and above a view with few signals shows each of them, even in shared cells.
SINGLES_ZOOM = 15
SINGLES_LIMIT = 300
#: Map markers need a label, not the whole title; keeps the worst-case payload bounded.
TITLE_CHARS = 80
#: The cell size of signal_grid_counts in degrees.
FINE_CELL = 1.0 / GRID_SCALE

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Grid:
    """The cell size chosen for a view."""

    zoom: int
    cell: float


@dataclass
class Cell:
    """Signals in one map cell: count, coordinate sums, and how to find the signal when it is alone."""

    gx: int
    gy: int
    n: int
    sx: float
    sy: float
    sid: str | None = None
    fine: tuple[int, int] | None = None


def grid_for(bbox: Box, zoom: int) -> Grid:
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
    session: Session,
    conditions: list[ColumnElement[bool]],
    bbox: Box,
    zoom: int,
    *,
    filters: dict | None = None,
    dialect: str | None = None,
) -> dict:
    """Return a GeoJSON FeatureCollection of clusters and single signals matching `conditions`.

    `conditions` must already contain the bbox condition; `bbox` sizes the grid. With the validated
    `filters` and the `dialect` the conditions came from, low zooms read signal_grid_counts.
    """
    grid = grid_for(bbox, zoom)
    inner = _inner_fine_cells(bbox)
    where = grid_conditions(filters) if filters is not None and grid.cell >= FINE_CELL and inner else None
    if where is None:
        cells = _raw_cells(session, conditions, grid)
    else:
        merged = _aggregate_cells(session, where, grid, inner)
        for cell in _raw_cells(session, _edge_conditions(filters, dialect, bbox, inner), grid):
            _merge(merged, cell)
        cells = list(merged.values())
    total = sum(c.n for c in cells)
    if zoom >= SINGLES_ZOOM and total <= SINGLES_LIMIT:
        features = _singles(session, conditions, limit=SINGLES_LIMIT)
    else:
        features = [_cluster_feature(c) for c in cells if c.n > 1]
        lone = [c for c in cells if c.n == 1]
        ids = [uuid.UUID(c.sid) for c in lone if c.sid is not None]
        fine = [c.fine for c in lone if c.sid is None]
        if ids:
            features += _singles(session, [Signal.id.in_(ids)])
        if fine:
            # At most MAX_CELLS small index lookups, one per fine cell holding the view's lone signal.
            base = signal_conditions({**filters, "bbox": None}, dialect)
            features += _singles(session, [*base, or_(*(_fine_cell_clause(f, dialect) for f in fine))])
    return {
        "type": "FeatureCollection",
        "features": features,
        "total": total,
        "zoom": zoom,
        "cell_degrees": grid.cell,
    }


def _raw_cells(session: Session, conditions: list[ColumnElement[bool]], grid: Grid) -> list[Cell]:
    """Group the matching signals into the grid's cells."""
    x, y = func.ST_X(Signal.location), func.ST_Y(Signal.location)
    points = (
        select(x.label("x"), y.label("y"), cast(Signal.id, String).label("sid"))
        .where(*conditions)
        .subquery("points")
    )
    gx = func.floor(points.c.x / grid.cell).label("gx")
    gy = func.floor(points.c.y / grid.cell).label("gy")
    rows = session.execute(
        select(
            gx, gy, func.count().label("n"), func.sum(points.c.x).label("sx"),
            func.sum(points.c.y).label("sy"), func.min(points.c.sid).label("sid"),
        ).group_by(gx, gy)
    )
    return [Cell(int(r.gx), int(r.gy), r.n, r.sx, r.sy, sid=r.sid) for r in rows]


def _inner_fine_cells(bbox: Box) -> tuple[int, int, int, int] | None:
    """Return the fine cells wholly inside the bbox as (first x, first y, last x, last y), or None.

    A fine cell i covers [i, i + 1) / GRID_SCALE; multiplying by a power of two is exact.
    """
    min_lon, min_lat, max_lon, max_lat = bbox
    ix0, iy0 = math.ceil(min_lon * GRID_SCALE), math.ceil(min_lat * GRID_SCALE)
    ix1, iy1 = math.floor(max_lon * GRID_SCALE) - 1, math.floor(max_lat * GRID_SCALE) - 1
    if ix0 > ix1 or iy0 > iy1:
        return None
    return ix0, iy0, ix1, iy1


def _aggregate_cells(
    session: Session, where: list[ColumnElement[bool]], grid: Grid, inner: tuple[int, int, int, int]
) -> dict[tuple[int, int], Cell]:
    """Sum the fine cells inside `inner` into the grid's cells (which nest: a power-of-two ratio)."""
    g = SignalGridCount
    ratio = float(round(grid.cell * GRID_SCALE))
    gx = func.floor(g.gx / ratio).label("gx")
    gy = func.floor(g.gy / ratio).label("gy")
    ix0, iy0, ix1, iy1 = inner
    rows = session.execute(
        select(
            gx, gy, func.sum(g.count).label("n"), func.sum(g.sum_lon).label("sx"),
            func.sum(g.sum_lat).label("sy"), func.min(g.gx).label("fx"), func.min(g.gy).label("fy"),
        )
        .where(g.gx.between(ix0, ix1), g.gy.between(iy0, iy1), *where)
        .group_by(gx, gy)
    )
    # Rows reaching zero are deleted, so a cell counting one signal holds exactly one fine row.
    return {(int(r.gx), int(r.gy)): Cell(int(r.gx), int(r.gy), int(r.n), r.sx, r.sy, fine=(r.fx, r.fy))
            for r in rows}


def _merge(cells: dict[tuple[int, int], Cell], extra: Cell) -> None:
    """Add a cell counted from the signals to the aggregate's cell at the same place."""
    cell = cells.get((extra.gx, extra.gy))
    if cell is None:
        cells[(extra.gx, extra.gy)] = extra
        return
    cell.n += extra.n
    cell.sx += extra.sx
    cell.sy += extra.sy
    cell.sid = None


def _edge_conditions(
    filters: dict, dialect: str, bbox: Box, inner: tuple[int, int, int, int]
) -> list[ColumnElement[bool]]:
    """Return conditions for the signals in the bbox but outside its whole fine cells.

    That ring is cut into four boxes (left and right full height, bottom and top between them). Their
    outer sides are the bbox's own, tested by the same bbox_clause as the raw query (on PostGIS `&&`,
    which is what the raw query counts); the inner sides are exact and half-open like the fine cells,
    so no signal is counted twice or missed.
    """
    min_lon, min_lat, max_lon, max_lat = bbox
    ix0, iy0, ix1, iy1 = inner
    left, bottom = ix0 / GRID_SCALE, iy0 / GRID_SCALE
    right, top = (ix1 + 1) / GRID_SCALE, (iy1 + 1) / GRID_SCALE
    x, y = func.ST_X(Signal.location), func.ST_Y(Signal.location)
    strips = [
        bbox_clause((min_lon, min_lat, left, max_lat), dialect) & (x < left),
        bbox_clause((right, min_lat, max_lon, max_lat), dialect) & (x >= right),
        bbox_clause((left, min_lat, right, bottom), dialect) & (x >= left) & (x < right) & (y < bottom),
        bbox_clause((left, top, right, max_lat), dialect) & (x >= left) & (x < right) & (y >= top),
    ]
    return [*signal_conditions({**filters, "bbox": None}, dialect), or_(*strips)]


def _fine_cell_clause(fine: tuple[int, int], dialect: str) -> ColumnElement[bool]:
    """Return "the signal lies in this fine cell", through the spatial index."""
    fx, fy = fine
    x0, y0, x1, y1 = fx / GRID_SCALE, fy / GRID_SCALE, (fx + 1) / GRID_SCALE, (fy + 1) / GRID_SCALE
    x, y = func.ST_X(Signal.location), func.ST_Y(Signal.location)
    return and_(bbox_clause((x0, y0, x1, y1), dialect), x >= x0, x < x1, y >= y0, y < y1)


def _cluster_feature(cell: Cell) -> dict:
    lon, lat = cell.sx / cell.n, cell.sy / cell.n
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": {"cluster": True, "count": cell.n},
    }


def _singles(session: Session, conditions: list[ColumnElement[bool]], limit: int | None = None) -> list[dict]:
    """Return single-signal features for the signals matching `conditions`, newest first."""
    query = (
        select(
            Signal.id, Signal.title, Signal.status, Signal.urgency,
            func.ST_X(Signal.location).label("x"), func.ST_Y(Signal.location).label("y"),
        )
        .where(*conditions)
        .order_by(Signal.created_at.desc(), Signal.id)
        .limit(limit)
    )
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
