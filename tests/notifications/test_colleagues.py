"""Team members hear of urgent signals and of signals assigned to them, and get an overdue digest."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import Notification
from app.notifications.delivery import deliver_due
from tests.notifications.conftest import patch, report
from tests.sync.helpers import BUURT_A


def _organisation_id(api) -> str:
    return api.get("/api/v1/me").get_json()["organisation"]["id"]


def test_urgent_signal_mails_the_owning_team_except_who_opted_out(mail_app, smtp, api, make_user):
    wanted = api("team", organisation="Gemeente Assen", email="anna@gemeente.test")
    opted_out = api("team", organisation="Gemeente Assen", email="bert@gemeente.test")
    api("team", organisation="Actium", email="carla@actium.test")
    assert opted_out.patch("/api/v1/me", json={"notify_email": False}).get_json()["notify_email"] is False
    field = api("field_worker", buurten=[BUURT_A])
    org = _organisation_id(wanted)
    report(field, urgency="high", organisation=org, title="Gaslucht bij de flat")
    report(field, urgency="normal", organisation=org, title="Losse stoeptegel")
    escalated = report(field, urgency="normal", organisation=org, title="Boom dreigt om te vallen")
    patch(wanted, "signal", escalated, urgency="high")  # the actor is not mailed about their own change
    patch(field, "signal", escalated, description="Nog steeds")  # no new mail for an edit

    assert deliver_due()["sent"] == 1
    [mail] = smtp.received
    assert mail.rcpt == ["anna@gemeente.test"]
    assert mail.message["Subject"].startswith("Urgent signaal in ")
    assert mail.message["Subject"].endswith(": Gaslucht bij de flat")
    assert "/kaart/signalen/" in mail.text() and "/instellingen" in mail.text()


def test_assignment_mails_the_assignee(mail_app, smtp, api):
    lead = api("team", organisation="Gemeente Assen", email="lead@gemeente.test")
    member = api("team", organisation="Gemeente Assen", email="member@gemeente.test")
    field = api("field_worker", buurten=[BUURT_A])
    signal = report(field, title="Graffiti op het BIC")
    patch(lead, "signal", signal, organisation=_organisation_id(lead), assignee=str(member.db_user.id),
          due_date="2026-12-01")
    patch(lead, "signal", signal, status="picked_up", assignee=str(lead.db_user.id))  # took it themselves
    deliver_due()
    assert [m.rcpt for m in smtp.received] == [["member@gemeente.test"]]
    assert smtp.received[0].message["Subject"] == "Aan u toegewezen: Graffiti op het BIC"
    assert "1 december 2026" in smtp.received[0].text()


def test_overdue_digest_once_a_day_per_member(mail_app, smtp, api, runner):
    member = api("team", organisation="Gemeente Assen", email="member@gemeente.test")
    colleague = api("team", organisation="Gemeente Assen", email="colleague@gemeente.test")
    field = api("field_worker", buurten=[BUURT_A])
    org = _organisation_id(member)
    yesterday = (date.today() - timedelta(days=2)).isoformat()
    mine = report(field, title="Mijn verlopen signaal")
    patch(member, "signal", mine, organisation=org, assignee=str(member.db_user.id), due_date=yesterday)
    nobodys = report(field, title="Niemands verlopen signaal")
    patch(member, "signal", nobodys, organisation=org, due_date=yesterday)
    finished = report(field, title="Afgerond signaal")
    patch(member, "signal", finished, organisation=org, due_date=yesterday, status="picked_up")
    patch(member, "signal", finished, status="done")
    report(field, title="Nog op tijd")
    db.session.query(Notification).delete()
    db.session.commit()

    result = runner.invoke(args=["notifications", "digest"])
    assert result.exit_code == 0 and result.output.startswith("2 overzicht"), result.output
    assert runner.invoke(args=["notifications", "digest"]).output.startswith("0 overzicht")
    deliver_due()
    by_rcpt = {m.rcpt[0]: m for m in smtp.received}
    assert set(by_rcpt) == {"member@gemeente.test", "colleague@gemeente.test"}
    mine_mail = by_rcpt["member@gemeente.test"].text()
    assert "Mijn verlopen signaal" in mine_mail and "Niemands verlopen signaal" in mine_mail
    assert "Afgerond signaal" not in mine_mail and "Nog op tijd" not in mine_mail
    theirs = by_rcpt["colleague@gemeente.test"].text()
    assert "Niemands verlopen signaal" in theirs and "Mijn verlopen signaal" not in theirs
    assert by_rcpt["member@gemeente.test"].message["Subject"] == "2 signalen over de termijn"
    assert colleague.patch("/api/v1/me", json={"notify_email": "ja"}).status_code in (400, 422)


def test_settings_page_and_me(mail_app, api):
    member = api("team", organisation="Gemeente Assen")
    page = member.get("/instellingen")
    assert page.status_code == 200 and 'id="notify-email"' in page.get_data(as_text=True)
    assert member.get("/api/v1/me").get_json()["notify_email"] is True
    member.patch("/api/v1/me", json={"notify_email": False})
    assert member.get("/api/v1/me").get_json()["notify_email"] is False
    assert db.session.scalar(select(Notification.id)) is None
