"""The production stack on real parts, for tests/deploy and bench/load.py.

- PostgreSQL + PostGIS: a primary of our own (initdb into a temporary directory, free port) and a real
  streaming replica made from it with pg_basebackup, optionally applying WAL with a delay
  (`recovery_min_apply_delay`). Both run as `postgres` through runuser and are stopped afterwards.
- Redis on 127.0.0.1:6379 (scripts/start-redis.sh) with a key prefix of our own, for the limits.
- App nodes: gunicorn (gunicorn.conf.py) on free loopback ports, as LiveServer.
- nginx: Debian's, running deploy/nginx/muurtje.conf with a self-signed certificate made here, the
  node ports as upstreams and loopback ports instead of 80/443.
"""

from __future__ import annotations

import os
import re
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

from tests.support import ROOT, LiveServer, free_port

PG_BIN = Path(sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))[-1]) \
    if Path("/usr/lib/postgresql").exists() else Path("/usr/lib/postgresql/15/bin")
SITE = ROOT / "deploy" / "nginx" / "muurtje.conf"
SECRET = "deploy-test-" + "0" * 52


def _postgres(*cmd: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", "postgres", "--", *cmd], check=True, capture_output=True,
                          text=True, **kwargs)


class PostgresPair:
    """A PostGIS primary and a streaming replica of it, in a temporary directory."""

    def __init__(self, apply_delay_ms: int = 0):
        self.apply_delay_ms = apply_delay_ms
        self.root = Path(tempfile.mkdtemp(prefix="muurtje-pg-"))
        shutil.chown(self.root, "postgres", "postgres")
        self.primary_dir, self.replica_dir = self.root / "primary", self.root / "replica"
        self.primary_port, self.replica_port = free_port(), free_port()
        self.started: list[Path] = []

    def url(self, port: int, database: str = "muurtje") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica_url(self) -> str:
        return self.url(self.replica_port)

    def _settings(self, data: Path, port: int, extra: str = "") -> None:
        conf = data / "postgresql.conf"
        with conf.open("a") as f:
            f.write(f"\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{self.root}'\n"
                    "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nshared_buffers = 64MB\n"
                    "max_connections = 200\nwal_level = replica\nmax_wal_senders = 4\n" + extra)

    def _start(self, data: Path) -> None:
        _postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(self.root / f"{data.name}.log"),
                  "-w", "-t", "120", "start")
        self.started.append(data)

    def start(self) -> PostgresPair:
        _postgres(str(PG_BIN / "initdb"), "-D", str(self.primary_dir), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-locale")
        self._settings(self.primary_dir, self.primary_port)
        self._start(self.primary_dir)
        _postgres(str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres", "-c",
                  "CREATE DATABASE muurtje")
        _postgres(str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
                  "-d", "muurtje", "-c", "CREATE EXTENSION postgis")
        # The replica: a base backup streamed from the primary, started as a hot standby (-R).
        _postgres(str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
                  "-D", str(self.replica_dir), "-R", "-X", "stream", "-c", "fast")
        self._settings(self.replica_dir, self.replica_port,
                       f"hot_standby = on\nrecovery_min_apply_delay = {self.apply_delay_ms}\n")
        self._start(self.replica_dir)
        return self

    def is_streaming(self) -> bool:
        out = _postgres(str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
                        "-tAc", "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'").stdout
        return out.strip() == "1"

    def wait_for_replay(self, timeout_s: float = 120) -> None:
        """Wait until the replica has replayed everything the primary had written when called."""
        psql = [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-U", "postgres", "-tA"]
        lsn = _postgres(*psql, "-p", str(self.primary_port), "-c", "SELECT pg_current_wal_insert_lsn()").stdout.strip()
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            done = _postgres(*psql, "-p", str(self.replica_port), "-c",
                             f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn").stdout.strip()
            if done == "t":
                return
            time.sleep(0.3)
        raise TimeoutError("replica did not catch up")

    def stop(self) -> None:
        for data in reversed(self.started):
            subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(data), "-m",
                            "immediate", "-w", "stop"], capture_output=True, check=False)
        shutil.rmtree(self.root, ignore_errors=True)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """Make a certificate for 127.0.0.1 and localhost, valid for a day."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


def render_site(https_port: int, http_port: int, cert: Path, key: Path, upstreams: list[int]) -> str:
    """deploy/nginx/muurtje.conf with this machine's ports, certificate, paths and app nodes."""
    import xstatic.pkg.leaflet as xleaflet

    site = SITE.read_text()
    replacements = [
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/letsencrypt/live/muurtje.example.nl/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/muurtje.example.nl/privkey.pem", str(key)),
        ("/srv/muurtje/app/static/", f"{ROOT}/app/static/"),
        ("/srv/muurtje/.venv/lib/python3.11/site-packages/xstatic/pkg/leaflet/data/", f"{xleaflet.BASE_DIR}/"),
        ("root /var/www/letsencrypt;", f"root {cert.parent};"),
    ]
    for old, new in replacements:
        assert old in site, old
        site = site.replace(old, new)
    site = re.sub(r"\n\s*listen \[::\]:\d+[^;]*;", "", site)
    servers = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in upstreams)
    site = re.sub(r"    server 127\.0\.0\.1:8000[^;]*;", servers, site)
    return site


