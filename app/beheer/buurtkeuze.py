"""Picking a person's buurten: the buurten grouped per wijk, and a small map of the chosen ones."""

from __future__ import annotations

import math
from itertools import groupby

from geoalchemy2.shape import to_shape
from markupsafe import Markup, escape
from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import select

from app.extensions import db
from app.models import Buurt

#: Simplification of outlines for the small map, in degrees (about 15 metres).
MAP_TOLERANCE = 0.00015


def buurten_by_wijk() -> list[dict]:
    """Return [{code, name, buurten: [(code, name)]}] per wijk, in name order."""
    rows = db.session.execute(select(Buurt.code, Buurt.name, Buurt.wijk_code, Buurt.wijk_name)
                              .order_by(Buurt.wijk_name, Buurt.wijk_code, Buurt.name)).all()
    return [
        {"code": code or "", "name": name or "Zonder wijk", "buurten": [(r.code, r.name) for r in group]}
        for (code, name), group in groupby(rows, key=lambda r: (r.wijk_code, r.wijk_name))
    ]


def chosen_buurten_svg(codes: list[str], width: int = 360, height: int = 300) -> Markup | None:
    """Return an inline SVG of the wijken of the chosen buurten, those filled; None when none chosen."""
    if not codes:
        return None
    wijken = select(Buurt.wijk_code).where(Buurt.code.in_(codes)).distinct()
    rows = db.session.execute(
        select(Buurt.code, Buurt.name, Buurt.geom).where(Buurt.wijk_code.in_(wijken) | Buurt.code.in_(codes))
    ).all()
    if not rows:
        return None
    shapes = [(code, name, to_shape(geom).simplify(MAP_TOLERANCE, preserve_topology=True)) for code, name, geom in rows]
    bounds = [s.bounds for _, _, s in shapes]
    min_lon, min_lat = min(b[0] for b in bounds), min(b[1] for b in bounds)
    max_lon, max_lat = max(b[2] for b in bounds), max(b[3] for b in bounds)
    kx = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = min((width - 8) / max((max_lon - min_lon) * kx, 1e-9), (height - 8) / max(max_lat - min_lat, 1e-9))

    def ring(coords) -> str:
        return "M" + " L".join(f"{4 + (lon - min_lon) * kx * scale:.1f},{height - 4 - (lat - min_lat) * scale:.1f}"
                               for lon, lat, *_ in coords) + " Z"

    def path(geometry) -> str:
        polygons = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
        return " ".join(ring(p.exterior.coords) + " " + " ".join(ring(i.coords) for i in p.interiors)
                        for p in polygons if isinstance(p, Polygon))

    chosen = set(codes)
    names = sorted(name for code, name, _ in shapes if code in chosen)
    parts = [f'<path class="{"chosen" if code in chosen else "other"}" fill-rule="evenodd" d="{path(shape)}">'
             f"<title>{escape(name)}</title></path>" for code, name, shape in shapes]
    title = "Kaart van de gekozen buurten: " + ", ".join(names)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="buurtkeuze-kaart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="buurtkeuze-titel"><title id="buurtkeuze-titel">{escape(title)}</title>'
        + "".join(parts) + "</svg>"
    )
