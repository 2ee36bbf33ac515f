"""The administration API: people, passwords, devices, organisations, themes, audit, and its rules."""

from __future__ import annotations

import uuid

import pytest

from app.extensions import db
from app.models import AdminAction, ContactAccess, DeviceToken, User
from tests.support import ApiClient
from tests.sync.helpers import BUURT_A, BUURT_B, new_id, pull_all, push, signal_fields, upsert

ADMIN_ENDPOINTS = [
    ("GET", "/api/v1/users"),
    ("POST", "/api/v1/users"),
    ("GET", "/api/v1/users/00000000-0000-0000-0000-000000000001"),
    ("PATCH", "/api/v1/users/00000000-0000-0000-0000-000000000001"),
    ("POST", "/api/v1/users/00000000-0000-0000-0000-000000000001/password"),
    ("GET", "/api/v1/users/00000000-0000-0000-0000-000000000001/devices"),
    ("DELETE", "/api/v1/users/00000000-0000-0000-0000-000000000001/devices/00000000-0000-0000-0000-000000000002"),
    ("POST", "/api/v1/organisations"),
    ("PATCH", "/api/v1/organisations/00000000-0000-0000-0000-000000000001"),
    ("POST", "/api/v1/themes"),
    ("PATCH", "/api/v1/themes/groen"),
    ("GET", "/api/v1/admin/audit"),
]


def _sign_in(app, email: str, password: str, **extra) -> ApiClient:
    client = ApiClient(app.test_client())
    client.login(email, password, **extra)
    return client


@pytest.mark.parametrize("role", ["field_worker", "team", "manager"])
def test_only_admins_reach_the_admin_api(api, role):
    client = api(role)
    for method, url in ADMIN_ENDPOINTS:
        response = client.open(method, url, json={})
        assert response.status_code == 403, (method, url, response.get_json())
        assert response.mimetype == "application/problem+json"


def test_signed_out_gets_401_problems(client):
    for method, url in ADMIN_ENDPOINTS:
        response = client.open(url, method=method, json={})
        assert response.status_code == 401, (method, url)
        assert response.mimetype == "application/problem+json"


def test_cookie_writes_need_csrf_and_same_origin(api):
    admin = api("admin")
    body = {"email": "x@test.nl", "name": "X", "role": "team"}
    assert admin.post("/api/v1/users", json=body, headers={"X-CSRF-Token": "wrong"}).status_code == 403
    assert admin.post("/api/v1/users", json=body, headers={"Origin": "https://evil.example"}).status_code == 403
    assert db.session.scalar(db.select(User).where(User.email == "x@test.nl")) is None
    assert admin.post("/api/v1/users", json=body).status_code == 201


def test_create_with_generated_password_must_change_at_first_sign_in(app, api):
    admin = api("admin")
    org = admin.post("/api/v1/organisations", json={"name": "Vaart Welzijn", "kind": "welzijn"}).get_json()
    response = admin.post("/api/v1/users", json={"email": "Nieuw@Test.nl", "name": "Nina", "role": "field_worker",
                                                 "organisation": org["id"], "buurten": [BUURT_B, BUURT_A]})
    assert response.status_code == 201
    assert response.headers["Location"].endswith(response.get_json()["id"])
    assert response.headers["Cache-Control"] == "no-store"
    user = response.get_json()
    password = user.pop("password")
    assert len(password) >= 12
    assert user["email"] == "nieuw@test.nl" and user["must_change_password"] is True and user["active"] is True
    assert user["buurten"] == [BUURT_A, BUURT_B] and user["organisation"]["name"] == "Vaart Welzijn"
    listed = admin.get("/api/v1/users").get_json()["items"]
    assert all("password" not in u for u in listed)

    nina = _sign_in(app, "nieuw@test.nl", password)
    assert nina.user["must_change_password"] is True
    refused = nina.get("/api/v1/sync/pull")
    assert refused.status_code == 403 and refused.get_json()["type"] == "urn:muurtje:problem:must-change-password"
    short = nina.post("/api/v1/auth/password", json={"current_password": password, "new_password": "kort"})
    assert short.status_code == 400 and "new_password" in short.get_json()["errors"]
    wrong = nina.post("/api/v1/auth/password", json={"current_password": "fout", "new_password": "een lange zin hier"})
    assert wrong.status_code == 400 and "current_password" in wrong.get_json()["errors"]
    ok = nina.post("/api/v1/auth/password", json={"current_password": password, "new_password": "een lange zin hier"})
    assert ok.status_code == 204
    assert nina.get("/api/v1/sync/pull").status_code == 200
    assert nina.get("/api/v1/me").get_json()["must_change_password"] is False
    assert _sign_in(app, "nieuw@test.nl", "een lange zin hier").user["must_change_password"] is False


