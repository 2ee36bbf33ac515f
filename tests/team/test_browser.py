"""End to end in headless Chromium against gunicorn: filter the map, pick up and refer a signal."""

from __future__ import annotations

import json
import urllib.request
import uuid
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Buurt, Signal
from tests.support import ApiClient, only_loopback, sign_in_on_login_page, wait_for_path

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _push_signal(worker, title: str, theme: str, lat: float, lon: float) -> str:
    signal_id = str(uuid.uuid4())
    body = {"client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [{
        "mutation_id": 1, "entity": "signal", "op": "upsert", "id": signal_id, "base_version": None,
        "fields": {"title": title, "theme": theme, "domain": "physical", "urgency": "high",
                   "location": {"lat": lat, "lon": lon, "accuracy_m": 6}},
    }]}
    assert worker.post("/api/v1/sync/push", json=body).get_json()["results"][0]["status"] == "applied"
    return signal_id


def _pull_over_http(base_url: str, email: str, password: str) -> list[dict]:
    """Sign in as the field worker with a device token, as the app does, and pull everything."""
    def call(path, body=None, token=None):
        request = urllib.request.Request(base_url + path, data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json", "Origin": base_url})
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.load(response)

    token = call("/api/v1/auth/login", {"email": email, "password": password, "token": True,
                                        "device_name": "test"})["token"]["token"]
    return call("/api/v1/sync/pull", token=token)["changes"]


def test_filter_pick_up_and_refer(live_server, app, make_user, browser):
    worker_user, worker_password = make_user("field_worker", buurten=["BU01060000", "BU01060001"])
    worker_email = worker_user.email
    worker = ApiClient(app.test_client())
    worker.login(worker_email, worker_password)
    fence = _push_signal(worker, "Hek speelveld kapot", "openbare_ruimte", 52.9950, 6.5600)
    _push_signal(worker, "Zwerfvuil bij de containers", "afval", 52.9930, 6.5650)
    team_user, password = make_user("team", organisation="Actium", name="Tineke Team")

    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 800}, locale="nl-NL")
    only_loopback(context, live_server.url)
    page = context.new_page()
    page.goto(live_server.url + "/kaart")
    page.wait_for_url("**/login**")
    sign_in_on_login_page(page, team_user.email, password)
    wait_for_path(page, "/kaart")

    signal_list = page.locator("#signal-list")
    signal_list.get_by_text("Zwerfvuil bij de containers").wait_for()
    page.locator(".single-icon, .cluster-icon").first.wait_for()
    page.select_option("#f-theme", "openbare_ruimte")
    page.wait_for_function("document.querySelectorAll('#signal-list li').length === 1")
    assert "Hek speelveld kapot" in signal_list.inner_text()
    assert "Zwerfvuil" not in signal_list.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "team-map-1280.png"))

    signal_list.get_by_role("link", name="Hek speelveld kapot").click()
    page.wait_for_url(f"**/kaart/signalen/{fence}")
    page.get_by_role("heading", name="Hek speelveld kapot").wait_for()
    buurt = db.session.get(Buurt, db.session.get(Signal, uuid.UUID(fence)).buurt_code)
    page.locator("#s-fields").get_by_text(f"{buurt.name} ({buurt.wijk_name})", exact=True).wait_for()
    actions = page.locator("#actions")
    assert sorted(actions.locator("button").all_inner_texts()) == sorted(
        ["Oppakken", "Doorverwijzen…", "Niet uitvoerbaar…"])

    actions.get_by_role("button", name="Oppakken").click()
    page.locator("#s-owner", has_text="Opgepakt door Tineke Team (Actium)").wait_for()
    assert sorted(actions.locator("button").all_inner_texts()) == sorted(
        ["In behandeling nemen", "Afronden", "Doorverwijzen…", "Niet uitvoerbaar…"])

    actions.get_by_role("button", name="Doorverwijzen…").click()
    page.get_by_role("button", name="Bevestigen").click()  # without a reason: refused in the page
    assert page.locator("#action-message").inner_text() == "Vul een reden in."
    page.fill("#reason", "Doorgezet naar Actium onderhoud, melding 4411")
    page.get_by_role("button", name="Bevestigen").click()
    page.locator("#action-message", has_text="Status is nu Doorverwezen.").wait_for()
    page.locator("#followups", has_text="Doorgezet naar Actium onderhoud, melding 4411").wait_for()
    page.screenshot(path=str(SCREENSHOTS / "team-signal-1280.png"), full_page=True)

    phone = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844}, locale="nl-NL",
                                storage_state=context.storage_state())
    only_loopback(phone, live_server.url)
    phone_page = phone.new_page()
    phone_page.goto(live_server.url + "/kaart")
    phone_page.locator("#signal-list li").first.wait_for()
    phone_page.screenshot(path=str(SCREENSHOTS / "team-map-390.png"))
    phone_page.goto(live_server.url + f"/kaart/signalen/{fence}")
    phone_page.locator("#s-owner", has_text="Doorverwezen door Tineke Team (Actium)").wait_for()
    phone_page.screenshot(path=str(SCREENSHOTS / "team-signal-390.png"), full_page=True)
    phone.close()
    context.close()

    changes = _pull_over_http(live_server.url, worker_email, worker_password)
    pulled = [c["record"] for c in changes if c["id"] == fence][-1]
    assert pulled["status"] == "referred"
    assert pulled["assignee"] == str(team_user.id)
    reasons = [c["record"]["text"] for c in changes if c["entity"] == "followup"]
    assert "Doorgezet naar Actium onderhoud, melding 4411" in reasons
