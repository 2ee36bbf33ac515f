"""Benchmark GET /api/v1/map/signals: p50/p95 latency and payload size at zoom 8, 12 and 16.

Run from the repository root:

    .venv/bin/python bench/map.py                       # PostGIS, 1,000,000 signals + SpatiaLite, 100,000
    .venv/bin/python bench/map.py --only postgis --signals 1000000 --requests 40

Signals are spread over every buurt of data/nl-buurten.geojson.gz (the same number per buurt, give or take one, at
uniform random points inside it; that national file is approximate — Voronoi cells around CBS label points — and
serves only to give the benchmark national size, see data/README.md), with a realistic mix of statuses, themes and
dates. Each request
is a 1280x800-pixel view centred on a random buurt, made through the Flask app in-process (routing,
validation, the query, GeoJSON serialisation; no network). Two filter sets are timed: everything,
and what /kaart asks by default (open signals only). A scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import io
import math
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script without installing the project

from sqlalchemy import create_engine, text  # noqa: E402

from geo.buurten import read_buurten  # noqa: E402
from tests.support import create_postgis_database, drop_postgis_database  # noqa: E402

NL = ROOT / "data" / "nl-buurten.geojson.gz"
#: Zoom 8 and 10 read signal_grid_counts (plus edge strips); 12 and 16 group the signals themselves.
ZOOMS = (8, 10, 12, 16)
VIEW_W, VIEW_H = 1280, 800
STATUSES = (("new", 20), ("picked_up", 10), ("in_progress", 15), ("referred", 5), ("done", 40),
            ("not_actionable", 10))
THEMES = ("openbare_ruimte", "groen", "verkeer", "afval", "woning", "verduurzaming", "eenzaamheid", "armoede",
          "zorg", "jeugd", "overlast", "veiligheid", "ontmoeting", "participatie")
OPEN = "new,picked_up,in_progress,referred"


def points_in_buurten(features, total: int, rng: np.random.Generator):
    """Return lon, lat and buurt code arrays: `total` points, as evenly over the buurten as divides."""
    base, extra = divmod(total, len(features))
    lons, lats, codes = [], [], []
    for i, f in enumerate(features):
        per = base + (1 if i < extra else 0)
        if per == 0:
            continue
        minx, miny, maxx, maxy = f.geometry.bounds
        got_x, got_y = np.empty(0), np.empty(0)
        while got_x.size < per:
            x = rng.uniform(minx, maxx, per * 4)
            y = rng.uniform(miny, maxy, per * 4)
            inside = shapely.contains_xy(f.geometry, x, y)
            got_x, got_y = np.concatenate([got_x, x[inside]]), np.concatenate([got_y, y[inside]])
        lons.append(got_x[:per])
        lats.append(got_y[:per])
        codes += [f.code] * per
    return np.concatenate(lons), np.concatenate(lats), codes


def signal_rows(lon, lat, codes, rng: random.Random):
    """Yield tuples for the signals table."""
    statuses = [s for s, _ in STATUSES]
    weights = [w for _, w in STATUSES]
    now = datetime(2026, 11, 27, tzinfo=UTC)
    for i in range(len(codes)):
        created = now - timedelta(minutes=rng.randrange(365 * 24 * 60))
        yield (str(uuid.UUID(int=rng.getrandbits(128), version=4)), created.isoformat(), codes[i],
               f"Signaal {i} bij de {rng.choice(('flat', 'school', 'speeltuin', 'winkels', 'sloot'))}",
               rng.choice(THEMES), rng.choice(("physical", "social", "both")),
               rng.choices(("low", "normal", "high"), (3, 6, 1))[0], rng.choices(statuses, weights)[0],
               float(lon[i]), float(lat[i]))


def view_bbox(lon: float, lat: float, zoom: int) -> str:
    """Return the bbox of a VIEW_W x VIEW_H pixel Web Mercator view centred on lon/lat."""
    world = 256 * 2**zoom
    cx = (lon + 180) / 360 * world
    cy = (1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * world

    def to_lonlat(px, py):
        lon_ = px / world * 360 - 180
        lat_ = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * py / world))))
        return lon_, lat_

    west, north = to_lonlat(cx - VIEW_W / 2, cy - VIEW_H / 2)
    east, south = to_lonlat(cx + VIEW_W / 2, cy + VIEW_H / 2)
    return f"{west:.6f},{south:.6f},{east:.6f},{north:.6f}"


def prepare(url: str, features) -> None:
    """Migrate and load the buurten (the app's own code paths)."""
    from flask_migrate import upgrade

    from app import create_app
    from app.accounts.themes import ensure_default_themes
    from app.buurten.importer import import_buurten
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        import_buurten(features)
        ensure_default_themes()
        db.session.commit()
        db.engine.dispose()


def load_postgis(url: str, rows) -> None:
    """COPY the signals in (indexes and signal_grid_counts kept current by triggers), then VACUUM ANALYZE."""
    engine = create_engine(url)
    buffer = io.StringIO()
    for r in rows:
        buffer.write("\t".join((r[0], r[1], r[1], r[1], r[2], r[3], r[4], r[5], r[6], r[7],
                                f"SRID=4326;POINT({r[8]!r} {r[9]!r})", "1", "f", "f", "0", "", "[]", "10")) + "\n")
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        with raw.cursor().copy(
            "COPY signals (id, created_at, updated_at, occurred_at, buurt_code, title, theme, domain, urgency, status, "
            "location, version, has_conflict, deleted, change_seq, description, photos, accuracy_m) FROM STDIN"
        ) as copy:
            copy.write(buffer.getvalue())
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE signals"))
        conn.execute(text("VACUUM ANALYZE signal_grid_counts"))
    engine.dispose()


def load_spatialite(url: str, rows) -> None:
    """Insert the signals with executemany; triggers keep the R*Tree and signal_grid_counts current."""
    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        conn = db.engine.raw_connection()
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO signals (id, created_at, updated_at, occurred_at, buurt_code, title, theme, domain, urgency, "
            "status, location, version, has_conflict, deleted, change_seq, description, photos, accuracy_m) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, MakePoint(?, ?, 4326), 1, 0, 0, 0, '', '[]', 10)",
            ((r[0].replace("-", ""), *[r[1][:26].replace("T", " ")] * 3, *r[2:8], r[8], r[9]) for r in rows),
        )
        conn.execute("COMMIT")
        conn.execute("ANALYZE")
        conn.close()
        db.engine.dispose()


def aggregate_rows(url: str) -> int:
    """Return how many rows signal_grid_counts holds (the work a low-zoom view reads at most)."""
    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        n = db.session.execute(text("SELECT count(*) FROM signal_grid_counts")).scalar_one()
        db.engine.dispose()
    return n


def measure(url: str, features, requests: int, seed: int) -> list[str]:
    """Time map requests per zoom and filter; return printable lines."""
    from app import create_app
    from app.accounts.users import create_user
    from app.extensions import db
    from app.map import clustering

    # Count the views answered from signal_grid_counts, to print which path each zoom took.
    aggregate_views = []
    real_aggregate_cells = clustering._aggregate_cells

    def counting_aggregate_cells(*args, **kwargs):
        aggregate_views.append(1)
        return real_aggregate_cells(*args, **kwargs)

    clustering._aggregate_cells = counting_aggregate_cells

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "LOGIN_RATE_LIMIT": "1000 per minute"})
    rng = random.Random(seed)
    lines = []
    with app.app_context():
        create_user("bench@muurtje.local", "Bench", "team", "Bench", [], "bench-wachtwoord")
        db.session.commit()
        client = app.test_client()
        credentials = {"email": "bench@muurtje.local", "password": "bench-wachtwoord"}
        response = client.post("/api/v1/auth/login", json=credentials)
        assert response.status_code == 200, response.get_json()
        centres = [f.geometry.representative_point() for f in features]
        for zoom in ZOOMS:
            for label, extra in (("all", {}), ("open", {"status": OPEN})):
                times, sizes, counts, features_n = [], [], [], []
                client.get("/api/v1/map/signals", query_string={"bbox": view_bbox(6.56, 52.99, zoom), "zoom": zoom})
                aggregate_views.clear()
                for _ in range(requests):
                    c = rng.choice(centres)
                    query = {"bbox": view_bbox(c.x, c.y, zoom), "zoom": zoom, **extra}
                    start = time.perf_counter()
                    response = client.get("/api/v1/map/signals", query_string=query)
                    times.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, response.get_json()
                    body = response.get_json()
                    sizes.append(len(response.data))
                    counts.append(body["total"])
                    features_n.append(len(body["features"]))
                q = statistics.quantiles(times, n=20)
                lines.append(
                    f"zoom {zoom:2d} {label:4s}  p50 {statistics.median(times):7.1f} ms  p95 {q[18]:7.1f} ms  "
                    f"payload median {statistics.median(sizes) / 1024:6.1f} KB max {max(sizes) / 1024:6.1f} KB  "
                    f"features max {max(features_n):4d}  signals in view median {int(statistics.median(counts)):7d}  "
                    f"aggregate {len(aggregate_views)}/{requests}"
                )
                print(lines[-1], flush=True)
        db.engine.dispose()
    clustering._aggregate_cells = real_aggregate_cells
    return lines


