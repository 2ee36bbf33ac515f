"""The PWA's shell, manifest, service worker, icons and the themes API (no browser needed)."""

from __future__ import annotations

import io
import json

from PIL import Image

from app.field.pwa import shell_version


def test_manifest_makes_the_app_installable(client):
    response = client.get("/app/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    manifest = response.get_json()
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/app/"
    assert manifest["scope"] == "/app/" and manifest["theme_color"] and manifest["lang"] == "nl"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    for icon in manifest["icons"]:
        png = client.get(icon["src"])
        assert png.status_code == 200
        width, height = (int(n) for n in icon["sizes"].split("x"))
        assert Image.open(io.BytesIO(png.data)).size == (width, height)


def test_service_worker_is_scoped_to_app_and_versioned(client):
    response = client.get("/app/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/app/"
    assert "no-store" in response.headers["Cache-Control"]
    script = response.get_data(as_text=True)
    assert f'"{shell_version()}"' in script
    for url in ("/app/", "/static/pwa/app.js", "/static/pwa/sync.js", "/vendor/leaflet/leaflet.js"):
        assert f'"{url}"' in script or f'"{url}?v=' in script, url  # static files carry their version
    # Every file the worker stores at install must exist, or the install fails on the phone.
    start = script.index("const SHELL_FILES = ") + len("const SHELL_FILES = ")
    for url in json.loads(script[start : script.index(";\n", start)]):
        assert client.get(url).status_code == 200, url


def test_shell_page_carries_the_tile_url_and_needs_no_session(client, app):
    response = client.get("/app/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="nl">' in html and 'rel="manifest"' in html
    assert app.config["TILE_URL"].replace("/", "\\/") in html or app.config["TILE_URL"] in html


def test_themes_for_the_chips(api, client):
    assert client.get("/api/v1/themes").status_code == 401
    themes = api("field_worker").get("/api/v1/themes").get_json()
    codes = [t["code"] for t in themes]
    assert "groen" in codes and "eenzaamheid" in codes
    assert set(themes[0]) == {"code", "label", "domain", "active"}  # v1.1: retired themes exist (beheer)