def test_create_with_password_and_validation(api):
    admin = api("admin")
    body = {"email": "p@test.nl", "name": "P", "role": "team", "password": "zelf gekozen wachtwoord"}
    created = admin.post("/api/v1/users", json=body).get_json()
    assert "password" not in created and created["must_change_password"] is False
    duplicate = admin.post("/api/v1/users", json={**body, "email": "P@test.nl"})
    assert duplicate.status_code == 409 and duplicate.mimetype == "application/problem+json"
    bad = admin.post("/api/v1/users", json={"email": "q@test.nl", "name": "Q", "role": "koning", "buurten": ["BU99"]})
    assert bad.status_code == 400 and "role" in bad.get_json()["errors"]
    unknown = admin.post("/api/v1/users", json={"email": "q@test.nl", "name": "Q", "role": "team",
                                                "buurten": ["BU99999999"]})
    assert unknown.status_code == 400 and "BU99999999" in unknown.get_json()["errors"]["buurten"][0]


def test_list_search_and_filters(api, make_user):
    admin = api("admin", name="Beheerder")
    make_user("field_worker", name="Anna de Vries", organisation="Actium")
    make_user("team", name="Bram Bakker", organisation="Gemeente Assen")
    gone, _ = make_user("field_worker", name="Cees Oud")
    admin.patch(f"/api/v1/users/{gone.id}", json={"active": False})
    names = lambda url: [u["name"] for u in admin.get(url).get_json()["items"]]  # noqa: E731
    assert names("/api/v1/users?q=vries") == ["Anna de Vries"]
    assert names("/api/v1/users?role=field_worker") == ["Anna de Vries", "Cees Oud"]
    assert names("/api/v1/users?active=false") == ["Cees Oud"]
    actium = next(o for o in admin.get("/api/v1/organisations").get_json() if o["name"] == "Actium")
    assert names(f"/api/v1/users?organisation={actium['id']}") == ["Anna de Vries"]
    item = admin.get("/api/v1/users?q=beheerder").get_json()["items"][0]
    assert set(item) >= {"id", "email", "name", "role", "organisation", "buurten", "active",
                         "must_change_password", "last_seen_at"}
    assert item["last_seen_at"] is not None  # the admin signed in
    assert admin.get("/api/v1/users?role=koning").status_code == 400


def test_deactivation_revokes_tokens_and_sessions_at_once(app, api, make_user):
    admin = api("admin")
    user, password = make_user("field_worker", buurten=[BUURT_A])
    phone = _sign_in(app, user.email, password, token=True, device_name="Telefoon Nina")
    phone.bearer, phone.csrf = phone.user["token"]["token"], None
    phone.client = app.test_client()  # the phone uses only its token
    browser = _sign_in(app, user.email, password)
    assert phone.get("/api/v1/me").status_code == 200 and browser.get("/api/v1/me").status_code == 200

    response = admin.patch(f"/api/v1/users/{user.id}", json={"active": False})
    assert response.status_code == 200 and response.get_json()["active"] is False
    for who in (phone, browser):
        refused = who.get("/api/v1/me")
        assert refused.status_code == 401
        problem = refused.get_json()
        assert problem["type"] == "urn:muurtje:problem:account-deactivated"
        assert "gedeactiveerd" in problem["detail"] and "beheerder" in problem["detail"].lower()
    assert db.session.scalar(db.select(DeviceToken.revoked_at).where(DeviceToken.user_id == user.id)) is not None
    login = app.test_client().post("/api/v1/auth/login", json={"email": user.email, "password": password})
    assert login.status_code == 403 and login.get_json()["type"] == "urn:muurtje:problem:account-deactivated"
    wrong = app.test_client().post("/api/v1/auth/login", json={"email": user.email, "password": "nope"})
    assert wrong.status_code == 401  # a wrong password never tells whether the account exists

    admin.patch(f"/api/v1/users/{user.id}", json={"active": True})
    assert _sign_in(app, user.email, password).get("/api/v1/me").status_code == 200


def test_password_reset_revokes_and_requires_a_new_choice(app, api, make_user):
    admin = api("admin")
    user, password = make_user("team")
    phone = ApiClient(app.test_client())
    phone.bearer = _sign_in(app, user.email, password, token=True).user["token"]["token"]
    response = admin.post(f"/api/v1/users/{user.id}/password")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    new = response.get_json()["password"]
    assert phone.get("/api/v1/me").status_code == 401
    old = app.test_client().post("/api/v1/auth/login", json={"email": user.email, "password": password})
    assert old.status_code == 401
    again = _sign_in(app, user.email, new)
    assert again.user["must_change_password"] is True
    assert admin.post("/api/v1/users/00000000-0000-0000-0000-000000000009/password").status_code == 404


