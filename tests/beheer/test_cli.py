"""The user commands beside `users create`: list, deactivate, reset-password; the first admin's password."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AdminAction, DeviceToken, User


def _login(client, email, password):
    return client.post("/api/v1/auth/login", json={"email": email, "password": password, "token": True})


def test_users_list_deactivate_and_reset_password(runner, make_user, client):
    user, password = make_user("field_worker", name="Wil Wijk", organisation="Vaart Welzijn", buurten=["BU01060200"])
    make_user("team", name="Tom Team")
    assert _login(client, user.email, password).status_code == 200

    listed = runner.invoke(args=["users", "list"])
    assert listed.exit_code == 0, listed.output
    line = next(x for x in listed.output.splitlines() if x.startswith(user.email))
    assert line.split("\t") == [user.email, "Wil Wijk", "field_worker", "Vaart Welzijn", "BU01060200", "actief"]
    assert "2 personen." in listed.output

    reset = runner.invoke(args=["users", "reset-password", user.email.upper()])
    assert reset.exit_code == 0, reset.output
    new = reset.output.split("Wachtwoord: ")[1].strip()
    assert db.session.scalar(select(DeviceToken.revoked_at).where(DeviceToken.user_id == user.id)) is not None
    assert _login(client, user.email, password).status_code == 401
    answer = _login(client, user.email, new)
    assert answer.status_code == 200 and answer.get_json()["must_change_password"] is True

    gone = runner.invoke(args=["users", "deactivate", user.email])
    assert gone.exit_code == 0 and "gedeactiveerd" in gone.output
    assert _login(client, user.email, new).status_code == 403
    assert user.email not in runner.invoke(args=["users", "list"]).output
    assert "gedeactiveerd" in runner.invoke(args=["users", "list", "--all"]).output
    actions = db.session.scalars(select(AdminAction.action).order_by(AdminAction.id)).all()
    assert actions == ["user.reset_password", "user.deactivate"]
    assert runner.invoke(args=["users", "deactivate", "niemand@test.nl"]).exit_code != 0


def test_cli_keeps_the_last_active_admin(runner, make_user):
    admin, _ = make_user("admin")
    refused = runner.invoke(args=["users", "deactivate", admin.email])
    assert refused.exit_code != 0 and "laatste actieve beheerder" in refused.output
    assert db.session.get(User, admin.id).active is True


def test_generated_passwords_must_be_changed(runner, client):
    created = runner.invoke(args=["users", "create", "--email", "g@test.nl", "--name", "G", "--role", "team"])
    password = created.output.split("Wachtwoord: ")[1].strip()
    assert _login(client, "g@test.nl", password).get_json()["must_change_password"] is True
    setup = runner.invoke(args=["setup", "--admin-email", "eerste@test.nl"])
    assert setup.exit_code == 0, setup.output
    admin_password = setup.output.split("wachtwoord: ")[1].split()[0]
    first = ApiSignIn(client, "eerste@test.nl", admin_password)
    assert first.me["must_change_password"] is True and first.me["role"] == "admin"
    assert client.get("/api/v1/users").status_code == 403  # nothing else before choosing a password
    page = client.get("/beheer/mensen")
    assert page.status_code == 302 and page.headers["Location"].startswith("/wachtwoord")
    changed = client.post("/api/v1/auth/password", json={"current_password": admin_password,
                                                         "new_password": "mijn eigen wachtwoord"},
                          headers={"X-CSRF-Token": first.me["csrf_token"]})
    assert changed.status_code == 204
    assert client.get("/api/v1/users").status_code == 200


class ApiSignIn:
    """Sign a plain test client in with a cookie session."""

    def __init__(self, client, email, password):
        response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.get_json()
        self.me = response.get_json()
