"""Gunicorn settings for Muurtje (read from the working directory by `gunicorn wsgi:app`).

Used by `make run`, the test suite's LiveServer and the systemd unit in deploy/. Every setting can be
overridden on the command line (`gunicorn -b ... -w ...`) or with the environment variables below.

Worker type: gthread (measured against sync and gevent, see docs/performance.md "Web server"). The main
thread of each worker accepts connections and waits for their first bytes without holding a thread;
a request that stalls half-way holds one thread for at most MUURTJE_CLIENT_TIMEOUT seconds, never the
worker. gevent was not chosen: SQLite (the embedded default) and the spatial C code block its event
loop, so one slow query would stall every connection of that worker. Behind nginx (deploy/) requests
reach gunicorn only once complete, so slow phones never reach an app thread at all.
"""

import os

from gunicorn.workers import gthread

bind = os.environ.get("MUURTJE_BIND", "127.0.0.1:" + os.environ.get("PORT", "5000"))
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("MUURTJE_THREADS", "8"))
# Connections a worker keeps (kept-alive or waiting for their first bytes) besides its busy threads.
worker_connections = 1000
keepalive = 5
# A worker that does not report for this long (a request stuck in the database) is restarted.
timeout = 60
graceful_timeout = 30
# Restart workers now and then so that a slow leak cannot grow without bound.
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("MUURTJE_ACCESS_LOG", "-") or None  # "" turns it off
errorlog = "-"
# Only what a proxy on this machine says about the client is believed (see TRUSTED_PROXIES in the app).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# How long one read from (or write to) a client may block an app thread once its request started.
CLIENT_TIMEOUT = float(os.environ.get("MUURTJE_CLIENT_TIMEOUT", "15"))


class _BoundedConn(gthread.TConn):
    """gthread's connection with a socket timeout while a thread reads the request or writes the answer.

    gthread sets the socket to blocking (no timeout) before a thread parses a request: a phone that
    sends half a request and vanishes would hold that thread until TCP gives up (minutes). With this
    timeout the thread drops the connection after CLIENT_TIMEOUT seconds of silence.
    """

    def init(self):
        super().init()
        self.sock.settimeout(CLIENT_TIMEOUT)


gthread.TConn = _BoundedConn
