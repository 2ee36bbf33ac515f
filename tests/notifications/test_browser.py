"""Chromium: a coordinator sees the status badge and the change notice after a team member's update."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Notification
from tests.pwa.conftest import ASSEN_BUURT, sign_in
from tests.support import ApiClient, check_accessibility, only_loopback, sign_in_on_login_page
from tests.sync.helpers import new_id, push, signal_fields, upsert

pytestmark = pytest.mark.browser

NOTE = "We komen donderdag de tegels rechtleggen."


def test_coordinator_sees_badge_and_notice_after_team_changes_status(app, phone, browser, live_server, make_user):
    coordinator, password = make_user("field_worker", buurten=[ASSEN_BUURT], name="Michelle Bieleveld")
    member, member_password = make_user("team", organisation="Gemeente Assen", name="Teamlid Jansen")
    as_coordinator = ApiClient(app.test_client())
    as_coordinator.login(coordinator.email, password)
    signal_id = new_id()
    fields = {**signal_fields(ASSEN_BUURT, title="Losse stoeptegels bij het muurtje"),
              "resident_contact": {"email": "bewoner@example.org", "consent": True, "updates": True}}
    push(as_coordinator, new_id(), [upsert(1, "signal", signal_id, fields)])

    page = phone().new_page()
    sign_in(page, coordinator.email, password)
    page.goto("/app/#/mijn")
    item = page.locator(f'a[href="#/signaal/{signal_id}"]')
    expect(item.locator(".badge-status")).to_have_text("Nieuw")
    expect(page.locator("#changed-notice")).to_have_count(0)

    desk = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800}, locale="nl-NL",
                               base_url=live_server.url)
    only_loopback(desk, live_server.url)
    team_page = desk.new_page()
    team_page.goto(f"/kaart/signalen/{signal_id}")
    sign_in_on_login_page(team_page, member.email, member_password)
    expect(team_page.locator("#s-title")).to_have_text("Losse stoeptegels bij het muurtje")
    expect(team_page.get_by_text("leest dit bericht in de e-mail")).to_be_visible()
    team_page.get_by_label("Bericht voor de bewoner").fill(NOTE)
    team_page.get_by_label("Openbaar op de buurtpagina").check()
    team_page.get_by_role("button", name="Oppakken").click()
    expect(team_page.locator("#action-message")).to_contain_text("Status is nu Opgepakt")
    check_accessibility(team_page, "team signal with public note")
    desk.close()

    page.reload()  # the app syncs on start
    notice = page.locator("#changed-notice")
    expect(notice).to_contain_text("Teamlid Jansen zette de status op Opgepakt")
    expect(notice).to_contain_text(NOTE)
    expect(item.locator(".badge-status")).to_have_text("Opgepakt")
    check_accessibility(page, "mijn registraties with a change notice")
    notice.get_by_role("button", name="Gezien").click()
    expect(page.locator("#changed-notice")).to_have_count(0)
    page.reload()
    expect(item.locator(".badge-status")).to_have_text("Opgepakt")
    expect(page.locator("#changed-notice")).to_have_count(0)

    db.session.rollback()  # see what gunicorn committed
    [mail] = db.session.scalars(select(Notification)).all()
    assert mail.subject == "Uw melding is opgepakt" and NOTE in mail.body_text


def test_contact_block_asks_for_an_email_to_keep_the_resident_informed(app, phone, make_user):
    coordinator, password = make_user("field_worker", buurten=[ASSEN_BUURT])
    page = phone().new_page()
    sign_in(page, coordinator.email, password)
    page.goto("/app/#/signaal/nieuw")
    page.get_by_label("Titel").fill("Kapotte bank")
    page.get_by_text("Contactgegevens bewoner").click()
    page.get_by_label("Naam").fill("Bewoner")
    page.get_by_label("De bewoner geeft toestemming").check()
    page.get_by_label("Wil op de hoogte blijven").check()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator('[data-error-for="resident_contact"]')).to_contain_text("e-mailadres")


def test_public_buurt_page_passes_axe(browser, live_server):
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844}, locale="nl-NL",
                                  base_url=live_server.url)
    only_loopback(context, live_server.url)
    page = context.new_page()
    page.goto(f"/buurten/{ASSEN_BUURT}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="Wat er is opgelost")).to_be_visible()
    check_accessibility(page, "public buurt page")
    context.close()
