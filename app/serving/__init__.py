"""How responses travel: compression, cache headers for static files, and trusting a proxy's headers.

- Text responses over 1 KB are compressed (brotli or gzip, as the client accepts), streamed ones
  (exports) chunk by chunk.
- Static files are linked with `?v=<hash of the file>` (Leaflet with its release); a request whose
  `v` matches the file now served may be cached for a year, anything else is revalidated each time.
  So a phone never keeps an old module, and a page of a new release never gets a file of the old
  one cached for long from a node that has not been upgraded yet.
- `TRUSTED_PROXIES=<n>`: trust n hops of X-Forwarded-For/-Proto/-Host/-Port (werkzeug's ProxyFix),
  so limits see the phone's address and redirects and secure cookies know it was https.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, Response, current_app, request
from flask_compress import Compress
from werkzeug.middleware.proxy_fix import ProxyFix

ONE_YEAR = 365 * 24 * 3600
COMPRESSED_TYPES = [
    "text/html", "text/css", "text/plain", "text/csv", "text/javascript", "application/javascript",
    "application/json", "application/problem+json", "application/geo+json", "application/manifest+json",
    "image/svg+xml",
]

compress = Compress()


@cache
def _file_version(path: str, mtime_ns: int) -> str:
    digest = hashlib.sha256(Path(path).read_bytes())
    return digest.hexdigest()[:10]


def static_version(filename: str) -> str | None:
    """Return the short content hash of a file under the static folder (None when it does not exist)."""
    path = Path(current_app.static_folder) / filename
    try:
        stat = path.stat()
    except OSError:
        return None
    return _file_version(str(path), stat.st_mtime_ns)


def _vendor_version() -> str:
    from app.field.vendor import leaflet_version  # noqa: PLC0415 - the vendor module owns its package

    return leaflet_version()


def _add_version(endpoint: str, values: dict) -> None:
    """url_for("static", filename=...) and url_for("vendor.leaflet", ...) get `v=<version>`."""
    if "v" in values:
        return
    if endpoint == "static" and (version := static_version(values.get("filename", ""))):
        values["v"] = version
    elif endpoint == "vendor.leaflet":
        values["v"] = _vendor_version()


def _cache_headers(response: Response) -> Response:
    if request.endpoint not in ("static", "vendor.leaflet") or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    current = static_version(filename) if request.endpoint == "static" else _vendor_version()
    if current and request.args.get("v") == current:
        response.cache_control.no_cache = None  # send_file's default
        response.cache_control.public = True
        response.cache_control.max_age = ONE_YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.max_age = None
        response.cache_control.no_cache = True
    return response


def init_app(app: Flask) -> None:
    """Install compression, versioned static URLs with their cache headers, and ProxyFix."""
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["br", "gzip"])
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config.setdefault("COMPRESS_STREAMING_ENDPOINT_CONDITIONAL", ["static", "vendor.leaflet"])
    compress.init_app(app)
    app.url_defaults(_add_version)
    app.after_request(_cache_headers)
    if hops := app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
