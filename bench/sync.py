"""Benchmark offline sync over HTTP: pushes of 200-mutation batches and a 50,000-record first pull.

For each database (PostGIS, SpatiaLite) a fresh database is created and gunicorn (2 workers) serves
it on loopback. Figures printed:

- push: signals created by two devices pushing 200-mutation batches at the same time, mutations/s
  over the wall time of all pushes (HTTP, JSON, validation, engine, commit);
- baseline: the same rows (records, their history and the per-mutation results) inserted with
  SQLAlchemy Core executemany, one transaction per 200, in one process, in the same run;
- pull: a team member's first pull of 50,000 records in pages of 1,000, total wall time (the client's
  JSON parsing included); on PostGIS also with the records serialised in Python, the path SQLite
  takes, as a baseline in the same run.

Usage (repository root): .venv/bin/python bench/sync.py [--mutations 20000] [--pull 50000] [--only postgis]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text  # noqa: E402

from app.database import configure_engine, engine_options  # noqa: E402
from app.models import RecordChange, Signal, SyncMutation  # noqa: E402
from tests.support import LiveServer, create_postgis_database, drop_postgis_database  # noqa: E402
from tests.sync.helpers import BUURT_A, BUURT_B, point_in, signal_fields, upsert  # noqa: E402
from tests.sync.http import HttpApi  # noqa: E402

BATCH = 200


def prepare(url: str) -> tuple[str, str]:
    """Migrate, load buurten, create a team user; return (email, password)."""
    from tests.conftest import _prepare  # noqa: PLC0415

    _prepare(url)
    from app import create_app  # noqa: PLC0415
    from app.accounts.users import create_user  # noqa: PLC0415
    from app.extensions import db  # noqa: PLC0415

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        create_user("bench@muurtje.local", "Bench", "team", None, [], "bench-wachtwoord")
        db.session.commit()
        db.engine.dispose()
    return "bench@muurtje.local", "bench-wachtwoord"


def bench_push(server: LiveServer, login: tuple[str, str], total: int) -> float:
    """Push `total` creates from two devices at once; return mutations/s."""
    per_device = total // 2
    bodies = []
    for _ in range(2):
        client, device = str(uuid.uuid4()), []
        for start in range(0, per_device, BATCH):
            mutations = [upsert(start + i + 1, "signal", str(uuid.uuid4()),
                                signal_fields(BUURT_A if i % 2 else BUURT_B)) for i in range(BATCH)]
            device.append({"client_id": client, "schema_version": 1, "mutations": mutations})
        bodies.append(device)
    apis = [HttpApi(server.url).login(*login) for _ in range(2)]
    failures = []

    def run(api: HttpApi, device: list) -> None:
        for body in device:
            status, result = api.request("POST", "/api/v1/sync/push", body)
            if status != 200 or any(r["status"] != "applied" for r in result["results"]):
                failures.append((status, str(result)[:300]))

    threads = [threading.Thread(target=run, args=(apis[i], bodies[i])) for i in range(2)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"push failed: {failures[0]}")
    return 2 * per_device / elapsed


def _rows(count: int, seq_start: int) -> list[tuple[list, list, list]]:
    """The rows a push of `count` signal creates writes, per 200: records, history, results."""
    now = datetime.now(UTC)
    client = uuid.uuid4()
    batches = []
    for start in range(0, count, BATCH):
        records, history, results = [], [], []
        for i in range(start, min(start + BATCH, count)):
            rid = uuid.uuid4()
            fields = signal_fields(BUURT_A)
            loc = fields["location"]
            records.append({
                "id": rid, "version": 1, "created_at": now, "updated_at": now, "has_conflict": False, "deleted": False,
                "change_seq": seq_start + i, "buurt_code": BUURT_A, "created_by_id": None,
                "location": f"SRID=4326;POINT({loc['lon']} {loc['lat']})", "accuracy_m": loc["accuracy_m"],
                "conversation_id": None, "title": fields["title"], "description": fields["description"],
                "theme": fields["theme"], "domain": fields["domain"], "urgency": fields["urgency"], "status": "new",
                "organisation_id": None, "assignee_id": None, "due_date": None, "photos": [], "done_at": None})
            history.append({"entity": "signal", "record_id": rid, "version": 1, "changed_by_id": None,
                            "changed_at": now, "changes": {k: [None, v] for k, v in fields.items()},
                            "source": "bench", "client_id": client, "mutation_id": i + 1})
            results.append({"client_id": client, "mutation_id": i + 1, "entity": "signal", "record_id": rid,
                            "status": "applied", "result": {"mutation_id": i + 1, "status": "applied",
                                                            "id": str(rid), "version": 1}, "created_at": now})
        batches.append((records, history, results))
    return batches


def bench_baseline(url: str, total: int) -> float:
    """Insert the same rows with Core executemany, a transaction per 200; return rows (mutations)/s."""
    engine = create_engine(url, **engine_options(url))
    configure_engine(engine)
    batches = _rows(total, 10_000_000)
    started = time.perf_counter()
    for records, history, results in batches:
        with engine.begin() as conn:
            conn.execute(insert(Signal.__table__), records)
            conn.execute(insert(RecordChange.__table__), history)
            conn.execute(insert(SyncMutation.__table__), results)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return total / elapsed


def seed_for_pull(url: str, count: int) -> None:
    """Put `count` more signals in the database with fresh change sequence numbers.

    A transaction per 200 rows, as pushes write them: in one transaction the map aggregate's trigger
    would update the same few grid rows tens of thousands of times, each update walking the chain of
    row versions the transaction left behind (quadratic; it took over 10 minutes for 46,000 rows).
    """
    engine = create_engine(url, **engine_options(url))
    configure_engine(engine)
    with engine.begin() as conn:
        last = conn.execute(text("SELECT value FROM sync_sequence WHERE id = 1")).scalar_one()
        conn.execute(text("UPDATE sync_sequence SET value = :v WHERE id = 1"), {"v": last + count})
    for records, _, _ in _rows(count, last + 1):
        with engine.begin() as conn:
            conn.execute(insert(Signal.__table__), records)
    engine.dispose()


def bench_pull(server: LiveServer, login: tuple[str, str]) -> tuple[float, int, int]:
    """Page through the whole feed as a new device; return (seconds, records, pages)."""
    api = HttpApi(server.url).login(*login)
    cursor, received, pages = None, 0, 0
    started = time.perf_counter()
    while True:
        status, body = api.request("GET", "/api/v1/sync/pull?limit=1000" + (f"&cursor={cursor}" if cursor else ""))
        if status != 200:
            raise RuntimeError(f"pull failed: {body}")
        received += len(body["changes"])
        pages += 1
        cursor = body["cursor"]
        if not body["has_more"]:
            return time.perf_counter() - started, received, pages


def run(dialect: str, mutations: int, pull_records: int) -> None:
    tmp = None
    if dialect == "postgis":
        url = create_postgis_database()
    else:
        tmp = tempfile.TemporaryDirectory()
        url = "sqlite:///" + str(Path(tmp.name) / "bench.sqlite")
    try:
        login = prepare(url)
        point_in(BUURT_A), point_in(BUURT_B)
        server = LiveServer(url, workers=2).start()
        try:
            push_rate = bench_push(server, login, mutations)
            base_rate = bench_baseline(url, mutations)
            print(f"## {dialect}")
            print(f"push      {push_rate:8,.0f} mutations/s  ({mutations:,} creates, 200 per push, 2 devices, "
                  "gunicorn 2 workers)")
            print(f"baseline  {base_rate:8,.0f} mutations/s  (same rows, Core executemany, 1 transaction per 200)")
            print(f"ratio     {push_rate / base_rate:8.0%}")
            present = 2 * mutations
            seed_for_pull(url, max(0, pull_records - present))
            seconds, received, pages = bench_pull(server, login)
            print(f"pull      {seconds:8.2f} s for {received:,} records in {pages} pages of 1,000 "
                  f"({received / seconds:,.0f} records/s)")
        finally:
            server.stop()
        if dialect == "postgis":
            # Baseline in the same run: the same pull with the records serialised in Python, as before.
            server = LiveServer(url, workers=2, env={"PULL_RENDERED_BY_DATABASE": "0"}).start()
            try:
                python_seconds, received, pages = bench_pull(server, login)
            finally:
                server.stop()
            print(f"pull (records serialised in Python) {python_seconds:8.2f} s for {received:,} records "
                  f"in {pages} pages; the database's rendering takes {seconds / python_seconds:.0%} of that")
    finally:
        if dialect == "postgis":
            drop_postgis_database(url)
        elif tmp:
            tmp.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mutations", type=int, default=20_000)
    parser.add_argument("--pull", type=int, default=50_000)
    parser.add_argument("--only", choices=["postgis", "sqlite"])
    args = parser.parse_args()
    for dialect in ([args.only] if args.only else ["postgis", "sqlite"]):
        run(dialect, args.mutations, args.pull)


if __name__ == "__main__":
    main()
