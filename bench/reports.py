"""Benchmark the per-buurt summary and a streamed 1,000,000-row export on PostGIS.

Run from the repository root: ``.venv/bin/python bench/reports.py`` (PostgreSQL at 127.0.0.1:5432,
or MUURTJE_TEST_PG=postgresql+psycopg://.../postgres). It creates a scratch database, loads Assen's 109
buurten (data/assen-buurten.geojson), bulk-loads records with ``INSERT ... SELECT ...
generate_series`` (default 1,000,000 signals + 500,000 conversations + 250,000 ideas, spread over
2023-2024, 2 % tombstones, 3 % without buurt), then times through the Flask test client as a manager:

- the summary ``GET /api/v1/reports/buurten`` (JSON) over everything and over one quarter, best of 3;
- ``GET /api/v1/exports/signals?format=csv`` (and geojson) read chunk by chunk: rows/s, and the
  process RSS before and at its highest during the stream (sampled after every chunk).

The scratch database is dropped at the end unless --keep is given.

``--xlsx-writers N`` times only the xlsx writers, without a database: N rows shaped like the signal
export's xlsx rows through the previous writer (openpyxl internals, bench/xlsx_openpyxl.py) and the
current one (app/xlsx_stream.py), in this same process, with rows/s, the ratio and RSS.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script without installing the project

from sqlalchemy import text  # noqa: E402

from tests.support import create_postgis_database, drop_postgis_database  # noqa: E402

ASSEN = ROOT / "data" / "assen-buurten.geojson"
THEMES = ("openbare_ruimte", "groen", "verkeer", "afval", "woning", "verduurzaming", "eenzaamheid", "armoede",
          "zorg", "jeugd", "overlast", "veiligheid", "ontmoeting", "participatie")


def rss_mb() -> float:
    """Return the resident set size of this process in MB (Linux /proc)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def load(db, signals: int, conversations: int, ideas: int) -> None:
    """Bulk-load records in SQL; buurt codes, themes, statuses and dates drawn at random."""
    codes = "ARRAY[" + ",".join(f"'{c}'" for c in db.session.scalars(text("SELECT code FROM buurten"))) + "]"
    themes = "ARRAY[" + ",".join(f"'{t}'" for t in THEMES) + "]"
    n_codes = codes.count(",") + 1
    pick_code = f"CASE WHEN random() < 0.03 THEN NULL ELSE ({codes})[1 + floor(random() * {n_codes})::int] END"
    pick_theme = f"({themes})[1 + floor(random() * {len(THEMES)})::int]"
    point = "ST_SetSRID(ST_MakePoint(6.50 + random() * 0.12, 52.96 + random() * 0.06), 4326)"
    common = "gen_random_uuid(), 1, s.t, s.t, false, random() < 0.02, s.g, " + pick_code + ", " + point + ", 8"
    common_cols = ("id, version, created_at, updated_at, has_conflict, deleted, change_seq, buurt_code, location, "
                   "accuracy_m")
    series = ("FROM (SELECT g, timestamptz '2023-01-01' + random() * interval '730 days' AS t, random() AS r "
              "FROM generate_series(1, {n}) g) s")
    statements = [
        f"""INSERT INTO signals ({common_cols}, occurred_at, title, description, theme, domain, urgency, status,
                due_date, photos, done_at)
            SELECT {common}, s.t, 'Signaal ' || s.g, 'Omschrijving van signaal ' || s.g, {pick_theme}, 'both', 'normal',
                (ARRAY['new','picked_up','in_progress','referred','done','done','done','not_actionable'])
                    [1 + floor(s.r * 8)::int],
                (s.t + random() * interval '60 days')::date, '[]'::jsonb,
                CASE WHEN floor(s.r * 8)::int IN (4, 5, 6) THEN s.t + random() * interval '45 days' END
            {series.format(n=signals)}""",
        f"""INSERT INTO conversations ({common_cols}, occurred_at, setting, residents_count, themes, summary,
                follow_up_needed)
            SELECT {common}, s.t, 'street', 1 + floor(s.r * 5)::int,
                jsonb_build_array({pick_theme}, {pick_theme}), 'Gesprek ' || s.g, s.r < 0.3
            {series.format(n=conversations)}""",
        f"""INSERT INTO ideas ({common_cols}, occurred_at, title, description, theme, initiators_count, support,
                budget_requested_cents, budget_granted_cents, status, photos)
            SELECT {common}, s.t, 'Idee ' || s.g, 'Omschrijving', {pick_theme}, 2, '["money"]'::jsonb,
                (50000 + s.r * 100000)::bigint,
                CASE WHEN s.r < 0.3 THEN (25000 + s.r * 50000)::bigint END,
                CASE WHEN s.r < 0.3 THEN 'granted' ELSE 'idea' END, '[]'::jsonb
            {series.format(n=ideas)}""",
    ]
    for statement in statements:
        db.session.execute(text(statement))
    db.session.commit()
    for table in ("signals", "conversations", "ideas"):
        db.session.execute(text(f"ANALYZE {table}"))
    db.session.commit()


