"""A small SVG map of one buurt with points on it, drawn on the server without tiles."""

from __future__ import annotations

import math
from collections.abc import Iterable

from markupsafe import Markup, escape
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

#: The credit the licence (CC-BY 4.0) asks for wherever the boundaries are drawn.
CREDIT = "Bron: CBS / Kadaster"
_CREDIT_HEIGHT = 16


def buurt_svg(geometry: BaseGeometry, points: Iterable[tuple[float, float, str]], title: str,
              width: int = 480, height: int = 360, padding: int = 12) -> Markup:
    """Return an inline SVG of the buurt outline with one dot per (lon, lat, css class).

    Longitude is scaled by cos(latitude) around the buurt's centre (an equirectangular projection),
    which keeps shapes true at the scale of a buurt; the drawing is fitted into the box with equal
    scale on both axes, above a strip at the bottom that carries the source credit. Holes (a buurt
    around another) are drawn as holes.
    """
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    kx = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lon - min_lon) * kx, 1e-9)
    span_y = max(max_lat - min_lat, 1e-9)
    drawing_height = height - _CREDIT_HEIGHT
    scale = min((width - 2 * padding) / span_x, (drawing_height - 2 * padding) / span_y)
    off_x = (width - span_x * scale) / 2
    off_y = _CREDIT_HEIGHT + (drawing_height - span_y * scale) / 2

    def project(lon: float, lat: float) -> tuple[float, float]:
        return off_x + (lon - min_lon) * kx * scale, height - (off_y + (lat - min_lat) * scale)

    def ring(coords) -> str:
        return "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in (project(lon, lat) for lon, lat, *_ in coords)) + " Z"

    polygons = geometry.geoms if isinstance(geometry, MultiPolygon) else [geometry]
    path = " ".join(
        ring(p.exterior.coords) + " " + " ".join(ring(i.coords) for i in p.interiors)
        for p in polygons if isinstance(p, Polygon)
    )
    dots = []
    for lon, lat, css in points:
        x, y = project(lon, lat)
        if -padding <= x <= width + padding and -padding <= y <= height + padding:
            dots.append(f'<circle class="{escape(css)}" cx="{x:.1f}" cy="{y:.1f}" r="4"/>')
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="buurtkaart-titel"><title id="buurtkaart-titel">{escape(title)}</title>'
        f'<path class="outline" fill-rule="evenodd" d="{path}"/>' + "".join(dots)
        + f'<text class="credit" x="{width - 4}" y="{height - 4}" text-anchor="end">{CREDIT}</text></svg>'
    )