def run(dialect: str, features, total: int, requests: int, seed: int) -> None:
    """Create a scratch database, load it, measure, drop it."""
    print(f"\n## {dialect}: {total:,} signals over {len(features):,} buurten, {requests} views per line", flush=True)
    started = time.perf_counter()
    lon, lat, codes = points_in_buurten(features, total, np.random.default_rng(seed))
    rows = list(signal_rows(lon, lat, codes, random.Random(seed)))
    if dialect == "postgis":
        url = create_postgis_database()
        try:
            prepare(url, features)
            loading = time.perf_counter()
            load_postgis(url, rows)
            print(f"loaded {len(rows):,} signals in {time.perf_counter() - started:.0f} s (COPY with triggers + "
                  f"VACUUM ANALYZE {time.perf_counter() - loading:.0f} s), signal_grid_counts rows "
                  f"{aggregate_rows(url):,}", flush=True)
            measure(url, features, requests, seed)
        finally:
            drop_postgis_database(url)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            url = "sqlite:///" + str(Path(tmp) / "bench.sqlite")
            prepare(url, features)
            loading = time.perf_counter()
            load_spatialite(url, rows)
            print(f"loaded {len(rows):,} signals in {time.perf_counter() - started:.0f} s (inserts with triggers + "
                  f"ANALYZE {time.perf_counter() - loading:.0f} s), signal_grid_counts rows {aggregate_rows(url):,}",
                  flush=True)
            measure(url, features, requests, seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("postgis", "sqlite"))
    parser.add_argument("--signals", type=int, help="override the number of signals (default 1M / 100k)")
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--seed", type=int, default=20261127)
    args = parser.parse_args()
    features = read_buurten(NL).features
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores (shared), view {VIEW_W}x{VIEW_H} px")
    for dialect, default in (("postgis", 1_000_000), ("sqlite", 100_000)):
        if args.only in (None, dialect):
            run(dialect, features, args.signals or default, args.requests, args.seed)


if __name__ == "__main__":
    main()
