"""The field PWA: its shell page, web app manifest, service worker and icons under /app/."""

from __future__ import annotations

import base64
import hashlib
import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request, url_for
from markupsafe import Markup

from app import vocabulary

blp = Blueprint("pwa", __name__)

APP_ROOT = Path(__file__).resolve().parent.parent
PWA_STATIC = APP_ROOT / "static" / "pwa"
PWA_TEMPLATES = APP_ROOT / "templates" / "pwa"
THEME_COLOUR = "#0b5d3b"
BUURTEN_URL = "/api/v1/buurten?simplify=10"
LEAFLET_FILES = ("leaflet.js", "leaflet.css", "images/marker-icon.png", "images/marker-icon-2x.png",
                 "images/marker-shadow.png")


@cache
def shell_version(release: str = "") -> str:
    """Return a short hash of every shell file (and the deployment's release name), so each release
    gets its own service-worker cache and phones pick it up."""
    digest = hashlib.sha256(release.encode())
    for folder in (PWA_STATIC, PWA_TEMPLATES):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            digest.update(str(path.relative_to(APP_ROOT)).encode())
            digest.update(path.read_bytes())
    digest.update(vocabulary.module_source().encode())
    return digest.hexdigest()[:12]


def shell_files() -> list[str]:
    """Return the URLs the service worker stores at install: the page, modules, CSS, icons, Leaflet.

    Exactly the URLs the page itself requests (static files with `?v=`, modules through the import
    map), so the worker finds them in the HTTP cache instead of downloading them again.
    """
    static = [
        url_for("static", filename=f"pwa/{p.relative_to(PWA_STATIC).as_posix()}")
        for p in sorted(PWA_STATIC.rglob("*"))
        if p.is_file() and p.suffix in {".js", ".css", ".png"}
    ]
    leaflet = [url_for("vendor.leaflet", filename=name) for name in LEAFLET_FILES]
    return ["/app/", url_for("pwa.manifest"), vocabulary.URL, *static, *leaflet]


def import_map() -> str:
    """Return the shell's import map: every module's plain path to its versioned URL.

    Modules import each other by relative path (no build step); the map makes each of those imports
    ask for the file's versioned URL, which browsers may cache for a year (app.serving).
    """
    imports = {
        f"/static/pwa/{rel}": url_for("static", filename=f"pwa/{rel}")
        for rel in sorted(p.relative_to(PWA_STATIC).as_posix() for p in PWA_STATIC.rglob("*.js"))
    }
    return json.dumps({"imports": imports}, separators=(",", ":"))


@blp.get("/app/")
def shell():
    """Serve the app shell; data comes from IndexedDB and the API (Bearer token), so no sign-in here."""
    modules = import_map()
    response = Response(
        render_template(
            "pwa/shell.html",
            version=shell_version(current_app.config["RELEASE"]),
            tile_url=current_app.config["TILE_URL"],
            tile_attribution=current_app.config["TILE_ATTRIBUTION"],
            import_map=Markup(modules),
        )
    )
    # The inline import map is allowed by its hash, nothing else inline.
    digest = base64.b64encode(hashlib.sha256(modules.encode()).digest()).decode()
    response.headers["Content-Security-Policy"] = current_app.config["CONTENT_SECURITY_POLICY"].replace(
        "script-src 'self'", f"script-src 'self' 'sha256-{digest}'"
    )
    response.cache_control.no_cache = True
    # An ETag lets the service worker's precache revalidate the page it just loaded with a 304.
    response.add_etag()
    return response.make_conditional(request)


@blp.get("/app/manifest.webmanifest")
def manifest():
    """Describe the installable app: name, icons, standalone display, colours and start URL."""
    icons = [
        {"src": url_for("static", filename="pwa/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": url_for("static", filename="pwa/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {
            "src": url_for("static", filename="pwa/icons/maskable-512.png"),
            "sizes": "512x512",
            "type": "image/png",
            "purpose": "maskable",
        },
    ]
    body = {
        "name": "Muurtje – gesprekken in de buurt",
        "short_name": "Muurtje",
        "description": "Straatgesprekken, signalen en ideeën vastleggen, ook zonder bereik.",
        "lang": "nl",
        "id": "/app/",
        "start_url": "/app/",
        "scope": "/app/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": "#f6f5f1",
        "icons": icons,
    }
    response = current_app.response_class(
        current_app.json.dumps(body), mimetype="application/manifest+json"
    )
    response.cache_control.no_cache = True
    return response


@blp.get("/app/sw.js")
def service_worker():
    """Serve the service worker from /app/ so that its scope is /app/; never cached by the browser."""
    script = render_template(
        "pwa/sw.js",
        version=shell_version(current_app.config["RELEASE"]),
        shell_files=shell_files(),
        buurten_url=BUURTEN_URL,
    )
    response = Response(script, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/app/"
    response.cache_control.no_cache = True
    response.cache_control.no_store = True
    return response
