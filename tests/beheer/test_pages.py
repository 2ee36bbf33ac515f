"""The /beheer pages: access, CSRF on forms, and every page doing what its API counterpart does."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AdminAction, ContactAccess, QuarantinedMutation, ResidentContact, Theme, User, utcnow
from tests.support import ApiClient
from tests.sync.helpers import BUURT_A, BUURT_B

PAGES = ["/beheer/mensen", "/beheer/mensen/nieuw", "/beheer/organisaties", "/beheer/themas", "/beheer/afgewezen",
         "/beheer/inzage", "/beheer/bewaartermijn", "/beheer/logboek"]


def _form(admin: ApiClient, url: str, data: dict | None = None, **kw):
    return admin.post(url, data={"csrf_token": admin.csrf, **(data or {})}, **kw)


def test_signed_out_goes_to_sign_in(client):
    for url in PAGES + ["/beheer"]:
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url
    assert client.post("/beheer/organisaties", data={"name": "X"}).status_code == 302


@pytest.mark.parametrize("role", ["field_worker", "team", "manager"])
def test_other_roles_are_refused(api, role):
    client = api(role)
    for url in PAGES:
        assert client.get(url).status_code == 403, url
    assert _form(client, "/beheer/organisaties", {"name": "X", "kind": "other"}).status_code == 403


def test_admin_sees_every_page_and_the_nav(api):
    admin = api("admin")
    for url in PAGES:
        response = admin.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert 'href="/beheer/buurten"' in html and 'aria-current="page"' in html
        assert response.headers["Cache-Control"] == "no-store"
    assert admin.get("/beheer").headers["Location"].endswith("/beheer/mensen")


def test_forms_need_the_csrf_token_and_our_origin(api):
    admin = api("admin")
    assert admin.post("/beheer/organisaties", data={"name": "Zonder token", "kind": "other"}).status_code == 403
    foreign = _form(admin, "/beheer/organisaties", {"name": "Van elders", "kind": "other"},
                    headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    assert "Van elders" not in admin.get("/beheer/organisaties").get_data(as_text=True)


def test_create_person_shows_the_password_once(app, api):
    admin = api("admin")
    page = admin.get("/beheer/mensen/nieuw").get_data(as_text=True)
    assert 'name="buurten" value="BU01060200"' in page and "<details" in page
    response = _form(admin, "/beheer/mensen/nieuw", {"email": "nina@test.nl", "name": "Nina", "role": "field_worker",
                                                     "organisation": "", "buurten": [BUURT_A, BUURT_B]})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    password = re.search(r'id="eenmalig"[^>]*value="([^"]+)"', html).group(1)
    assert "maar één keer getoond" in html and "Kopiëren" in html
    user = db.session.scalar(select(User).where(User.email == "nina@test.nl"))
    assert user.buurten == [BUURT_A, BUURT_B] and user.must_change_password
    assert password not in admin.get(f"/beheer/mensen/{user.id}").get_data(as_text=True)
    signed_in = ApiClient(app.test_client())
    assert signed_in.login("nina@test.nl", password)["must_change_password"] is True
    duplicate = _form(admin, "/beheer/mensen/nieuw", {"email": "nina@test.nl", "name": "N2", "role": "team"})
    assert duplicate.status_code == 409 and "Er bestaat al" in duplicate.get_data(as_text=True)
    invalid = _form(admin, "/beheer/mensen/nieuw", {"email": "geen-adres", "name": "", "role": "team"})
    assert invalid.status_code == 400 and "geldig e-mailadres" in invalid.get_data(as_text=True)


def test_people_list_filters(api, make_user):
    admin = api("admin")
    make_user("field_worker", name="Anna Veld", organisation="Actium")
    make_user("team", name="Bram Team")
    html = admin.get("/beheer/mensen?q=anna").get_data(as_text=True)
    assert "Anna Veld" in html and "Bram Team" not in html
    html = admin.get("/beheer/mensen?rol=team").get_data(as_text=True)
    assert "Bram Team" in html and "Anna Veld" not in html


def test_edit_buurten_draws_the_map_and_resets_scope(api, make_user):
    admin = api("admin")
    user, _ = make_user("field_worker", buurten=[BUURT_A])
    scope = user.scope_version
    page = admin.get(f"/beheer/mensen/{user.id}").get_data(as_text=True)
    assert 'class="chosen"' in page and "Kaart van de gekozen buurten" in page
    response = _form(admin, f"/beheer/mensen/{user.id}", {"name": "Nieuwe Naam", "role": "field_worker",
                                                          "organisation": "", "buurten": [BUURT_B]})
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(User, user.id)
    assert changed.name == "Nieuwe Naam" and changed.buurten == [BUURT_B] and changed.scope_version == scope + 1
    assert "zijn opgeslagen" in admin.get(response.headers["Location"]).get_data(as_text=True)


def test_deactivate_confirm_reactivate_reset_and_revoke_device(app, api, make_user):
    admin = api("admin")
    user, password = make_user("field_worker", name="Fleur")
    phone = ApiClient(app.test_client())
    token = phone.login(user.email, password, token=True, device_name="Telefoon Fleur")["token"]
    confirm = admin.get(f"/beheer/mensen/{user.id}/deactiveren").get_data(as_text=True)
    for text in ("meteen afgemeld op alle apparaten", "Telefoon Fleur", "blijven bewaard"):
        assert text in confirm
    assert _form(admin, f"/beheer/mensen/{user.id}/deactiveren").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).active is False
    assert app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token['token']}"}).status_code == 401
    assert _form(admin, f"/beheer/mensen/{user.id}/activeren").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).active is True

    second = ApiClient(app.test_client()).login(user.email, password, token=True, device_name="Tablet")["token"]
    assert "Tablet" in admin.get(f"/beheer/mensen/{user.id}").get_data(as_text=True)
    assert _form(admin, f"/beheer/mensen/{user.id}/apparaten/{second['id']}/afmelden").status_code == 302
    revoked = app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {second['token']}"})
    assert revoked.status_code == 401

    assert "Maak een nieuw wachtwoord" in admin.get(f"/beheer/mensen/{user.id}/wachtwoord").get_data(as_text=True)
    reset = _form(admin, f"/beheer/mensen/{user.id}/wachtwoord")
    new = re.search(r'id="eenmalig"[^>]*value="([^"]+)"', reset.get_data(as_text=True)).group(1)
    assert ApiClient(app.test_client()).login(user.email, new)["must_change_password"] is True


def test_own_admin_role_and_last_admin_on_the_page(api):
    admin = api("admin")
    me = admin.db_user
    refused = _form(admin, f"/beheer/mensen/{me.id}/deactiveren")
    assert refused.status_code == 409 and "eigen beheerdersrol" in refused.get_data(as_text=True)
    demote = _form(admin, f"/beheer/mensen/{me.id}", {"name": me.name, "role": "team", "organisation": ""})
    assert demote.status_code == 409
    db.session.expire_all()
    assert db.session.get(User, me.id).role == "admin" and db.session.get(User, me.id).active


def test_organisations_and_themes_pages(api):
    admin = api("admin")
    assert _form(admin, "/beheer/organisaties", {"name": "Actium", "kind": "woningcorporatie"}).status_code == 302
    html = admin.get("/beheer/organisaties").get_data(as_text=True)
    org_id = re.search(r'action="/beheer/organisaties/([0-9a-f-]+)"', html).group(1)
    renamed = _form(admin, f"/beheer/organisaties/{org_id}", {"name": "Actium Wonen", "kind": "woningcorporatie"})
    assert renamed.status_code == 302
    assert "Actium Wonen" in admin.get("/beheer/organisaties").get_data(as_text=True)
    taken = _form(admin, "/beheer/organisaties", {"name": "actium wonen", "kind": "other"})
    assert taken.status_code == 400 and "Er bestaat al een organisatie" in taken.get_data(as_text=True)

    new_theme = {"code": "speelplekken", "label": "Speelplekken", "domain": "physical"}
    assert _form(admin, "/beheer/themas", new_theme).status_code == 302
    assert _form(admin, "/beheer/themas/groen", {"active": "0"}).status_code == 302
    assert db.session.get(Theme, "groen").active is False
    assert _form(admin, "/beheer/themas/groen", {"label": "Groen en bomen!", "domain": "physical"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Theme, "groen").label == "Groen en bomen!"
    assert _form(admin, "/beheer/themas", {"code": "Fout!", "label": "", "domain": "x"}).status_code == 400
    log = admin.get("/beheer/logboek").get_data(as_text=True)
    for label in ("Organisatie toegevoegd", "Organisatie gewijzigd", "Thema toegevoegd", "Thema gewijzigd"):
        assert label in log


def test_quarantine_page_never_shows_contact_values(api):
    admin = api("admin")
    worker = api("field_worker")
    # An older row, kept before the quarantine redacted contacts.
    db.session.add(QuarantinedMutation(
        client_id=uuid.uuid4(), mutation_id=7, user_id=worker.db_user.id,
        payload={"entity": "signal", "op": "upsert", "id": str(uuid.uuid4()),
                 "fields": {"title": "Losse stoeptegel", "resident_contact": {
                     "name": "Geheime Naam", "phone": "0612345678", "consent": True}}},
        errors={"title": ["Te lang."]}))
    db.session.commit()
    html = admin.get("/beheer/afgewezen").get_data(as_text=True)
    assert "Losse stoeptegel" in html and "title: Te lang." in html and "[verwijderd]" in html
    assert "Geheime Naam" not in html and "0612345678" not in html
    item_id = db.session.scalar(select(QuarantinedMutation.id))
    assert _form(admin, f"/beheer/afgewezen/{item_id}/afgehandeld").status_code == 302
    assert "Losse stoeptegel" not in admin.get("/beheer/afgewezen").get_data(as_text=True)
    assert "Losse stoeptegel" in admin.get("/beheer/afgewezen?afgehandeld=ja").get_data(as_text=True)
    assert db.session.scalar(select(AdminAction.action)) == "quarantine.resolve"


def test_contact_access_page(api):
    admin = api("admin")
    reader = api("team", name="Lezer Lisa")
    record = uuid.uuid4()
    db.session.add_all([ContactAccess(entity="signal", record_id=record, user_id=reader.db_user.id),
                        ContactAccess(entity="signal", record_id=record, user_id=reader.db_user.id, granted=False)])
    db.session.commit()
    html = admin.get("/beheer/inzage").get_data(as_text=True)
    assert html.count("Lezer Lisa") == 2 and "Geweigerd" in html and "Bekeken" in html


def test_retention_page_counts_and_removes(api, make_user):
    from app.records.privacy import store_contact

    admin = api("admin")
    user, _ = make_user()
    old = store_contact("conversation", uuid.uuid4(), {"name": "Oud"}, user.id)
    old.purge_after = utcnow() - timedelta(days=1)
    store_contact("conversation", uuid.uuid4(), {"name": "Nieuw"}, user.id)
    db.session.commit()
    html = admin.get("/beheer/bewaartermijn").get_data(as_text=True)
    assert '<dd id="due">1</dd>' in html and "Oud" not in html
    assert _form(admin, "/beheer/bewaartermijn").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ResidentContact)) == 1
    assert "1 contactgegevens van bewoners verwijderd" in admin.get("/beheer/bewaartermijn").get_data(as_text=True)
    assert db.session.scalar(select(AdminAction.after)) == {"removed": 1}


def test_own_password_page(app, api, make_user):
    admin = api("admin")
    response = _form(admin, "/beheer/mensen/nieuw", {"email": "pw@test.nl", "name": "Pim", "role": "team"})
    password = re.search(r'id="eenmalig"[^>]*value="([^"]+)"', response.get_data(as_text=True)).group(1)
    pim = ApiClient(app.test_client())
    pim.login("pw@test.nl", password)
    redirect = pim.get("/kaart")
    assert redirect.status_code == 302 and redirect.headers["Location"].startswith("/wachtwoord")
    assert "Kies je eigen wachtwoord" in pim.get("/wachtwoord").get_data(as_text=True)
    assert _form(pim, "/wachtwoord", {"current_password": password, "new_password": "lang genoeg hoor",
                                      "repeat_password": "anders"}).status_code == 400
    short = _form(pim, "/wachtwoord", {"current_password": password, "new_password": "kort", "repeat_password": "kort"})
    assert short.status_code == 400 and "minstens 12 tekens" in short.get_data(as_text=True)
    assert pim.post("/wachtwoord", data={"current_password": password, "new_password": "lang genoeg hoor",
                                         "repeat_password": "lang genoeg hoor"}).status_code == 403  # no token
    done = _form(pim, "/wachtwoord?next=/kaart", {"current_password": password, "new_password": "lang genoeg hoor",
                                                  "repeat_password": "lang genoeg hoor"})
    assert done.status_code == 302 and done.headers["Location"] == "/kaart"
    assert pim.get("/kaart").status_code == 200
