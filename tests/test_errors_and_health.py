"""problem+json for every /api/ error, and /healthz."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

from app import create_app


def _is_problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and "detail" in body
    return body


def test_unknown_api_path_is_404_problem(client):
    _is_problem(client.get("/api/v1/does-not-exist"), 404)


def test_wrong_method_is_405_problem(client):
    response = client.delete("/api/v1/buurten/lookup")
    _is_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_too_large_body_is_413_problem(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    _is_problem(client.post("/api/v1/auth/login", data=b"x" * 2000, content_type="application/json"), 413)


def test_malformed_json_is_400_problem(client):
    _is_problem(client.post("/api/v1/auth/login", data=b"{nope", content_type="application/json"), 400)


def test_unexpected_error_is_500_problem_without_internals(app, api, monkeypatch):
    client = api("admin")

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("app.buurten.api.buurt_for", boom)
    response = client.get("/api/v1/buurten/lookup?lat=53&lon=6.56")
    body = _is_problem(response, 500)
    assert "secret" not in response.get_data(as_text=True) and "Traceback" not in body["detail"]


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_unreachable(app, monkeypatch):
    from app.extensions import db

    def refuse(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", refuse)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_html_pages_keep_html_errors(client):
    response = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.") and "/api/v1/buurten/lookup" in spec["paths"]


def test_production_requires_secret_key(monkeypatch, tmp_path):
    import pytest

    from app.config import ConfigError

    monkeypatch.setenv("MUURTJE_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "https://service.pdok.nl" in csp  # map tiles from the configured server
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/api/v1/me").headers["X-Frame-Options"] == "DENY"
