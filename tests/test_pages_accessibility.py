"""axe-core (WCAG 2.1 A/AA) on the pages of partners and managers: no serious or critical violations."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.support import ApiClient, check_accessibility, only_loopback, sign_in_on_login_page, wait_for_path

pytestmark = pytest.mark.browser


def _signal_by_push(app, worker_email: str, worker_password: str) -> str:
    worker = ApiClient(app.test_client())
    worker.login(worker_email, worker_password)
    signal_id = str(uuid.uuid4())
    body = {
        "client_id": str(uuid.uuid4()),
        "schema_version": 1,
        "mutations": [
            {
                "mutation_id": 1,
                "entity": "signal",
                "op": "upsert",
                "id": signal_id,
                "base_version": None,
                "fields": {
                    "title": "Losliggende stoeptegels",
                    "theme": "openbare_ruimte",
                    "domain": "physical",
                    "urgency": "normal",
                    "location": {"lat": 52.9936, "lon": 6.5650, "accuracy_m": 8},
                },
            }
        ],
    }
    assert worker.post("/api/v1/sync/push", json=body).get_json()["results"][0]["status"] == "applied"
    return signal_id


def test_partner_and_manager_pages_pass_axe(app, live_server, browser, make_user):
    worker, worker_password = make_user("field_worker", buurten=["BU01060001"])
    signal_id = _signal_by_push(app, worker.email, worker_password)
    manager, password = make_user("manager", organisation="Gemeente Assen")
    context = browser.new_context(
        bypass_csp=True, base_url=live_server.url, viewport={"width": 1280, "height": 800}, locale="nl-NL"
    )
    # Map tiles come from outside; refuse them so the pages are checked as they work offline.
    only_loopback(context, live_server.url)
    page = context.new_page()
    page.goto("/login")
    expect(page.get_by_role("heading", name="Aanmelden")).to_be_visible()
    check_accessibility(page, "/login")
    sign_in_on_login_page(page, manager.email, password)
    wait_for_path(page, "/dashboard")
    expect(page.locator("#status")).to_contain_text("geladen")
    check_accessibility(page, "/dashboard")

    page.goto("/kaart")
    expect(page.locator(".leaflet-container")).to_be_visible()
    expect(page.get_by_text("Losliggende stoeptegels").first).to_be_visible()
    check_accessibility(page, "/kaart")

    page.goto(f"/kaart/signalen/{signal_id}")
    expect(page.get_by_role("heading", name="Losliggende stoeptegels")).to_be_visible()
    check_accessibility(page, "/kaart/signalen/<id>")

    page.goto("/reports/buurten/BU01060001")
    expect(page.locator("svg").first).to_be_visible()
    check_accessibility(page, "/reports/buurten/<code>")
    context.close()