class Nginx:
    """Debian's nginx with the project's site, as root, everything it writes in a temporary folder."""

    def __init__(self, upstreams: list[int]):
        self.folder = Path(tempfile.mkdtemp(prefix="muurtje-nginx-"))
        self.https_port, self.http_port = free_port(), free_port()
        self.url = f"https://127.0.0.1:{self.https_port}"
        cert, key = self_signed_certificate(self.folder)
        tmp = self.folder
        conf = f"""daemon off;
user root;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{render_site(self.https_port, self.http_port, cert, key, upstreams)}
}}
"""
        (self.folder / "nginx.conf").write_text(conf)
        self.process: subprocess.Popen | None = None

    def start(self) -> Nginx:
        conf = str(self.folder / "nginx.conf")
        check = subprocess.run(["nginx", "-t", "-c", conf], capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stderr
        self.process = subprocess.Popen(["nginx", "-c", conf], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if https_get(self.url + "/healthz", timeout=5)[0] == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("nginx did not answer: " + (self.folder / "error.log").read_text()[-2000:])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def insecure_context() -> ssl.SSLContext:
    """TLS without verification: the test certificate is self-signed."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def https_get(url: str, timeout: float = 10, headers: dict | None = None) -> tuple[int, dict, bytes]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=insecure_context()) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


class Stack:
    """Primary + replica, Redis, two app nodes and nginx in front."""

    def __init__(self, apply_delay_ms: int = 0, nodes: int = 2, workers: int = 1,
                 gunicorn_args: list[str] | None = None):
        self.pg = PostgresPair(apply_delay_ms)
        self.gunicorn_args = gunicorn_args or []
        self.redis_prefix = f"muurtje-deploy-{uuid.uuid4().hex[:8]}"
        self.nodes_count, self.workers = nodes, workers
        self.nodes: list[LiveServer] = []
        self.nginx: Nginx | None = None

    def start(self) -> Stack:
        from tests.conftest import _prepare

        self.pg.start()
        _prepare(self.pg.primary_url)
        env = {
            "DATABASE_REPLICA_URL": self.pg.replica_url,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "RATELIMIT_KEY_PREFIX": self.redis_prefix,
            "TRUSTED_PROXIES": "1",
            "SECRET_KEY": SECRET,
            "SESSION_COOKIE_SECURE": "1",
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "TILE_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png",
            "MUURTJE_ACCESS_LOG": "",
        }
        self.nodes = [LiveServer(self.pg.primary_url, workers=self.workers, env=env, args=self.gunicorn_args)
                      for _ in range(self.nodes_count)]
        errors: list[BaseException] = []

        def start(node: LiveServer) -> None:
            try:
                node.start()
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=start, args=(node,)) for node in self.nodes]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if errors:
            raise errors[0]
        self.nginx = Nginx([node.port for node in self.nodes]).start()
        return self

    @property
    def url(self) -> str:
        return self.nginx.url

    def stop(self) -> None:
        if self.nginx:
            self.nginx.stop()
        for node in self.nodes:
            node.stop()
        self.pg.stop()
        try:
            import redis

            client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
            for key in client.scan_iter(f"*{self.redis_prefix}*"):
                client.delete(key)
        except Exception:  # noqa: BLE001 - Redis already gone: nothing to clean
            pass


def kill_node(node: LiveServer) -> None:
    """Kill an app node at once, as a crashed machine: its gunicorn master and workers, SIGKILL."""
    import psutil

    master = psutil.Process(node.process.pid)
    for process in [*master.children(recursive=True), master]:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    node.process.wait(10)


def env_has_nginx() -> bool:
    return shutil.which("nginx") is not None and os.geteuid() == 0