def test_devices_listed_and_revoked_one_by_one(app, api, make_user):
    admin = api("admin")
    user, password = make_user("field_worker")
    first = _sign_in(app, user.email, password, token=True, device_name="Telefoon 1").user["token"]
    second = _sign_in(app, user.email, password, token=True, device_name="Tablet").user["token"]
    devices = admin.get(f"/api/v1/users/{user.id}/devices").get_json()
    assert sorted(d["name"] for d in devices) == ["Tablet", "Telefoon 1"]
    assert admin.delete(f"/api/v1/users/{user.id}/devices/{first['id']}").status_code == 204
    assert [d["name"] for d in admin.get(f"/api/v1/users/{user.id}/devices").get_json()] == ["Tablet"]
    still = ApiClient(app.test_client())
    still.bearer = second["token"]
    assert still.get("/api/v1/me").status_code == 200
    other, _ = make_user("team")
    assert admin.delete(f"/api/v1/users/{other.id}/devices/{second['id']}").status_code == 404


def test_last_active_admin_and_own_admin_role(api, make_user):
    admin = api("admin")
    me = admin.db_user
    own = admin.patch(f"/api/v1/users/{me.id}", json={"role": "team"})
    assert own.status_code == 409 and own.mimetype == "application/problem+json"
    assert admin.patch(f"/api/v1/users/{me.id}", json={"active": False}).status_code == 409
    other, _ = make_user("admin")
    second = api("admin")
    # another admin may remove mine while two others remain
    assert second.patch(f"/api/v1/users/{other.id}", json={"active": False}).status_code == 200
    # now `me` and `second` are the active admins; second may demote me, leaving itself as the last
    assert second.patch(f"/api/v1/users/{me.id}", json={"role": "manager"}).status_code == 200
    db.session.expire_all()
    assert db.session.get(User, me.id).role == "manager"
    # the last active admin cannot be deactivated or demoted (not even by itself)
    assert second.patch(f"/api/v1/users/{second.db_user.id}", json={"role": "team"}).status_code == 409
    # a name change of the last admin is fine
    assert second.patch(f"/api/v1/users/{second.db_user.id}", json={"name": "Nieuwe naam"}).status_code == 200


def test_last_admin_rule_by_count(api, make_user, app):
    """Two admins: A deactivates B (fine, A remains); then nobody can deactivate A."""
    a = api("admin")
    b_user, b_password = make_user("admin")
    b = _sign_in(app, b_user.email, b_password)
    assert a.patch(f"/api/v1/users/{b_user.id}", json={"active": False}).status_code == 200
    assert b.patch(f"/api/v1/users/{a.db_user.id}", json={"active": False}).status_code == 401  # b is out
    refused = a.patch(f"/api/v1/users/{a.db_user.id}", json={"active": False})
    assert refused.status_code == 409


def test_buurten_change_resets_pull_scope(app, api, make_user):
    admin = api("admin")
    team = api("team")
    a_signal, b_signal = new_id(), new_id()
    push(team, new_id(), [upsert(1, "signal", a_signal, signal_fields(BUURT_A)),
                          upsert(2, "signal", b_signal, signal_fields(BUURT_B))])
    user, password = make_user("field_worker", buurten=[BUURT_A])
    worker = _sign_in(app, user.email, password)
    changes, cursor, _ = pull_all(worker)
    assert {c["id"] for c in changes} == {a_signal}
    assert admin.patch(f"/api/v1/users/{user.id}", json={"buurten": [BUURT_A, BUURT_B]}).status_code == 200
    body = worker.get(f"/api/v1/sync/pull?cursor={cursor}").get_json()
    assert body["reset"] is True
    changes, cursor, _ = pull_all(worker)
    assert {c["id"] for c in changes} == {a_signal, b_signal}
    admin.patch(f"/api/v1/users/{user.id}", json={"role": "team"})
    assert worker.get(f"/api/v1/sync/pull?cursor={cursor}").get_json()["reset"] is True


def test_organisations_add_rename_and_list_for_everyone(api):
    admin = api("admin")
    created = admin.post("/api/v1/organisations", json={"name": "Actium", "kind": "woningcorporatie"})
    assert created.status_code == 201
    org = created.get_json()
    assert admin.post("/api/v1/organisations", json={"name": "actium"}).status_code == 409
    assert admin.post("/api/v1/organisations", json={"name": "X", "kind": "bank"}).status_code == 400
    renamed = admin.patch(f"/api/v1/organisations/{org['id']}", json={"name": "Actium Wonen"})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "Actium Wonen"
    missing = admin.patch("/api/v1/organisations/00000000-0000-0000-0000-000000000001", json={"name": "Y"})
    assert missing.status_code == 404
    listed = api("field_worker").get("/api/v1/organisations").get_json()
    assert [o["name"] for o in listed] == ["Actium Wonen"]