def best_of(runs: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def stream_export(client, url: str) -> tuple[float, int, int, float, float]:
    """Read an export chunk by chunk; return seconds, records, bytes, RSS before and peak RSS (MB)."""
    before = peak = rss_mb()
    start = time.perf_counter()
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    records = int(response.headers["X-Record-Count"])
    size = 0
    for chunk in response.response:  # about 1,000 rows per chunk (64 KB for xlsx)
        size += len(chunk)
        peak = max(peak, rss_mb())
    response.close()
    elapsed = time.perf_counter() - start
    return elapsed, records, size, before, max(peak, rss_mb())


def xlsx_rows(n: int):
    """Yield n rows like the signal export's xlsx rows (22 cells: ids, times, codes, labels, text, floats)."""
    from datetime import datetime, timedelta

    base = datetime(2024, 1, 1, 9, 30)
    statuses = ("Nieuw", "Opgepakt", "In behandeling", "Afgerond")
    for i in range(n):
        when = base + timedelta(minutes=i)
        yield [f"{i:08x}-6b1c-4a7e-9111-1f0e2d3c4b5a", 1 + i % 4, when, when, "BU01060200", "Oude Molenbuurt",
               6.55 + (i % 1000) / 50_000, 52.99 + (i % 997) / 50_000, 8.0, None, f"Losliggende tegels {i}",
               "Bij de ingang van het BIC liggen tegels los & er is een gat.", "Openbare ruimte", "Fysiek",
               "Normaal", statuses[i % 4], "Actium" if i % 3 else None, None, None, None, "", "nee"]


XLSX_HEADER = ["ID", "Versie", "Aangemaakt op", "Gewijzigd op", "Buurtcode", "Buurt", "Lengtegraad", "Breedtegraad",
               "Nauwkeurigheid (m)", "Gesprek (ID)", "Titel", "Omschrijving", "Thema", "Domein", "Urgentie", "Status",
               "Organisatie", "Behandelaar", "Streefdatum", "Afgerond op", "Foto's (sha256)", "Conflict"]


def time_writer(name: str, writer, n: int) -> float:
    """Stream n rows through a writer; print and return rows/s (RSS sampled after every chunk)."""
    # The rows are made first, so that only the writer is timed (making them costs ~4 µs a row here).
    rows = list(xlsx_rows(n))
    before = peak = rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    size = 0
    for chunk in writer("Signalen", XLSX_HEADER, iter(rows)):
        size += len(chunk)
        peak = max(peak, rss_mb())
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    # CPU seconds: on a machine shared with other work the wall clock also counts time spent waiting.
    print(f"xlsx writer {name:<9} {n:>9,} rows in {seconds:6.2f} s = {n / seconds:>8,.0f} rows/s "
          f"({cpu:.2f} CPU s = {n / cpu:,.0f} rows per CPU second), {size / 1e6:6.1f} MB; "
          f"RSS {before:.0f} MB before, peak {peak:.0f} MB during")
    return n / seconds


def compare_xlsx_writers(n: int) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from xlsx_openpyxl import xlsx_stream as previous

    from app.reports.xlsx_stream import xlsx_stream as current

    print(f"machine: {platform.python_version()} on {os.cpu_count()} cores (shared), load {os.getloadavg()[0]:.1f}")
    old = time_writer("openpyxl", previous, n)
    new = time_writer("current", current, n)
    print(f"ratio current/openpyxl: {new / old:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--signals", type=int, default=1_000_000)
    parser.add_argument("--conversations", type=int, default=500_000)
    parser.add_argument("--ideas", type=int, default=250_000)
    parser.add_argument("--formats", default="csv,geojson", help="export formats to time (csv,geojson,xlsx)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--xlsx-writers", type=int, default=0, metavar="N",
                        help="only compare the xlsx writers on N rows (no database)")
    args = parser.parse_args()
    if args.xlsx_writers:
        compare_xlsx_writers(args.xlsx_writers)
        return

    from flask_migrate import upgrade

    from app import create_app
    from app.accounts.themes import ensure_default_themes
    from app.accounts.users import create_user
    from app.buurten.importer import import_buurten
    from app.extensions import db
    from geo.buurten import read_buurten
    from tests.support import ApiClient

    url = create_postgis_database()
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            import_buurten(read_buurten(ASSEN).features)
            ensure_default_themes()
            password = uuid.uuid4().hex
            create_user("bench@muurtje.local", "Bench", "manager", None, [], password)
            db.session.commit()
            start = time.perf_counter()
            load(db, args.signals, args.conversations, args.ideas)
            total = args.signals + args.conversations + args.ideas
            print(f"machine: {platform.python_version()} on {os.cpu_count()} cores (shared)")
            print(f"loaded {total:,} records ({args.signals:,} signals, {args.conversations:,} conversations, "
                  f"{args.ideas:,} ideas) over 109 Assen buurten in {time.perf_counter() - start:.1f} s")

            client = ApiClient(app.test_client())
            client.login("bench@muurtje.local", password)
            for label, query in (("all time", ""), ("one quarter", "?from=2024-04-01&to=2024-06-30")):
                seconds, response = best_of(3, lambda q=query: client.get("/api/v1/reports/buurten" + q))
                body = response.get_json()
                print(f"summary {label:<12} {seconds:6.2f} s  (best of 3; {len(body['buurten'])} rows, "
                      f"{body['totals']['signals_total']:,} signals, {body['totals']['conversations']:,} "
                      f"conversations, {body['totals']['ideas_total']:,} ideas)")

            for fmt in [f for f in args.formats.split(",") if f]:
                seconds, rows, size, before, peak = stream_export(client, f"/api/v1/exports/signals?format={fmt}")
                print(f"export signals {fmt:<8} {rows:>9,} rows in {seconds:6.1f} s = {rows / seconds:>8,.0f} rows/s,"
                      f" {size / 1e6:7.1f} MB; RSS {before:.0f} MB before, peak {peak:.0f} MB during")
    finally:
        if not args.keep:
            drop_postgis_database(url)


if __name__ == "__main__":
    main()
