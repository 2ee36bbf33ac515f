"""Every page works under its own Content-Security-Policy: no violation reported by Chromium.

The other browser tests bypass the CSP so that they can inject their tools (axe-core, polling
functions); this one loads the pages as users get them and listens for violations.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support import only_loopback, sign_in_on_login_page, wait_for_path

pytestmark = pytest.mark.browser


def test_pages_and_field_app_run_under_the_csp(live_server, browser, make_user):
    manager, password = make_user("manager", organisation="Gemeente Assen")
    worker, worker_password = make_user("field_worker", buurten=["BU01060001"])
    violations: list[str] = []
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}, locale="nl-NL",
        geolocation={"latitude": 52.9936, "longitude": 6.5650, "accuracy": 12}, permissions=["geolocation"],
    )
    only_loopback(context, live_server.url)
    page = context.new_page()
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda exc: violations.append(str(exc)))

    page.goto("/login")
    sign_in_on_login_page(page, manager.email, password)
    wait_for_path(page, "/dashboard")
    expect(page.locator("#status")).to_contain_text("geladen")
    page.goto("/kaart")
    expect(page.locator(".leaflet-container")).to_be_visible()
    expect(page.locator(".leaflet-overlay-pane path").first).to_be_attached()
    page.goto("/reports/buurten/BU01060001")
    expect(page.locator("svg").first).to_be_visible()

    page.goto("/app/")
    page.get_by_label("E-mailadres").fill(worker.email)
    page.get_by_label("Wachtwoord", exact=True).fill(worker_password)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.locator("#status")).to_contain_text("laatst gesynchroniseerd")
    page.get_by_role("link", name="Nieuw gesprek").click()
    expect(page.locator("#loc-buurt")).to_have_text("Erfgoedkwartier")
    context.close()
    assert violations == []
