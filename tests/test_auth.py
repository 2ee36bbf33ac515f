"""Sign-in, device tokens, CSRF, roles and rate limiting."""

from __future__ import annotations

from app import create_app
from tests.support import ApiClient


def test_login_me_logout(app, client, make_user):
    user, password = make_user("team", organisation="Actium", buurten=["BU01060200"])
    response = client.post("/api/v1/auth/login", json={"email": user.email.upper(), "password": password})
    assert response.status_code == 200
    body = response.get_json()
    assert body["email"] == user.email and body["role"] == "team"
    assert body["organisation"]["name"] == "Actium"
    assert body["buurten"] == ["BU01060200"]
    assert "token" not in body
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.get_json()["id"] == str(user.id)
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": body["csrf_token"]}).status_code == 204
    assert client.get("/api/v1/me").status_code == 401


def test_wrong_password_is_401_problem(client, make_user):
    user, _ = make_user()
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": "fout"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 401
    unknown = client.post("/api/v1/auth/login", json={"email": "niemand@x.nl", "password": "fout"})
    assert unknown.status_code == 401


def test_login_validation_is_400_with_field_errors(client):
    response = client.post("/api/v1/auth/login", json={"email": "geen-email"})
    assert response.status_code == 400
    body = response.get_json()
    assert response.mimetype == "application/problem+json"
    assert set(body["errors"]) >= {"email", "password"}


def test_unauthenticated_api_is_401_never_redirect(client):
    for path in ("/api/v1/me", "/api/v1/buurten", "/api/v1/buurten/lookup?lat=53&lon=6.5"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.mimetype == "application/problem+json"
        assert "Location" not in response.headers


def test_device_token_bearer_and_revocation(app, make_user):
    user, password = make_user("field_worker")
    browser = ApiClient(app.test_client())
    body = browser.login(user.email, password, token=True, device_name="Telefoon Fleur")
    token = body["token"]
    assert token["token"].startswith("mtj_") and token["expires_at"]

    phone = app.test_client()
    headers = {"Authorization": f"Bearer {token['token']}"}
    me = phone.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.get_json()["email"] == user.email
    assert "Set-Cookie" not in me.headers  # bearer requests never get a session cookie
    from app.models import DeviceToken

    stored = app.extensions["sqlalchemy"].session.get(DeviceToken, __import__("uuid").UUID(token["id"]))
    assert stored.token_hash != token["token"] and len(stored.token_hash) == 64

    listed = browser.get("/api/v1/auth/tokens").get_json()
    assert [t["id"] for t in listed] == [token["id"]] and "token" not in listed[0]
    assert browser.delete(f"/api/v1/auth/tokens/{token['id']}").status_code == 204
    assert phone.get("/api/v1/me", headers=headers).status_code == 401


def test_bad_bearer_is_401(client):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer mtj_nope"})
    assert response.status_code == 401


def test_csrf_required_for_cookie_writes(app, make_user):
    user, password = make_user()
    client = app.test_client()
    body = client.post("/api/v1/auth/login", json={"email": user.email, "password": password}).get_json()
    login = client.post("/api/v1/auth/login", json={"email": user.email, "password": password, "token": True})
    token_id = login.get_json()["token"]["id"]
    csrf = login.get_json()["csrf_token"]
    assert csrf != body["csrf_token"]  # a new session per sign-in
    missing = client.delete(f"/api/v1/auth/tokens/{token_id}")
    assert missing.status_code == 403 and "CSRF" in missing.get_json()["detail"]
    wrong_origin = client.delete(
        f"/api/v1/auth/tokens/{token_id}", headers={"X-CSRF-Token": csrf, "Origin": "https://evil.example"}
    )
    assert wrong_origin.status_code == 403
    ok = client.delete(f"/api/v1/auth/tokens/{token_id}", headers={"X-CSRF-Token": csrf, "Origin": "http://localhost"})
    assert ok.status_code == 204


def test_login_from_foreign_origin_refused(client, make_user):
    user, password = make_user()
    response = client.post(
        "/api/v1/auth/login",
        json={"email": user.email, "password": password},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403


def test_login_rate_limited_with_429_problem(database_url, make_user):
    user, _ = make_user()
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "LOGIN_RATE_LIMIT": "3 per minute"})
    client = app.test_client()
    codes = [
        client.post("/api/v1/auth/login", json={"email": user.email, "password": "x"}).status_code for _ in range(4)
    ]
    assert codes == [401, 401, 401, 429]
    response = client.post("/api/v1/auth/login", json={"email": user.email, "password": "x"})
    assert response.mimetype == "application/problem+json" and response.get_json()["status"] == 429
    assert "Retry-After" in response.headers
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


def test_role_forbidden_is_403(api):
    worker = api("field_worker")
    response = worker.get("/api/v1/sync/quarantine")
    assert response.status_code == 403 and response.mimetype == "application/problem+json"


def test_logout_with_bearer_revokes_that_token(app, make_user):
    user, password = make_user()
    token = ApiClient(app.test_client()).login(user.email, password, token=True)["token"]["token"]
    phone = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert phone.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert phone.get("/api/v1/me", headers=headers).status_code == 401
