"""Chromium: a coordinator sees the status badge and the change notice after a team member's update."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Notification
from tests.pwa.conftest import ASSEN_BUURT, open_screen, sign_in
from tests.support import ApiClient, check_accessibility, only_loopback, sign_in_on_login_page, wait_for_path
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
    open_screen(page, "/mijn", "Mijn registraties")
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
    open_screen(page, "/signaal/nieuw", "Nieuw signaal")
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


def test_settings_failed_mail_and_unsubscribe_pages_under_the_csp_and_axe(app, browser, live_server, make_user):
    admin, password = make_user("admin", name="Beheerder")
    db.session.add(Notification(kind="assigned", message_id="<test.1@muurtje.test>", to_address="x@muurtje.test",
                                subject="Aan u toegewezen: Bank kapot", body_text="t", body_html="<p>t</p>",
                                status="failed", attempts=10, last_error="451 Probeer later"))
    db.session.commit()
    violations: list[str] = []
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="nl-NL")
    only_loopback(context, live_server.url)
    page = context.new_page()
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda exc: violations.append(str(exc)))

    page.goto("/afmelden/geen-geldige-link")
    expect(page.get_by_role("heading", name="Deze link werkt niet")).to_be_visible()
    page.goto(f"/buurten/{ASSEN_BUURT}")
    expect(page.get_by_role("heading", name="Wat er is opgelost")).to_be_visible()
    page.goto("/instellingen")
    sign_in_on_login_page(page, admin.email, password)
    wait_for_path(page, "/instellingen")
    page.get_by_label("E-mail mij over signalen die mij aangaan").uncheck()
    page.get_by_role("button", name="Opslaan").click()
    expect(page.locator("#settings-message")).to_have_text("Opgeslagen: u krijgt deze e-mail niet meer.")
    page.goto("/meldingen")
    expect(page.get_by_role("cell", name="451 Probeer later")).to_be_visible()
    page.get_by_role("button", name="Opnieuw versturen").click()
    expect(page.locator("#failed-message")).to_have_text("Het bericht staat weer in de wachtrij.")
    context.close()
    assert violations == []
    db.session.rollback()
    assert db.session.scalars(select(Notification.status)).one() == "pending"

    checked = browser.new_context(bypass_csp=True, base_url=live_server.url, viewport={"width": 1280, "height": 800},
                                  locale="nl-NL")
    only_loopback(checked, live_server.url)
    page = checked.new_page()
    page.goto("/afmelden/geen-geldige-link")
    check_accessibility(page, "/afmelden")
    page.goto("/instellingen")
    sign_in_on_login_page(page, admin.email, password)
    wait_for_path(page, "/instellingen")
    check_accessibility(page, "/instellingen")
    page.goto("/meldingen")
    check_accessibility(page, "/meldingen")
    checked.close()
