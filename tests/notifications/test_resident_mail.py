"""Residents who asked to hear back get one Dutch e-mail per status that matters, and can stop it."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, ResidentContact
from app.notifications.delivery import deliver_due
from tests.notifications.conftest import RESIDENT, grant_fields, patch, realise_fields, report
from tests.sync.helpers import BUURT_A, new_id, push, upsert

STAFF_NAME = "Teamlid Gerritsma"
INTERNAL = "Interne notitie: buurman Piet van nummer 14 belt steeds"
NOTE = "We hebben het hek op dinsdag gerepareerd. Dank voor uw melding!"


def _followup(api, entity, record_id, text, status_to=None):
    response = api.post(f"/api/v1/{entity}s/{record_id}/followups", json={"text": text, "status_to": status_to})
    assert response.status_code == 201, response.get_json()


def test_each_signal_status_that_matters_mails_the_resident_once(mail_app, smtp, api):
    field = api("field_worker", buurten=[BUURT_A])
    team = api("team", organisation="Gemeente Assen", name=STAFF_NAME)
    signal = report(field, contact=RESIDENT)
    _followup(team, "signal", signal, INTERNAL)
    patch(team, "signal", signal, status="picked_up", public_note="We gaan ernaar kijken.")
    patch(team, "signal", signal, status="in_progress")  # not a status residents hear about
    patch(team, "signal", signal, status="done", public_note=NOTE, public=True)
    other = report(field, contact=RESIDENT)
    patch(team, "signal", other, public_note="Dit valt buiten wat de partners kunnen doen.")
    _followup(team, "signal", other, INTERNAL, status_to="not_actionable")

    assert deliver_due() == {"sent": 3, "retry": 0, "failed": 0}
    subjects = [m.message["Subject"] for m in smtp.received]
    assert subjects == ["Uw melding is opgepakt", "Uw melding is afgerond", "Uw melding is niet uitvoerbaar"]
    assert all(m.rcpt == [RESIDENT["email"]] for m in smtp.received)
    picked, done, refused = smtp.received
    assert "We gaan ernaar kijken." in picked.text()
    assert NOTE in done.text() and NOTE in done.html()
    assert "Dit valt buiten wat de partners kunnen doen." in refused.text()
    for mail in smtp.received:
        whole = mail.message.as_string()
        for secret in (INTERNAL, "Piet", STAFF_NAME, "Gerritsma", "Hek speelveld kapot", "Bij het BIC",
                       RESIDENT["name"], RESIDENT["phone"]):
            assert secret not in mail.text() and secret not in mail.html(), secret
        assert "Gemeente Assen" not in whole
        assert mail.message["Message-ID"].endswith("@muurtje.test>")
        assert mail.message["From"] == "Muurtje <noreply@muurtje.test>"
        assert "Beste bewoner" in mail.text() and '<html lang="nl">' in mail.html()
        assert re.search(r"https://muurtje\.test/afmelden/\S+", mail.text())
        assert mail.message["List-Unsubscribe"].startswith("<https://muurtje.test/afmelden/")
    assert deliver_due() == {"sent": 0, "retry": 0, "failed": 0}  # sent once


def test_idea_statuses_mail_the_initiator(mail_app, smtp, api):
    field = api("field_worker", buurten=[BUURT_A])
    manager = api("manager")
    idea = report(field, "idea", contact=RESIDENT)
    patch(manager, "idea", idea, status="in_conversation")
    patch(manager, "idea", idea, status="application_submitted")
    patch(manager, "idea", idea, status="granted", public_note="Veel plezier!", **grant_fields(manager, 40_000))
    patch(manager, "idea", idea, status="realised", public_note="Het buurtfeest was een succes.",
          **realise_fields(35_000))
    declined = report(field, "idea", contact=RESIDENT)
    _followup(manager, "idea", declined, INTERNAL, status_to="declined")

    deliver_due()
    assert [m.message["Subject"] for m in smtp.received] == [
        "Uw idee is toegekend", "Uw idee is gerealiseerd", "Uw idee is afgewezen"]
    assert "Veel plezier!" in smtp.received[0].text()
    assert "Het buurtfeest was een succes." in smtp.received[1].html()
    assert INTERNAL not in smtp.received[2].message.as_string()


def test_no_mail_without_updates_or_consent(mail_app, smtp, api):
    field = api("field_worker", buurten=[BUURT_A])
    team = api("team", organisation="Gemeente Assen")
    quiet = report(field, contact={**RESIDENT, "updates": False})
    plain = report(field, contact={k: v for k, v in RESIDENT.items() if k != "updates"})
    nobody = report(field)
    for record_id in (quiet, plain, nobody):
        patch(team, "signal", record_id, status="picked_up", public_note="Opgepakt.")
    no_consent = push(field, new_id(), [upsert(1, "signal", new_id(), {
        "title": "Zonder toestemming", "resident_contact": {**RESIDENT, "consent": False}})])["results"][0]
    no_email = push(field, new_id(), [upsert(1, "signal", new_id(), {
        "title": "Zonder e-mail", "resident_contact": {**RESIDENT, "email": None}})])["results"][0]
    assert no_consent["status"] == "rejected" and "resident_contact" in no_consent["errors"]
    assert no_email["status"] == "rejected"
    assert db.session.scalar(select(Notification.id)) is None
    assert deliver_due()["sent"] == 0 and smtp.received == []


def test_unsubscribe_link_stops_mail_for_that_record(mail_app, smtp, api, client):
    field = api("field_worker", buurten=[BUURT_A])
    team = api("team", organisation="Gemeente Assen")
    signal = report(field, contact=RESIDENT)
    other = report(field, contact=RESIDENT)
    patch(team, "signal", signal, status="picked_up")
    patch(team, "signal", other, status="picked_up")
    assert deliver_due()["sent"] == 2
    patch(team, "signal", signal, status="done")  # queued; the resident unsubscribes before it leaves
    first = db.session.scalars(select(Notification).where(Notification.record_id == _uuid(signal))
                               .order_by(Notification.id)).first()
    link = re.search(r"https://muurtje\.test(/afmelden/\S+)", first.body_text).group(1)
    page = client.get(link)
    assert page.status_code == 200 and "U bent afgemeld" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert client.get(link).status_code == 200  # safe to open twice
    patch(team, "signal", other, status="done")
    assert deliver_due()["sent"] == 1
    cancelled = db.session.scalars(select(Notification).where(Notification.status == "cancelled")).all()
    assert [(c.record_id, c.subject) for c in cancelled] == [(_uuid(signal), "Uw melding is afgerond")]
    assert [m.message["Subject"] for m in smtp.received] == [
        "Uw melding is opgepakt", "Uw melding is opgepakt", "Uw melding is afgerond"]
    assert smtp.received[2].message["Message-ID"] != smtp.received[1].message["Message-ID"]
    contact = db.session.scalars(select(ResidentContact).where(ResidentContact.record_id == _uuid(signal))).one()
    assert contact.updates is False and contact.unsubscribed_at is not None
    # A later status change of the unsubscribed record queues nothing.
    _followup(team, "signal", signal, "Heropend", status_to="in_progress")
    patch(team, "signal", signal, status="done")
    assert db.session.query(Notification).filter(Notification.record_id == _uuid(signal)).count() == 2
    assert client.get("/afmelden/niet-geldig").status_code == 404


def _uuid(value: str):
    import uuid

    return uuid.UUID(value)
