"""Compression, cache headers of static files and the service worker, and TRUSTED_PROXIES."""

from __future__ import annotations

import gzip
import re

import brotli
import pytest

from app import create_app


def _versioned(html: str, path: str) -> str:
    match = re.search(re.escape(path) + r"\?v=[0-9a-zA-Z.]+", html)
    assert match, f"{path} is not linked with a version"
    return match.group(0)


@pytest.mark.parametrize("encoding, decode", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_text_over_1kb_is_compressed(client, encoding, decode):
    plain = client.get("/api/v1/openapi.json")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers
    packed = client.get("/api/v1/openapi.json", headers={"Accept-Encoding": f"{encoding}, identity"})
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 3
    assert decode(packed.data) == plain.data


def test_small_answers_and_images_stay_plain(client):
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip, br"})
    assert len(small.data) < 1024 and "Content-Encoding" not in small.headers
    icon = client.get("/static/pwa/icons/icon-512.png", headers={"Accept-Encoding": "gzip, br"})
    assert icon.status_code == 200 and "Content-Encoding" not in icon.headers


def test_problem_json_over_1kb_would_be_compressed_too(app):
    from app.serving import COMPRESSED_TYPES

    assert {"application/problem+json", "application/geo+json", "text/csv"} <= set(COMPRESSED_TYPES)
    assert app.config["COMPRESS_MIN_SIZE"] == 1024


def test_versioned_static_files_are_cached_for_a_year(client):
    html = client.get("/app/").get_data(as_text=True)
    url = _versioned(html, "/static/pwa/app.js")
    response = client.get(url)
    assert response.status_code == 200
    cache = response.headers["Cache-Control"]
    assert "max-age=31536000" in cache and "immutable" in cache and "public" in cache
    # The same file without its version, or with another one, is revalidated every time.
    for other in ("/static/pwa/app.js", "/static/pwa/app.js?v=0000000000"):
        headers = client.get(other).headers
        assert "no-cache" in headers["Cache-Control"] and "max-age=31536000" not in headers["Cache-Control"]
        assert headers.get("ETag") or headers.get("Last-Modified")


def test_leaflet_is_linked_with_its_release_and_cached(app, client):
    from flask import url_for

    from app.field.vendor import leaflet_version

    with app.test_request_context():
        assert url_for("vendor.leaflet", filename="leaflet.js") == f"/vendor/leaflet/leaflet.js?v={leaflet_version()}"
    response = client.get(f"/vendor/leaflet/leaflet.js?v={leaflet_version()}")
    assert response.status_code == 200 and "immutable" in response.headers["Cache-Control"]
    assert "no-cache" in client.get("/vendor/leaflet/leaflet.js").headers["Cache-Control"]


def test_service_worker_is_never_cached_by_http(client):
    response = client.get("/app/sw.js", headers={"Accept-Encoding": "gzip"})
    cache = response.headers["Cache-Control"]
    assert "no-store" in cache and "no-cache" in cache and "max-age" not in cache
    shell = client.get("/app/")
    assert "no-cache" in shell.headers["Cache-Control"]


def test_trusted_proxies_take_the_client_address_and_scheme_from_the_proxy(database_url):
    def seen(trusted: int):
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "TRUSTED_PROXIES": trusted})

        @app.get("/_test/remote")
        def remote():
            from flask import request

            return {"addr": request.remote_addr, "scheme": request.scheme, "host": request.host}

        headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
                   "X-Forwarded-Host": "muurtje.example.nl"}
        body = app.test_client().get("/_test/remote", headers=headers).get_json()
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()
        return body

    assert seen(0) == {"addr": "127.0.0.1", "scheme": "http", "host": "localhost"}
    assert seen(1) == {"addr": "203.0.113.7", "scheme": "https", "host": "muurtje.example.nl"}
