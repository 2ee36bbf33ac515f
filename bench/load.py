"""A day in the life at scale: locust against the production stack (nginx, app nodes, PostGIS).

Simulated people (headless, bounded; every figure per step of N devices):
- coordinators (field workers' phones): a first pull of their feed, then every THINK seconds — the
  phone's 60 s pull, or compressed in time with a smaller --think — a push of 1–5 new records and an
  incremental pull; now and then (1 in 8 cycles) a photo (a 60 KB JPEG, PUT /api/v1/attachments/<sha256>);
- team members moving over the map: map clusters for a moving view, the signal list;
- a manager: the per-buurt report and, now and then, a CSV export.

For N in --devices (e.g. 50,150,300): N coordinators plus N/10 team members and 1 manager, run for
--duration seconds each after a ramp-up; p50/p95 per request kind, errors and throughput. Requests go
through nginx (https, the deploy/ site) to --nodes gunicorn nodes (gunicorn.conf.py) on one PostGIS
primary (with a streaming replica for the read-only views, as in production).

Usage (repository root, as root: nginx and PostgreSQL are started here and stopped afterwards):
    .venv/bin/python bench/load.py --devices 50,150,300 --duration 60 --ramp 60 --think 60
"""

from __future__ import annotations

# locust patches the standard library (gevent): it must be imported before anything else.
from locust import FastHttpUser, between, events, task  # isort: skip
from locust.env import Environment  # isort: skip

import argparse  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import itertools  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.deploy.stack import Stack  # noqa: E402
from tests.sync.helpers import conversation_fields, point_in, signal_fields, upsert  # noqa: E402

BUURTEN = ["BU01060001", "BU01060200", "BU01060300"]
ASSEN_BBOX = (6.50, 52.96, 6.62, 53.03)
TOKENS: dict[str, list[str]] = {"field_worker": [], "team": [], "manager": []}
THINK = 10.0
PHOTO = b""


