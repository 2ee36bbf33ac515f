"""Benchmark BuurtIndex.lookup_many against a bare shapely STRtree query.

Run from the repository root: ``.venv/bin/python bench/buurt_lookup.py``.

What is timed, for both contenders, from lon/lat float arrays to an answer:
- lookup_many: ``index.lookup_many(lon, lat)`` (no accuracy, so no snapping);
  it creates the shapely points itself and returns an object array of codes.
- baseline: ``tree.query(shapely.points(lon, lat), predicate="within")``, which
  also creates the points but stops at the raw (point, tree) index pairs.
Each is the best of 3 runs in the same process. Index and tree builds are
timed separately and not included.

Data: data/assen-buurten.geojson holds CBS's real (generalised) 2019 boundaries;
data/nl-buurten.geojson.gz is approximate (Voronoi cells around CBS label
points) and is used here only for its national size (see data/README.md).
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script without installing the project

from geo.buurten import read_buurten  # noqa: E402
from geo.index import BuurtIndex  # noqa: E402

DATASETS = [
    ("Assen", ROOT / "data" / "assen-buurten.geojson"),
    # Approximate cells, benchmark only: the count and spread of national buurten matter here, not their edges.
    ("NL", ROOT / "data" / "nl-buurten.geojson.gz"),
]


def best_of(runs: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Return the fastest wall time of ``runs`` calls and the last result."""
    best = float("inf")
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def bench(name: str, path: Path, n: int, seed: int) -> None:
    """Time build, lookup_many and the baseline for one data set and print them."""
    start = time.perf_counter()
    features = read_buurten(path).features
    read_s = time.perf_counter() - start

    build_s, index = best_of(1, lambda: BuurtIndex(features))
    geoms = np.array([f.geometry for f in features])
    tree_s, tree = best_of(1, lambda: shapely.STRtree(geoms))

    rng = np.random.default_rng(seed)
    x0, y0, x1, y1 = shapely.total_bounds(geoms)
    lon = rng.uniform(x0, x1, n)
    lat = rng.uniform(y0, y1, n)

    ours_s, codes = best_of(3, lambda: index.lookup_many(lon, lat))
    base_s, (point_idx, tree_idx) = best_of(3, lambda: tree.query(shapely.points(lon, lat), predicate="within"))
    snap_s, _ = best_of(3, lambda: index.lookup_many(lon, lat, 10.0))

    # The baseline's answer per point: the lowest code among its "within" hits
    # (several only on shared edges, which random points practically never hit).
    sorted_codes = np.array([*sorted(f.code for f in features), None], dtype=object)
    rank_of_feature = np.searchsorted(sorted_codes[:-1], [f.code for f in features])
    rank = np.full(n, len(features))  # len(features) picks the trailing None
    np.minimum.at(rank, point_idx, rank_of_feature[tree_idx])
    expected = sorted_codes[rank]
    agree = int((codes == expected).sum())
    inside = int((rank < len(features)).sum())

    print(f"## {name}: {len(features):,} buurten, {n:,} uniform random points in the bbox")
    print(f"read file            {read_s:8.3f} s")
    print(f"BuurtIndex build     {build_s:8.3f} s   (bare STRtree build {tree_s:.3f} s)")
    print(f"lookup_many          {n / ours_s:12,.0f} points/s  ({ours_s:.3f} s)")
    print(f"STRtree within       {n / base_s:12,.0f} points/s  ({base_s:.3f} s)")
    print(f"ratio                {base_s / ours_s:8.2f} x baseline")
    print(f"lookup_many, 10 m    {n / snap_s:12,.0f} points/s  (snapping the misses)")
    print(f"agreement            {agree:,} / {n:,} points ({inside:,} inside a buurt)")
    print()


def main() -> None:
    """Parse options and run the benchmark on Assen and the whole Netherlands."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    print(
        f"python {platform.python_version()}, shapely {shapely.__version__} "
        f"(GEOS {shapely.geos_version_string}), numpy {np.__version__}, "
        f"{platform.machine()}, seed {args.seed}\n"
    )
    for name, path in DATASETS:
        bench(name, path, args.points, args.seed)


if __name__ == "__main__":
    main()
