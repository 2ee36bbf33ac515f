"""The page /beheer/buurten: admins only, a dry run first (counts, lists, a map), then apply."""

from __future__ import annotations

import io
import json
import re
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.models import Buurt, Signal
from tests.support import (
    ASSEN,
    GROWING_BUURT,
    SHRINKING_BUURT,
    ApiClient,
    assen_with_moved_boundary,
    check_accessibility,
    only_loopback,
    sign_in_on_login_page,
)
from tests.sync.helpers import new_id, push, upsert

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _moved() -> tuple[bytes, dict]:
    doc, (lon, lat) = assen_with_moved_boundary()
    return json.dumps(doc).encode(), {"lat": lat, "lon": lon, "accuracy_m": 5.0}


def _signal_in_the_strip(api, location) -> uuid.UUID:
    worker = api("field_worker", buurten=[SHRINKING_BUURT])
    signal_id = new_id()
    push(worker, new_id(), [upsert(1, "signal", signal_id, {"title": "Hek kapot", "theme": "openbare_ruimte",
                                                             "domain": "physical", "location": location})])
    return uuid.UUID(signal_id)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_page_is_for_admins(client, api):
    response = client.get("/beheer/buurten")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    for role in ("field_worker", "team", "manager"):
        assert api(role).get("/beheer/buurten").status_code == 403
    page = api("admin").get("/beheer/buurten")
    assert page.status_code == 200 and "Buurten importeren" in page.get_data(as_text=True)
    assert "109 buurten" in page.get_data(as_text=True)


def test_dry_run_then_apply(api):
    data, location = _moved()
    signal_id = _signal_in_the_strip(api, location)
    admin = api("admin")
    form = admin.get("/beheer/buurten").get_data(as_text=True)
    token = _csrf(form)

    refused = admin.post("/beheer/buurten/proef", data={"file": (io.BytesIO(data), "assen.geojson")},
                         content_type="multipart/form-data")
    assert refused.status_code == 403  # no CSRF token in the form

    dry = admin.post("/beheer/buurten/proef", data={"csrf_token": token, "file": (io.BytesIO(data), "assen.geojson")},
                     content_type="multipart/form-data")
    html = dry.get_data(as_text=True)
    assert dry.status_code == 200, html
    assert re.search(r'data-count="changed">2<', html) and re.search(r'data-count="records_remapped">1<', html)
    assert "Brinkkwartier" in html and "Erfgoedkwartier" in html and 'id="import-changes"' in html
    db.session.rollback()
    assert db.session.get(Signal, signal_id).buurt_code == SHRINKING_BUURT  # the dry run changed nothing

    payload = re.search(r'name="payload" value="([^"]+)"', html).group(1)
    applied = admin.post("/beheer/buurten/uitvoeren", data={"csrf_token": token, "payload": payload,
                                                            "filename": "assen.geojson", "replace": "nee"})
    assert applied.status_code == 302
    after = admin.get("/beheer/buurten").get_data(as_text=True)
    assert "Import van assen.geojson uitgevoerd" in after and "1 records naar een andere buurt" in after
    db.session.rollback()
    signal = db.session.get(Signal, signal_id)
    assert signal.buurt_code == GROWING_BUURT and signal.version == 2


def test_problems_are_listed_and_nothing_changes(api):
    doc = json.loads(ASSEN.read_text())
    doc["features"][2]["properties"]["buurtcode"] = "'; DROP TABLE buurten;--"
    doc["features"][3]["properties"]["buurtnaam"] = "GEWIJZIGD"
    admin = api("admin")
    token = _csrf(admin.get("/beheer/buurten").get_data(as_text=True))
    response = admin.post("/beheer/buurten/proef", data={
        "csrf_token": token, "file": (io.BytesIO(json.dumps(doc).encode()), "fout.geojson")},
        content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Niets geïmporteerd uit fout.geojson" in html
    assert "ongeldige buurtcode" in html
    assert "DROP TABLE" in html  # shown, escaped, as text
    db.session.rollback()
    assert "GEWIJZIGD" not in set(db.session.scalars(select(Buurt.name)))
    tampered = admin.post("/beheer/buurten/uitvoeren", data={"csrf_token": token, "payload": "!!geen base64"})
    assert tampered.status_code == 400 and "begin opnieuw" in tampered.get_data(as_text=True)


@pytest.mark.browser
def test_import_through_the_page_in_chromium(live_server, app, make_user, browser, dialect, tmp_path):
    data, location = _moved()
    worker, worker_password = make_user("field_worker", buurten=[SHRINKING_BUURT])
    client = ApiClient(app.test_client())
    client.login(worker.email, worker_password)
    signal_id = new_id()
    push(client, new_id(), [upsert(1, "signal", signal_id, {"title": "Hek kapot", "theme": "openbare_ruimte",
                                                             "domain": "physical", "location": location})])
    admin, password = make_user("admin", name="Anna Beheer")
    path = tmp_path / "assen-gewijzigd.geojson"
    path.write_bytes(data)

    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}, locale="nl-NL")
    only_loopback(context, live_server.url)  # no tiles: the outlines must carry the map
    page = context.new_page()
    page.goto(live_server.url + "/beheer/buurten")
    page.wait_for_url("**/login**")
    sign_in_on_login_page(page, admin.email, password)
    # By path: the login page's own URL ends in ?next=/beheer/buurten too.
    page.wait_for_url(lambda url: urlsplit(url).path == "/beheer/buurten")
    expect(page.get_by_role("heading", name="Bestand kiezen")).to_be_visible()
    check_accessibility(page, "beheer buurten: formulier")

    page.get_by_label("Buurtenbestand").set_input_files(str(path))
    page.get_by_role("button", name="Proefimport bekijken").click()
    expect(page.get_by_role("heading", name=re.compile("Proefimport van assen-gewijzigd.geojson"))).to_be_visible()
    expect(page.locator('[data-count="changed"]')).to_have_text("2")
    expect(page.locator('[data-count="records_remapped"]')).to_have_text("1")
    expect(page.locator("#list-changed")).to_contain_text("Brinkkwartier")
    # The map: old and new outlines of both buurten, with the source credit, without any tile.
    expect(page.locator("#import-map .leaflet-overlay-pane path")).to_have_count(4)
    expect(page.locator("#import-map .leaflet-control-attribution")).to_contain_text("CBS / Kadaster")
    check_accessibility(page, "beheer buurten: proefimport")
    if dialect == "sqlite":
        page.screenshot(path=str(SCREENSHOTS / "beheer-buurten-proef.png"))
    db.session.rollback()
    assert db.session.get(Signal, uuid.UUID(signal_id)).buurt_code == SHRINKING_BUURT

    page.get_by_role("button", name="Import uitvoeren").click()
    expect(page.get_by_role("status")).to_contain_text("Import van assen-gewijzigd.geojson uitgevoerd")
    expect(page.get_by_role("status")).to_contain_text("1 records naar een andere buurt verplaatst")
    check_accessibility(page, "beheer buurten: uitgevoerd")
    db.session.rollback()
    signal = db.session.get(Signal, uuid.UUID(signal_id))
    assert signal.buurt_code == GROWING_BUURT and signal.version == 2
    context.close()