def photo_bytes() -> bytes:
    from PIL import Image

    image = Image.effect_noise((320, 240), 40).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def prepare(stack: Stack, devices: int, seed_signals: int) -> None:
    """Users with device tokens (issued directly: logins are not what is measured) and some signals."""
    from app import create_app
    from app.accounts.auth import issue_device_token
    from app.accounts.users import create_user
    from app.extensions import db
    from bench.sync import seed_for_pull

    app = create_app({"SQLALCHEMY_DATABASE_URI": stack.pg.primary_url})
    with app.app_context():
        wanted = {"field_worker": devices, "team": max(1, devices // 10), "manager": 1}
        for role, count in wanted.items():
            for i in range(count):
                user = create_user(f"{role}{i}@load.muurtje.local", f"Last {role} {i}", role,
                                   "Actium" if role == "team" else None,
                                   [BUURTEN[i % len(BUURTEN)]] if role == "field_worker" else [], "niet-gebruikt-1")
                db.session.flush()
                TOKENS[role].append(issue_device_token(user, "load")[1])
        db.session.commit()
        db.engine.dispose()
    seed_for_pull(stack.pg.primary_url, seed_signals)


class Phone(FastHttpUser):
    """A coordinator's phone."""

    weight = 10
    tokens = itertools.count()

    def on_start(self):
        token = TOKENS["field_worker"][next(self.tokens) % len(TOKENS["field_worker"])]
        self.headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "br, gzip",
                        "Content-Type": "application/json"}
        self.client_id, self.mutation, self.cursor = str(uuid.uuid4()), 0, None
        self.buurt = random.choice(BUURTEN)
        self.pull(name="first pull")

    def wait_time(self):
        return random.uniform(0.5, 1.5) * THINK

    def pull(self, name: str = "pull") -> None:
        while True:
            url = "/api/v1/sync/pull?limit=1000" + (f"&cursor={self.cursor}" if self.cursor else "")
            with self.client.get(url, headers=self.headers, name=name, catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"{response.status_code}")
                    return
                body = response.json()
            self.cursor = body["cursor"]
            if not body["has_more"]:
                return

    @task
    def cycle(self) -> None:
        mutations = []
        photos = []
        if random.random() < 1 / 8:
            data = PHOTO + uuid.uuid4().bytes  # a JPEG with trailing bytes: a new file each time
            sha = hashlib.sha256(data).hexdigest()
            with self.client.put(f"/api/v1/attachments/{sha}", data=data, name="photo", catch_response=True,
                                 headers={**self.headers, "Content-Type": "image/jpeg"}) as response:
                if response.status_code in (200, 201):
                    photos = [sha]
                else:
                    response.failure(f"{response.status_code}")
        for _ in range(random.randint(1, 5)):
            self.mutation += 1
            if random.random() < 0.5:
                fields = signal_fields(self.buurt, title=f"Signaal {self.mutation}", photos=photos)
                photos = []
                entity = "signal"
            else:
                fields = conversation_fields(self.buurt)
                entity = "conversation"
            mutations.append(upsert(self.mutation, entity, str(uuid.uuid4()), fields))
        body = {"client_id": self.client_id, "schema_version": 1, "mutations": mutations}
        with self.client.post("/api/v1/sync/push", json=body, headers=self.headers, name="push",
                              catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
            elif any(r["status"] not in ("applied", "duplicate") for r in response.json()["results"]):
                response.failure("mutation not applied: " + response.text[:200])
        self.pull()


class TeamMember(FastHttpUser):
    """A partner team member panning over the map and looking at the list."""

    weight = 1
    tokens = itertools.count()
    wait_time = between(2, 6)

    def on_start(self):
        token = TOKENS["team"][next(self.tokens) % len(TOKENS["team"])]
        self.headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "br, gzip"}
        self.lon, self.lat = 6.5625, 52.9925

    @task(4)
    def move_map(self) -> None:
        self.lon += random.uniform(-0.005, 0.005)
        self.lat += random.uniform(-0.003, 0.003)
        zoom = random.choice([13, 14, 15, 16])
        span = 0.08 / 2 ** (zoom - 13)
        bbox = f"{self.lon - span:.5f},{self.lat - span / 2:.5f},{self.lon + span:.5f},{self.lat + span / 2:.5f}"
        self.client.get(f"/api/v1/map/signals?bbox={bbox}&zoom={zoom}", headers=self.headers, name="map")

    @task(1)
    def signal_list(self) -> None:
        self.client.get("/api/v1/signals?per_page=50", headers=self.headers, name="signal list")


class Manager(FastHttpUser):
    """A programme manager with the report, now and then downloading an export."""

    fixed_count = 1
    wait_time = between(5, 15)

    def on_start(self):
        self.headers = {"Authorization": f"Bearer {TOKENS['manager'][0]}", "Accept-Encoding": "br, gzip"}

    @task(4)
    def report(self) -> None:
        self.client.get("/api/v1/reports/buurten", headers=self.headers, name="report")

    @task(1)
    def export(self) -> None:
        self.client.get("/api/v1/exports/signals?format=csv", headers=self.headers, name="export csv")


def run_step(env: Environment, devices: int, ramp_s: float, duration_s: float) -> dict:
    users = devices + max(1, devices // 10) + 1
    runner = env.runner
    runner.start(users, spawn_rate=max(1.0, users / ramp_s))
    gevent.sleep(ramp_s + THINK)  # everyone started and past their first pull
    env.stats.reset_all()
    started = time.monotonic()
    gevent.sleep(duration_s)
    elapsed = time.monotonic() - started
    rows = {}
    for (name, _method), entry in sorted(env.stats.entries.items()):
        rows[name] = {
            "requests": entry.num_requests, "failures": entry.num_failures,
            "p50": entry.get_response_time_percentile(0.5), "p95": entry.get_response_time_percentile(0.95),
            "rps": entry.num_requests / elapsed,
        }
    errors = {f"{e.name}: {e.error}": e.occurrences for e in env.stats.errors.values()}
    runner.stop()
    gevent.sleep(1)
    return {"devices": devices, "users": users, "seconds": elapsed, "rows": rows, "errors": errors}


def print_step(result: dict) -> None:
    total = sum(r["requests"] for r in result["rows"].values())
    failures = sum(r["failures"] for r in result["rows"].values())
    print(f"\n## {result['devices']} devices ({result['users']} simulated people), {result['seconds']:.0f} s measured")
    print(f"{'request':<14}{'count':>8}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}")
    for name, r in result["rows"].items():
        print(f"{name:<14}{r['requests']:>8}{r['failures']:>8}{r['p50']:>9.0f}{r['p95']:>9.0f}{r['rps']:>8.1f}")
    print(f"{'all':<14}{total:>8}{failures:>8}{'':>18}{total / result['seconds']:>8.1f}")
    for error, count in result["errors"].items():
        print(f"  error x{count}: {error[:200]}")


def main() -> None:
    global THINK, PHOTO
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", default="50,150,300", help="comma-separated steps of N coordinators")
    parser.add_argument("--duration", type=float, default=60, help="seconds measured per step")
    parser.add_argument("--ramp", type=float, default=60, help="seconds to start everyone per step")
    parser.add_argument("--think", type=float, default=60,
                        help="seconds between a phone's push+pull cycles (60: the field app's own)")
    parser.add_argument("--nodes", type=int, default=2, help="gunicorn nodes behind nginx")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per node")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker type: gthread, sync, gevent")
    parser.add_argument("--seed-signals", type=int, default=5000, help="signals in the database before the run")
    args = parser.parse_args()
    THINK, PHOTO = args.think, photo_bytes()
    steps = [int(n) for n in args.devices.split(",")]
    extra = [] if args.worker_class == "gthread" else ["-k", args.worker_class]
    if args.worker_class == "gevent":
        extra += ["--worker-connections", "100"]
    stack = Stack(nodes=args.nodes, workers=args.workers, gunicorn_args=extra)
    try:
        stack.start()
        prepare(stack, max(steps), args.seed_signals)
        point_in(BUURTEN[0])
        env = Environment(user_classes=[Phone, TeamMember, Manager], host=stack.url, events=events)
        env.create_local_runner()
        print(f"nginx {stack.url} -> {args.nodes} node(s) x {args.workers} worker(s) x {args.worker_class}; "
              f"PostGIS primary + replica; think time {THINK:.0f} s (a phone's 60 s cycle, {60 / THINK:.0f}x faster)")
        for devices in steps:
            print_step(run_step(env, devices, args.ramp, args.duration))
        env.runner.quit()
    finally:
        stack.stop()


if __name__ == "__main__":
    main()
