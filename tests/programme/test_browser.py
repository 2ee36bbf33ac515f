"""End to end in Chromium: a coordinator offline logs a bijeenkomst with two conversations and an
application; after sync the manager grants it in /budget; the phone then shows "Toegekend € 450,00".
axe-core on the new screens and pages; screenshots for the README."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Conversation, Gathering, Idea
from tests.pwa.conftest import ASSEN_BUURT, open_screen, sign_in, wait_until_sent
from tests.support import check_accessibility, only_loopback, sign_in_on_login_page

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shot(page: Page, name: str, dialect: str, full_page: bool = False) -> None:
    if dialect == "sqlite":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)


def conversation_at_gathering(page: Page, summary: str, then: str = "Opslaan") -> None:
    page.get_by_role("link", name="Gesprek bij deze bijeenkomst").click()
    expect(page.get_by_role("heading", name="Nieuw gesprek")).to_be_visible()
    expect(page.get_by_role("link", name="Stamppotavond BIC")).to_be_visible()
    expect(page.locator("input[name=setting][value=gathering]")).to_be_checked()
    page.get_by_label("Korte samenvatting").fill(summary)
    expect(page.locator("#loc-buurt")).to_have_text("Erfgoedkwartier")
    page.get_by_role("button", name=then, exact=True).click()


def test_gathering_application_grant_end_to_end(phone, browser, live_server, make_user, dialect):
    worker, password = make_user("field_worker", buurten=[ASSEN_BUURT], name="Michelle Bieleveld")
    manager, manager_password = make_user("manager", name="Anouk de Vries")
    context = phone()
    page = context.new_page()
    sign_in(page, worker.email, password)

    context.set_offline(True)
    page.get_by_role("link", name="Bijeenkomst starten").click()
    expect(page.get_by_role("heading", name="Bijeenkomst starten")).to_be_visible()
    page.locator("label.chip", has_text="Stamppotavond").click()
    page.get_by_label("Naam (niet verplicht)").fill("Stamppotavond BIC")
    expect(page.locator("#loc-buurt")).to_have_text("Erfgoedkwartier")
    check_accessibility(page, "Bijeenkomst starten")
    page.get_by_role("button", name="Bijeenkomst starten").click()
    expect(page.get_by_role("heading", name="Stamppotavond BIC")).to_be_visible()
    for _ in range(24):
        page.get_by_role("button", name="Eén aanwezige meer").click()
    page.get_by_role("button", name="Eén aanwezige minder").click()
    expect(page.locator("#count")).to_have_text("23")

    conversation_at_gathering(page, "Aan tafel: de speeltuin is te klein, bewoners willen zelf iets doen.")
    expect(page.get_by_role("heading", name="Gesprek", exact=True)).to_be_visible()
    open_screen(page, "/", "Start")
    expect(page.get_by_role("link", name="Bijeenkomst bezig: Stamppotavond BIC (23 aanwezig)")).to_be_visible()
    page.get_by_role("link", name="Bijeenkomst bezig: Stamppotavond BIC (23 aanwezig)").click()
    conversation_at_gathering(page, "Buren willen samen een moestuin beginnen op het grasveld.", "Opslaan + idee")

    expect(page.get_by_role("heading", name="Nieuw idee")).to_be_visible()
    page.get_by_label("Titel").fill("Buurtmoestuin op het grasveld")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("heading", name="Gesprek", exact=True)).to_be_visible()
    page.locator("#linked").get_by_role("link", name="Buurtmoestuin op het grasveld").click()
    page.get_by_role("link", name="Aanvraag buurtbudget maken").click()

    expect(page.get_by_role("heading", name="Aanvraag buurtbudget")).to_be_visible()
    page.get_by_label("Gevraagd bedrag in euro").fill("450")
    expect(page.locator("#amount-preview")).to_have_text("Wordt aangevraagd als € 450,00")
    page.locator("label.chip", has_text="Materialen").click()
    page.locator("label.chip", has_text="Collectief").click()
    page.get_by_role("button", name="Aanvraag indienen").click()
    expect(page.locator("[data-error-for=requirements]")).to_contain_text("beide voorwaarden")
    page.locator("label.chip", has_text="Verbindt fysiek en sociaal").click()
    page.get_by_label("Gevraagd bedrag in euro").fill("1.500")
    expect(page.locator("#amount-preview")).to_have_text("Wordt aangevraagd als € 1.500,00")
    page.get_by_label("Gevraagd bedrag in euro").fill("450")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "pwa-aanvraag", dialect)
    check_accessibility(page, "Aanvraag buurtbudget")
    page.get_by_role("button", name="Aanvraag indienen").click()
    expect(page.locator("#decision")).to_contain_text("Aanvraag ingediend: € 450,00 gevraagd")

    open_screen(page, "/", "Start")
    page.get_by_role("link", name="Bijeenkomst bezig: Stamppotavond BIC (23 aanwezig)").click()
    expect(page.locator("#linked li")).to_have_count(3)
    shot(page, "pwa-bijeenkomst", dialect)
    check_accessibility(page, "Bijeenkomst")
    page.get_by_role("button", name="Bijeenkomst afronden").click()
    expect(page.get_by_text("Deze bijeenkomst is afgerond.")).to_be_visible()

    started = page.evaluate("Date.now()")
    context.set_offline(False)
    wait_until_sent(page, started)
    db.session.rollback()
    gathering = db.session.scalar(select(Gathering))
    assert (gathering.kind, gathering.attendance_count, gathering.buurt_code) == ("stamppot", 23, ASSEN_BUURT)
    assert gathering.ended_at is not None
    conversations = db.session.scalars(select(Conversation)).all()
    assert len(conversations) == 2 and {c.gathering_id for c in conversations} == {gathering.id}
    idea = db.session.scalar(select(Idea))
    assert (idea.status, idea.budget_requested_cents, sorted(idea.requirements)) == (
        "application_submitted", 45_000, ["collective", "physical_social"])
    assert idea.conversation_id in {c.id for c in conversations}

    # The manager grants it in /budget.
    desk = browser.new_context(bypass_csp=True, base_url=live_server.url, viewport={"width": 1280, "height": 900},
                               locale="nl-NL")
    only_loopback(desk, live_server.url)
    office = desk.new_page()
    office.goto("/budget")
    sign_in_on_login_page(office, manager.email, manager_password)
    expect(office.get_by_role("heading", name="Buurtbudget", exact=True)).to_be_visible()
    office.get_by_label("Naam").fill("Buurtbudget Assen")
    office.get_by_label("Bedrag in euro (bijv. 25.000,00)").fill("10.000")
    office.get_by_role("button", name="Budget aanmaken").click()
    expect(office.get_by_text("Budget 'Buurtbudget Assen' aangemaakt: € 10.000,00.")).to_be_visible()
    queue = office.locator("article.idea", has_text="Buurtmoestuin op het grasveld")
    expect(queue).to_contain_text("Erfgoedkwartier")
    expect(queue).to_contain_text("Buren willen samen een moestuin beginnen")
    expect(queue.get_by_label("Toe te kennen bedrag")).to_have_value("450,00")
    check_accessibility(office, "/budget/<id>")
    shot(office, "budget-aanvragen", dialect)
    queue.get_by_role("button", name="Toekennen").click()
    expect(office.get_by_text("Toegekend: € 450,00.")).to_be_visible()
    expect(office.locator("#remaining")).to_have_text("€ 9.550,00")
    office.goto("/budget")
    check_accessibility(office, "/budget")
    shot(office, "budget", dialect)
    office.goto("/bijeenkomsten")
    expect(office.get_by_role("cell", name="23")).to_be_visible()
    check_accessibility(office, "/bijeenkomsten")
    shot(office, "bijeenkomsten", dialect)
    office.goto("/dashboard")
    expect(office.get_by_role("heading", name="Buurtbudget")).to_be_visible()
    check_accessibility(office, "/dashboard with budgets")
    desk.close()

    # The phone receives the decision at its next sync.
    page.reload()
    open_screen(page, f"/idee/{idea.id}", "Idee")
    expect(page.locator("#decision")).to_contain_text("Toegekend € 450,00", timeout=30_000)
    shot(page, "pwa-toegekend", dialect)
    check_accessibility(page, "Idee met besluit")
