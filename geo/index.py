"""Find the buurt a GPS point lies in, many points at a time."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from geo.buurten import BuurtFeature

# A GPS fix that claims to be less precise than this is not trusted to pick a
# buurt it lies outside of.
MAX_ACCURACY_M = 50.0

# lon/lat box in which RD New (EPSG:28992) is a good metric CRS; a little wider
# than its official area of use, which cuts off the eastern tip of Groningen.
_NL_BOX = (2.5, 50.5, 7.5, 54.0)

_NO_HIT = np.iinfo(np.intp).max


class BuurtIndex:
    """Map lon/lat points to buurt codes.

    A point covered by several buurten (on a shared edge or vertex) gets the
    lowest of their codes. A point outside every buurt snaps to the nearest one
    within min(accuracy_m, MAX_ACCURACY_M) metres (ties: lowest code).
    """

    def __init__(self, features: Sequence[BuurtFeature] | Sequence[tuple[str, BaseGeometry]]) -> None:
        """Build the index from features or (code, EPSG:4326 geometry) pairs."""
        pairs = [(f.code, f.geometry) if isinstance(f, BuurtFeature) else (f[0], f[1]) for f in features]
        # Sorting by code makes "lowest tree index" mean "lowest code", so
        # resolving ties is an integer minimum, independent of input order.
        pairs.sort(key=lambda pair: pair[0])
        self.codes: list[str] = [code for code, _ in pairs]
        if len(set(self.codes)) != len(self.codes):
            raise ValueError("duplicate buurt codes in BuurtIndex input")
        geoms = np.array([geom for _, geom in pairs], dtype=object)
        shapely.prepare(geoms)
        self._tree = shapely.STRtree(geoms)
        # The extra None is what index -1 (no buurt) picks in lookup_many.
        self._code_array = np.array([*self.codes, None], dtype=object)

        self._to_metric = _metric_transformer(geoms)
        metric_geoms = shapely.transform(geoms, self._project_xy) if len(geoms) else geoms
        self._metric_tree = shapely.STRtree(metric_geoms)

    def __len__(self) -> int:
        """Return the number of buurten in the index."""
        return len(self.codes)

    def lookup(self, lon: float, lat: float, accuracy_m: float | None = None) -> str | None:
        """Return the code of the buurt at (lon, lat), or None."""
        if not (np.isfinite(lon) and np.isfinite(lat)):
            return None
        hits = self._tree.query(shapely.Point(lon, lat), predicate="intersects")
        if len(hits):
            return self.codes[int(hits.min())]
        cap = _snap_distance(accuracy_m)
        if not cap > 0:
            return None
        x, y = self._to_metric.transform(lon, lat)
        if not (np.isfinite(x) and np.isfinite(y)):
            return None
        nearest = self._metric_tree.query_nearest(shapely.Point(x, y), max_distance=cap, all_matches=True)
        return self.codes[int(nearest.min())] if len(nearest) else None

    def lookup_many(
        self,
        lon: np.ndarray,
        lat: np.ndarray,
        accuracy_m: np.ndarray | float | None = None,
    ) -> np.ndarray:
        """Return an object array of buurt codes (or None), one per point."""
        lon = np.asarray(lon, dtype=np.float64)
        lat = np.asarray(lat, dtype=np.float64)
        shape = np.broadcast_shapes(lon.shape, lat.shape)
        x = np.broadcast_to(lon, shape).ravel()
        y = np.broadcast_to(lat, shape).ravel()
        n = x.size

        finite = np.isfinite(x) & np.isfinite(y)
        all_finite = bool(finite.all())
        # Skipping the subset copy in the common all-finite case saves a pass.
        where = np.arange(n)[finite] if not all_finite else None
        points = shapely.points(x, y) if all_finite else shapely.points(x[finite], y[finite])
        point_idx, tree_idx = self._tree.query(points, predicate="intersects")
        if where is not None:
            point_idx = where[point_idx]

        best = np.full(n, _NO_HIT, dtype=np.intp)
        # Several hits for one point happen only on shared edges; the minimum
        # tree index is the lowest code.
        np.minimum.at(best, point_idx, tree_idx)

        if accuracy_m is not None:
            self._snap(x, y, finite, best, accuracy_m)

        best[best == _NO_HIT] = -1
        return self._code_array[best].reshape(shape)

    def _snap(
        self,
        x: np.ndarray,
        y: np.ndarray,
        finite: np.ndarray,
        best: np.ndarray,
        accuracy_m: np.ndarray | float,
    ) -> None:
        """Fill in best for misses within their capped accuracy of a buurt."""
        acc = np.broadcast_to(np.asarray(accuracy_m, dtype=np.float64), x.shape).ravel()
        cap = np.minimum(acc, MAX_ACCURACY_M)
        # NaN accuracy compares False, so it never snaps.
        misses = np.flatnonzero((best == _NO_HIT) & finite & (cap > 0))
        if not misses.size:
            return
        mx, my = self._to_metric.transform(x[misses], y[misses])
        ok = np.isfinite(mx) & np.isfinite(my)
        misses, mx, my = misses[ok], mx[ok], my[ok]
        if not misses.size:
            return
        cap = cap[misses]
        (point_idx, tree_idx), dist = self._metric_tree.query_nearest(
            shapely.points(mx, my),
            max_distance=float(cap.max()),
            all_matches=True,
            return_distance=True,
        )
        # query_nearest only takes one max_distance; apply each point's own cap.
        keep = dist <= cap[point_idx]
        np.minimum.at(best, misses[point_idx[keep]], tree_idx[keep])

    def _project_xy(self, xy: np.ndarray) -> np.ndarray:
        x, y = self._to_metric.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])


def _snap_distance(accuracy_m: float | None) -> float:
    # NaN never snaps; +inf is capped like any large value, as in lookup_many.
    if accuracy_m is None or np.isnan(accuracy_m):
        return 0.0
    return min(float(accuracy_m), MAX_ACCURACY_M)


def _metric_transformer(geoms: np.ndarray) -> pyproj.Transformer:
    """Return a lon/lat -> metres transformer suited to where the data lies."""
    if len(geoms) == 0:
        return pyproj.Transformer.from_crs(4326, 28992, always_xy=True)
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    bx0, by0, bx1, by1 = _NL_BOX
    if x0 >= bx0 and y0 >= by0 and x1 <= bx1 and y1 <= by1:
        return pyproj.Transformer.from_crs(4326, 28992, always_xy=True)
    # Outside NL: distances are true from the centre of an azimuthal
    # equidistant projection and good enough near it for a 50 m snap.
    local = pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={(y0 + y1) / 2} +lon_0={(x0 + x1) / 2} +datum=WGS84 +units=m")
    return pyproj.Transformer.from_crs(4326, local, always_xy=True)
