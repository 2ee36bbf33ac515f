"""axe-core (WCAG 2.1 A/AA) in every screen of the field PWA: no serious or critical violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.pwa.conftest import ASSEN_BUURT, screenshot
from tests.support import check_accessibility

pytestmark = pytest.mark.browser

SCREENS = [
    ("#/", "Laatst vastgelegd", "start"),
    ("#/gesprek/nieuw", "Nieuw gesprek", None),
    ("#/signaal/nieuw", "Nieuw signaal", None),
    ("#/idee/nieuw", "Nieuw idee", "idee"),
    ("#/uitbox", "Uitbox", None),
    ("#/buurt", "In deze buurt", None),
    ("#/mijn", "Mijn registraties", "mijn"),
]


def test_every_screen_passes_axe(phone, make_user, dialect):
    worker, password = make_user("field_worker", buurten=[ASSEN_BUURT])
    page = phone().new_page()
    page.goto("/app/")
    expect(page.get_by_role("heading", name="Aanmelden")).to_be_visible()
    screenshot(page, "aanmelden", dialect)
    check_accessibility(page, "aanmelden")

    page.get_by_label("E-mailadres").fill(worker.email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.locator("#status")).to_contain_text("laatst gesynchroniseerd")
    for route, heading, shot in SCREENS:
        page.goto(f"/app/{route}")
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
        if route in ("#/gesprek/nieuw", "#/signaal/nieuw", "#/idee/nieuw"):
            expect(page.locator("#loc-buurt")).to_have_text("Erfgoedkwartier")
        if shot:
            screenshot(page, shot, dialect)
        check_accessibility(page, route)
