"""The signal page tells what happened, who did it and when (issue 9, item 19), in headless Chromium."""

from __future__ import annotations

import re
import uuid

import pytest

from app.extensions import db
from app.models import Buurt, Signal
from tests.support import ApiClient, check_accessibility, only_loopback, sign_in_on_login_page

pytestmark = pytest.mark.browser


def _push(worker: ApiClient, entity: str, fields: dict) -> str:
    record_id = str(uuid.uuid4())
    body = {"client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [{
        "mutation_id": 1, "entity": entity, "op": "upsert", "id": record_id, "base_version": None, "fields": fields}]}
    result = worker.post("/api/v1/sync/push", json=body).get_json()["results"][0]
    assert result["status"] == "applied", result
    return record_id


def _patch(client: ApiClient, signal_id: str, **fields) -> dict:
    version = client.get(f"/api/v1/signals/{signal_id}").get_json()["version"]
    response = client.patch(f"/api/v1/signals/{signal_id}", json={"base_version": version, **fields})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_log_and_owner_say_who_did_what_after_referral_and_reassignment(live_server, app, make_user, api, browser):
    worker = api("field_worker", buurten=["BU01060001"], name="Michelle Bieleveld")
    where = {"lat": 52.9925, "lon": 6.5625, "accuracy_m": 8}
    conversation_id = _push(worker, "conversation", {
        "occurred_at": "2026-11-27T10:02:00+01:00", "setting": "street", "residents_count": 3, "themes": [],
        "summary": "Op het muurtje bij de speeltuin", "location": where})
    signal_id = _push(worker, "signal", {"title": "Hek speeltuin kapot", "theme": "openbare_ruimte",
                                         "domain": "physical", "conversation_id": conversation_id, "location": where})
    gemeente = api("team", organisation="Gemeente Assen", name="Gerda Gemeente")
    actium_user, actium_password = make_user("team", organisation="Actium", name="Anton Actium")
    manager = api("manager", name="Manon Manager")
    orgs = {o["name"]: o["id"] for o in gemeente.get("/api/v1/organisations").get_json()}

    # Gemeente picks it up (as the page's "Oppakken" does), refers it with a reason; the manager
    # then hands it to Actium. Actium never picked it up.
    _patch(gemeente, signal_id, status="picked_up", organisation=orgs["Gemeente Assen"],
           assignee=gemeente.user["id"])
    response = gemeente.post(f"/api/v1/signals/{signal_id}/followups",
                             json={"text": "Hek is van Actium, doorgezet", "status_to": "referred"})
    assert response.status_code == 201, response.get_json()
    _patch(manager, signal_id, organisation=orgs["Actium"], assignee=str(actium_user.id))
    gemeente.post(f"/api/v1/signals/{signal_id}/followups", json={"text": "Bewoner is op de hoogte"})

    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}, locale="nl-NL",
                                  timezone_id="Europe/Amsterdam")
    only_loopback(context, live_server.url)
    page = context.new_page()
    page.goto(live_server.url + f"/kaart/signalen/{signal_id}")
    sign_in_on_login_page(page, actium_user.email, actium_password)
    page.get_by_role("heading", name="Hek speeltuin kapot").wait_for()
    page.locator("#followups li", has_text="Bewoner is op de hoogte").wait_for()

    owner = page.locator("#s-owner").inner_text()
    assert "Opgepakt door Actium" not in owner
    assert re.fullmatch(r"Doorverwezen door Gerda Gemeente \(Gemeente Assen\) op .+\. "
                        r"Toegewezen aan Actium / Anton Actium", owner), owner

    log = page.locator("#followups li").all_inner_texts()
    assert len(log) == 5, log
    assert "Michelle Bieleveld" in log[0] and "Gemeld" in log[0]
    assert "Gerda Gemeente (Gemeente Assen)" in log[1]
    assert "Opgepakt (Nieuw → Opgepakt). Toegewezen aan Gemeente Assen / Gerda Gemeente" in log[1]
    assert "Doorverwezen (Opgepakt → Doorverwezen): Hek is van Actium, doorgezet" in log[2]
    assert "Manon Manager" in log[3] and "Toegewezen aan Actium / Anton Actium" in log[3]
    assert "Notitie: Bewoner is op de hoogte" in log[4] and "Gerda Gemeente" in log[4]

    fields = page.locator("#s-fields").inner_text()
    buurt = db.session.get(Buurt, db.session.get(Signal, uuid.UUID(signal_id)).buurt_code)
    assert f"{buurt.name} ({buurt.wijk_name})" in fields
    assert buurt.code not in fields and conversation_id not in fields
    assert re.search(r"Gesprek van .*2026.* – Op straat \(muurtje\)", fields), fields
    assert "Michelle Bieleveld" in fields
    conversation = page.locator("#conversation").inner_text()
    assert "Op het muurtje bij de speeltuin" in conversation and buurt.name in conversation
    check_accessibility(page, "signaal met vervolg")
    context.close()


def test_phone_map_status_clear_of_credits_and_dutch_404_page(live_server, make_user, browser):
    team, password = make_user("team", organisation="Actium")
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 844}, locale="nl-NL")
    only_loopback(context, live_server.url)
    page = context.new_page()
    page.goto(live_server.url + "/kaart")
    sign_in_on_login_page(page, team.email, password)
    page.locator("#map-status", has_text="signalen in beeld").wait_for()
    status = page.locator("#map-status").bounding_box()
    credits = page.locator(".leaflet-control-attribution").bounding_box()
    assert credits and credits["width"] > 0
    apart = (status["x"] + status["width"] <= credits["x"] or credits["x"] + credits["width"] <= status["x"]
             or status["y"] + status["height"] <= credits["y"] or credits["y"] + credits["height"] <= status["y"])
    assert apart, (status, credits)

    response = page.goto(live_server.url + "/kaart/bestaat-niet")
    assert response.status == 404
    page.get_by_role("heading", name="Pagina niet gevonden").wait_for()
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator(".site-header").is_visible()
    check_accessibility(page, "404")
    context.close()
