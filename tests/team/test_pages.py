"""The /kaart page and the signal detail page: who may see them and what they load."""

from __future__ import annotations

import uuid


def test_not_signed_in_goes_to_login(client):
    response = client.get("/kaart")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/kaart")
    assert client.get(f"/kaart/signalen/{uuid.uuid4()}").status_code == 302


def test_field_worker_is_refused(api):
    assert api("field_worker").get("/kaart").status_code == 403


def test_map_page_for_team(api, app):
    app.config["TILE_URL"] = "https://tiles.example.test/{z}/{x}/{y}.png"
    html = api("team").get("/kaart").get_data(as_text=True)
    assert 'data-tile-url="https://tiles.example.test/{z}/{x}/{y}.png"' in html
    # One module entry (the ideas layer imports map.js): map.js under a second URL would run twice.
    assert "/vendor/leaflet/leaflet.js" in html and "team/ideas-layer.js" in html and "team/map.js" not in html
    assert 'for="f-theme"' in html and "Groen en bomen" in html
    assert "https://unpkg" not in html and "cdn" not in html.lower()


def test_detail_page_carries_the_workflow(api):
    signal_id = uuid.uuid4()
    html = api("manager").get(f"/kaart/signalen/{signal_id}").get_data(as_text=True)
    assert f'data-id="{signal_id}"' in html
    assert '"not_actionable": {"new": true}' in html.replace("\\u0026", "&")
