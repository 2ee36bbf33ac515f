"""GET /api/v1/signals: GeoJSON list with bbox, filters and paging, on both databases."""

from __future__ import annotations

import pytest

from tests.team.conftest import ASSEN_BBOX

BBOX = ",".join(str(v) for v in ASSEN_BBOX)


def test_pages_follow_links_next_in_stable_order(api, add_signals):
    signals = add_signals(25)
    add_signals(2, seed=5, deleted=True)
    team = api("team")
    url, seen, pages = "/api/v1/signals?per_page=10&status=new", [], 0
    while url:
        body = team.get(url).get_json()
        assert body["type"] == "FeatureCollection" and body["total"] == 25
        seen += [f["id"] for f in body["features"]]
        url = body["links"].get("next")
        pages += 1
    assert pages == 3
    newest_first = sorted(signals, key=lambda s: s.created_at, reverse=True)
    assert seen == [str(s.id) for s in newest_first]
    assert "status=new" in team.get("/api/v1/signals?per_page=10&status=new").get_json()["links"]["next"]


def test_feature_is_the_record(api, add_signals):
    (signal,) = add_signals(1, title="Hek kapot", urgency="high")
    body = api("manager").get(f"/api/v1/signals?bbox={BBOX}").get_json()
    (feature,) = body["features"]
    props = feature["properties"]
    assert feature["geometry"]["type"] == "Point"
    assert feature["geometry"]["coordinates"] == [props["location"]["lon"], props["location"]["lat"]]
    assert props["id"] == str(signal.id) and props["title"] == "Hek kapot" and props["urgency"] == "high"
    for field in ("version", "status", "organisation", "assignee", "due_date", "photos", "buurt_code",
                  "has_conflict", "deleted", "created_at"):
        assert field in props
    assert "resident_contact" not in props


def test_bbox_and_filters(api, add_signals, organisation):
    actium = organisation("Actium")
    add_signals(4, bbox=(6.50, 52.96, 6.52, 52.98), organisation_id=actium.id)
    add_signals(3, bbox=(6.57, 53.00, 6.59, 53.01), seed=2, theme="afval", status="done")
    add_signals(1, seed=3, location=None, buurt_code="BU01060001")
    team = api("team", organisation="Actium")
    assert team.get("/api/v1/signals").get_json()["total"] == 8
    assert team.get("/api/v1/signals?bbox=6.56,52.99,6.60,53.02").get_json()["total"] == 3
    assert team.get("/api/v1/signals?theme=afval&status=done").get_json()["total"] == 3
    assert team.get("/api/v1/signals?status=done&status=new").get_json()["total"] == 8
    assert team.get("/api/v1/signals?mine=true").get_json()["total"] == 4
    unlocated = team.get("/api/v1/signals?buurt=BU01060001").get_json()["features"]
    assert [f["geometry"] for f in unlocated] == [None]


@pytest.mark.parametrize("query,field", [
    ("per_page=201", "per_page"), ("per_page=0", "per_page"), ("page=0", "page"), ("page=x", "page"),
    ("bbox=1,2,3", "bbox"), ("bbox=3,2,1,4", "bbox"), ("status=gesloten", "status"), ("domain=x", "domain"),
])
def test_bad_params(api, query, field):
    response = api("team").get("/api/v1/signals?" + query)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_field_worker_is_refused(api):
    assert api("field_worker").get("/api/v1/signals").status_code == 403


def test_organisations_with_their_people(api, make_user):
    make_user("team", organisation="Actium", name="Anna")
    make_user("field_worker", organisation="Vaart Welzijn", name="Bram")
    body = api("team", organisation="Actium", name="Cees").get("/api/v1/organisations").get_json()
    assert [(o["name"], sorted(u["name"] for u in o["users"])) for o in body] == [
        ("Actium", ["Anna", "Cees"]), ("Vaart Welzijn", ["Bram"]),
    ]
    # v1.1: every signed-in person may list the organisations, but only team roles see their people.
    assert api("field_worker").get("/api/v1/organisations").get_json() == [
        {"id": o["id"], "name": o["name"], "kind": o["kind"]} for o in body]
