"""Benchmark the public buurt overview (GET /api/v1/public/buurten/<code>) on PostGIS.

Run from the repository root: ``.venv/bin/python bench/public_buurt.py`` (PostgreSQL at 127.0.0.1:5432,
or MUURTJE_TEST_PG=...). It creates a scratch database with Assen's 109 buurten, bulk-loads records
the way bench/reports.py does (default 1,000,000 signals + 500,000 conversations + 250,000 ideas),
moves their dates into the last 24 months, marks 1 in 50 done signals and realised ideas public, and
times, without sign-in, through the Flask test client:

- the overview computed afresh (server cache off), best of 5, for the buurt with the most records;
- the same request served from the per-process cache, best of 50;
- a conditional request with the ETag (304), best of 50.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script without installing the project

from sqlalchemy import text  # noqa: E402

from bench.reports import ASSEN, best_of, load  # noqa: E402
from tests.support import create_postgis_database, drop_postgis_database  # noqa: E402


def make_recent_and_public(db) -> None:
    """Move the 2023-2024 dates of bench/reports.py's load to the last 24 months; publish a few."""
    offset = "(now() - timestamptz '2025-01-01')"
    db.session.execute(text(f"UPDATE conversations SET occurred_at = occurred_at + {offset}, "
                            f"created_at = created_at + {offset}"))
    db.session.execute(text(f"UPDATE signals SET created_at = created_at + {offset}, "
                            f"done_at = done_at + {offset}, public = (change_seq % 50 = 0), "
                            "public_note = 'Opgelost: ' || title"))
    db.session.execute(text(f"UPDATE ideas SET created_at = created_at + {offset}, "
                            f"status_changed_at = created_at + {offset} + interval '30 days', "
                            "status = CASE WHEN status = 'granted' AND change_seq % 3 = 0 THEN 'realised' "
                            "ELSE status END, public = (change_seq % 50 = 0), public_note = 'Gelukt: ' || title"))
    db.session.commit()
    for table in ("signals", "conversations", "ideas"):
        db.session.execute(text(f"ANALYZE {table}"))
    db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--conversations", type=int, default=500_000)
    parser.add_argument("--ideas", type=int, default=250_000)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from app import create_app
    from app.buurten.importer import import_buurten
    from app.cli import ensure_default_themes
    from app.extensions import db
    from geo.buurten import read_buurten

    url = create_postgis_database()
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            import_buurten(read_buurten(ASSEN).features)
            ensure_default_themes()
            db.session.commit()
            load(db, args.signals, args.conversations, args.ideas)
            make_recent_and_public(db)
            code, count = db.session.execute(text(
                "SELECT buurt_code, count(*) FROM signals WHERE buurt_code IS NOT NULL "
                "GROUP BY buurt_code ORDER BY 2 DESC LIMIT 1")).one()
            db.session.rollback()
            print(f"machine: {platform.python_version()} on {os.cpu_count()} cores (shared)")
            print(f"{args.signals:,} signals, {args.conversations:,} conversations, {args.ideas:,} ideas; "
                  f"buurt {code} has {count:,} signals")
            client = app.test_client()
            path = f"/api/v1/public/buurten/{code}"
            app.config["PUBLIC_CACHE_SECONDS"] = 0
            seconds, response = best_of(5, lambda: client.get(path))
            body = response.get_json()
            print(f"fresh:  {seconds * 1000:7.1f} ms (best of 5; {len(body['done'])} done, "
                  f"{len(body['realised_ideas'])} realised, {body['figures']['signals_total']:,} signals in 12 months)")
            app.config["PUBLIC_CACHE_SECONDS"] = 60
            client.get(path)
            seconds, response = best_of(50, lambda: client.get(path))
            print(f"cached: {seconds * 1000:7.1f} ms (best of 50)")
            etag = response.headers["ETag"]
            seconds, response = best_of(50, lambda: client.get(path, headers={"If-None-Match": etag}))
            assert response.status_code == 304
            print(f"304:    {seconds * 1000:7.1f} ms (best of 50, If-None-Match)")
    finally:
        drop_postgis_database(url)


if __name__ == "__main__":
    main()
