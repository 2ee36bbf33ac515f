"""Test helpers shared by API, sync and browser tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
ASSEN = ROOT / "data" / "assen-buurten.geojson"
PG_ADMIN_URL = os.environ.get("MUURTJE_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


class ApiClient:
    """A Flask test client that signs in and sends the CSRF token on writes."""

    def __init__(self, client):
        self.client = client
        self.csrf: str | None = None
        self.user: dict | None = None
        self.bearer: str | None = None

    def login(self, email: str, password: str, **extra) -> dict:
        response = self.client.post("/api/v1/auth/login", json={"email": email, "password": password, **extra})
        assert response.status_code == 200, response.get_json()
        self.user = response.get_json()
        self.csrf = self.user["csrf_token"]
        return self.user

    def _headers(self, headers: dict | None) -> dict:
        headers = dict(headers or {})
        if self.csrf:
            headers.setdefault("X-CSRF-Token", self.csrf)
        if self.bearer:
            headers.setdefault("Authorization", f"Bearer {self.bearer}")
        return headers

    def open(self, method: str, url: str, **kwargs):
        kwargs["headers"] = self._headers(kwargs.get("headers"))
        return self.client.open(url, method=method, **kwargs)

    def get(self, url, **kw):
        return self.open("GET", url, **kw)

    def post(self, url, **kw):
        return self.open("POST", url, **kw)

    def put(self, url, **kw):
        return self.open("PUT", url, **kw)

    def patch(self, url, **kw):
        return self.open("PATCH", url, **kw)

    def delete(self, url, **kw):
        return self.open("DELETE", url, **kw)


def create_postgis_database() -> str:
    """Create a fresh PostGIS database for this test run and return its URL."""
    name = f"muurtje_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    engine.dispose()
    return url


def drop_postgis_database(url: str) -> None:
    """Drop a database made by create_postgis_database."""
    name = url.rsplit("/", 1)[1]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """gunicorn serving wsgi:app on loopback against a given database, with the settings of
    gunicorn.conf.py (read from the repository root) as in production; `args` adds or overrides some."""

    def __init__(self, database_url: str, workers: int = 2, env: dict | None = None, args: list[str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.database_url = database_url
        self.workers = workers
        self.env = env or {}
        self.args = args or []
        self.process: subprocess.Popen | None = None

    def start(self) -> LiveServer:
        env = {**os.environ, "DATABASE_URL": self.database_url, "MUURTJE_ENV": "development", **self.env}
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.process = subprocess.Popen(
            [gunicorn, "-c", str(ROOT / "gunicorn.conf.py"), "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}",
             "--timeout", "120", *self.args, "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        # Generous: on a busy shared machine importing the app alone has taken over 30 s.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited: " + self.process.stderr.read().decode()[-2000:])
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not become healthy within 120 s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def check_accessibility(page, screen: str) -> None:
    """Run axe-core (WCAG 2.1 A/AA rules) in a playwright page; fail on serious or critical violations."""
    import axe_playwright_python

    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(Path(axe_playwright_python.__file__).parent / "axe.min.js"))

    def serious_violations() -> list[str]:
        result = page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        )
        return [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]

    serious = serious_violations()
    if serious:
        # A page still drawing (a map layer arriving) can replace nodes while axe walks them; axe then
        # reports against ':root'. A real violation is still there a moment later.
        page.wait_for_timeout(1000)
        serious = serious_violations()
    assert not serious, f"axe-core on {screen}:\n" + "\n".join(serious)


def only_loopback(context, base_url: str) -> None:
    """Abort every browser request that does not go to our server (map tiles): tests run offline."""
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base_url)
                  else route.abort())


def wait_for_path(page, path: str) -> None:
    """Wait until the page is at `path` itself: a glob like "**/kaart" already matches /login?next=/kaart."""
    page.wait_for_url(lambda url: urlsplit(url).path == path)


def sign_in_on_login_page(page, email: str, password: str) -> None:
    """Fill in and send the /login form the page was redirected to."""
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")


#: The buurt that takes over a strip of its neighbour in `assen_with_moved_boundary`, and that neighbour.
GROWING_BUURT, SHRINKING_BUURT = "BU01060000", "BU01060001"  # Brinkkwartier, Erfgoedkwartier


def assen_with_moved_boundary() -> tuple[dict, tuple[float, float]]:
    """Return the Assen file with one boundary moved, and a (lon, lat) in the strip that changed buurt.

    Brinkkwartier takes over the part of Erfgoedkwartier within about 40-65 m of it: a point there lies
    in Erfgoedkwartier before and in Brinkkwartier after, well away from the new edge.
    """
    import json

    import shapely
    from shapely.geometry import mapping, shape

    doc = json.loads(ASSEN.read_text())
    by_code = {f["properties"]["buurtcode"]: f for f in doc["features"]}
    grow, shrink = (shape(by_code[c]["geometry"]) for c in (GROWING_BUURT, SHRINKING_BUURT))
    strip = shrink.intersection(grow.buffer(0.0006))
    by_code[GROWING_BUURT]["geometry"] = mapping(shapely.union(grow, strip))
    by_code[SHRINKING_BUURT]["geometry"] = mapping(shrink.difference(strip))
    inside = strip.buffer(-0.0001).representative_point()
    return doc, (inside.x, inside.y)