def test_themes_add_retire_and_new_records_refuse_retired(api):
    admin = api("admin")
    created = admin.post("/api/v1/themes", json={"code": "speelplekken", "label": "Speelplekken", "domain": "physical"})
    assert created.status_code == 201
    for code, status in (("speelplekken", 409), ("Met Spatie", 400)):
        assert admin.post("/api/v1/themes", json={"code": code, "label": "X", "domain": "social"}).status_code == status
    worker = api("field_worker", buurten=[BUURT_A])
    old_signal = new_id()
    push(worker, new_id(), [upsert(1, "signal", old_signal, signal_fields(theme="groen"))])

    retired = admin.patch("/api/v1/themes/groen", json={"active": False, "label": "Groen"})
    assert retired.status_code == 200 and retired.get_json()["active"] is False
    assert "groen" not in [t["code"] for t in worker.get("/api/v1/themes").get_json()]
    assert "groen" not in [t["code"] for t in worker.get("/api/v1/themes?all=true").get_json()]
    assert "groen" in [t["code"] for t in admin.get("/api/v1/themes?all=true").get_json()]

    client = new_id()
    result = push(worker, client, [
        upsert(1, "signal", new_id(), signal_fields(theme="groen")),
        upsert(2, "conversation", new_id(), {"occurred_at": "2026-11-27T10:00:00+01:00", "setting": "street",
                                              "themes": ["afval", "groen"], "location": signal_fields()["location"]}),
        upsert(3, "signal", old_signal, {"title": "Nog steeds kapot"}, base_version=1),
    ])["results"]
    assert [r["status"] for r in result] == ["rejected", "rejected", "applied"]
    assert "niet meer aangeboden" in result[0]["errors"]["theme"][0]
    assert "themes" in result[1]["errors"]
    assert admin.patch("/api/v1/themes/bestaatniet", json={"label": "X"}).status_code == 404


def test_every_admin_action_is_audited(app, api, make_user):
    admin = api("admin", name="Ada Admin")
    user, _ = make_user("field_worker", name="Fleur")
    org = admin.post("/api/v1/organisations", json={"name": "Gemeente Assen", "kind": "gemeente"}).get_json()
    admin.patch(f"/api/v1/users/{user.id}", json={"organisation": org["id"], "buurten": [BUURT_A]})
    admin.post(f"/api/v1/users/{user.id}/password")
    admin.patch(f"/api/v1/users/{user.id}", json={"active": False})
    admin.post("/api/v1/themes", json={"code": "speelplekken", "label": "Speelplekken", "domain": "physical"})
    admin.patch("/api/v1/themes/speelplekken", json={"active": False})
    items = admin.get("/api/v1/admin/audit?kind=admin_action").get_json()["items"]
    assert [i["action"] for i in items] == ["theme.update", "theme.create", "user.deactivate", "user.reset_password",
                                            "user.update", "organisation.create"]
    update = items[4]
    assert update["actor"]["name"] == "Ada Admin" and update["target"]["label"] == user.email
    assert update["before"] == {"organisation": None, "buurten": []}
    assert update["after"] == {"organisation": "Gemeente Assen", "buurten": [BUURT_A]}
    assert items[2]["before"] == {"active": True} and items[2]["after"] == {"active": False}
    assert all("password" not in str(i["after"]) or "devices_signed_out" in i["after"] for i in items)
    assert admin.get("/api/v1/admin/audit?kind=iets").status_code == 400


def test_contact_access_audit(api):
    admin = api("admin")
    reader = api("team")
    db.session.add(ContactAccess(entity="signal", record_id=uuid.uuid4(), user_id=reader.db_user.id))
    db.session.commit()
    items = admin.get("/api/v1/admin/audit?kind=contact_access").get_json()["items"]
    assert len(items) == 1 and items[0]["user"]["name"] == reader.db_user.name and items[0]["entity"] == "signal"


def test_quarantine_resolve_is_audited(api):
    admin = api("admin")
    worker = api("field_worker", buurten=[BUURT_A])
    push(worker, new_id(), [upsert(1, "signal", new_id(), {"title": ""})])
    item = admin.get("/api/v1/sync/quarantine").get_json()["items"][0]
    assert admin.post(f"/api/v1/sync/quarantine/{item['id']}/resolve").status_code == 200
    assert db.session.scalar(db.select(AdminAction.action)) == "quarantine.resolve"
