"""GET /api/v1/map/signals and /api/v1/map/buurten on both databases."""

from __future__ import annotations

import json

import pytest

from app.map.clustering import MAX_CELLS, SINGLES_LIMIT
from tests.team.conftest import ASSEN_BBOX

BBOX = ",".join(str(v) for v in ASSEN_BBOX)


def _map(client, zoom=12, bbox=BBOX, **params):
    response = client.get("/api/v1/map/signals", query_string={"bbox": bbox, "zoom": zoom, **params})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _count(collection) -> int:
    return sum(f["properties"]["count"] for f in collection["features"])


def test_cluster_counts_sum_to_matching_signals_at_every_zoom(api, add_signals):
    add_signals(150, status="new")
    add_signals(60, seed=2, status="done")
    add_signals(5, seed=3, deleted=True)
    team = api("team")
    for zoom in (8, 11, 13, 15, 17):
        everything = _map(team, zoom)
        assert _count(everything) == everything["total"] == 210, zoom
        assert _count(_map(team, zoom, status="new")) == 150
        assert _count(_map(team, zoom, status="new,done")) == 210


def test_low_zoom_clusters_high_zoom_singles(api, add_signals):
    signals = add_signals(40, bbox=(6.51, 52.97, 6.55, 52.99))  # inside one cell at zoom 8
    team = api("team")
    low = _map(team, 8)
    assert [f["properties"] for f in low["features"]] == [{"cluster": True, "count": 40}]
    high = _map(team, 16)
    assert len(high["features"]) == 40
    props = {f["properties"]["id"]: f["properties"] for f in high["features"]}
    first = signals[0]
    assert props[str(first.id)] == {
        "cluster": False, "count": 1, "id": str(first.id), "title": first.title, "status": "new", "urgency": "normal",
    }


def test_lone_signal_in_a_cell_is_a_single(api, add_signals):
    add_signals(20, bbox=(6.50, 52.96, 6.51, 52.97))
    (lone,) = add_signals(1, bbox=(6.59, 53.01, 6.595, 53.015), seed=9, title="Losstaand")
    collection = _map(api("team"), 10)
    singles = [f for f in collection["features"] if not f["properties"]["cluster"]]
    assert [f["properties"]["id"] for f in singles] == [str(lone.id)]
    lon, lat = singles[0]["geometry"]["coordinates"]
    assert 6.59 <= lon <= 6.595 and 53.01 <= lat <= 53.015


def test_bbox_limits_the_signals(api, add_signals):
    add_signals(30, bbox=(6.50, 52.96, 6.52, 52.98))
    add_signals(12, bbox=(6.57, 53.00, 6.59, 53.01), seed=4)
    team = api("team")
    assert _count(_map(team, 12, bbox="6.56,52.99,6.60,53.02")) == 12
    assert _count(_map(team, 12, bbox="6.49,52.95,6.53,52.985")) == 30
    assert _map(team, 12, bbox="4.0,51.0,4.1,51.1")["features"] == []


def test_filters(api, add_signals, organisation):
    actium = organisation("Actium")
    gemeente = organisation("Gemeente Assen")
    add_signals(7, theme="groen", domain="physical", urgency="high", organisation_id=actium.id)
    add_signals(5, seed=2, theme="eenzaamheid", domain="social", urgency="low", organisation_id=gemeente.id,
                buurt_code="BU01060001")
    add_signals(3, seed=3, theme="afval", buurt_code="BU01060001")
    team = api("team", organisation="Actium")
    assert _count(_map(team, theme="groen")) == 7
    assert _count(_map(team, theme="groen,afval")) == 10
    assert _count(_map(team, domain="social")) == 5
    assert _count(_map(team, urgency="high")) == 7
    assert _count(_map(team, buurt="BU01060001")) == 8
    assert _count(_map(team, organisation=str(gemeente.id))) == 5
    assert _count(_map(team, mine="true")) == 7
    assert _count(_map(api("manager"), mine="true")) == 0  # no organisation, so nothing is "mine"


def test_period_filter_uses_local_days(api, add_signals):
    # 2026-03-01 12:00 UTC + i hours: 12 signals on 1 March (local), the rest later.
    add_signals(36)
    team = api("team")
    assert _count(_map(team, **{"from": "2026-03-01", "to": "2026-03-01"})) == 11  # 13:00..23:00 local
    assert _count(_map(team, **{"from": "2026-03-02"})) == 25
    assert _count(_map(team, **{"to": "2026-03-02"})) == 35


def test_bounded_size_with_thousands_of_signals(api, add_signals):
    add_signals(4000, bbox=(3.3, 50.7, 7.2, 53.6), buurt_code=None)
    team = api("team")
    for zoom, bbox in ((0, "-180,-85,180,85"), (7, "3,50,8,54"), (12, "3,50,8,54"), (22, "3,50,8,54")):
        response = team.get("/api/v1/map/signals", query_string={"bbox": bbox, "zoom": zoom})
        body = response.get_json()
        assert response.status_code == 200
        assert _count(body) == 4000
        assert len(body["features"]) <= MAX_CELLS
        assert len(response.data) < 200_000


def test_dense_view_at_high_zoom_keeps_clustering(api, add_signals):
    add_signals(SINGLES_LIMIT + 50, bbox=(6.550, 52.990, 6.552, 52.991))
    body = _map(api("team"), 17, bbox="6.549,52.989,6.553,52.992")
    assert _count(body) == SINGLES_LIMIT + 50
    assert any(f["properties"]["cluster"] for f in body["features"])


@pytest.mark.parametrize("role,status", [("field_worker", 403), ("team", 200), ("manager", 200), ("admin", 200)])
def test_roles(api, role, status):
    assert api(role).get(f"/api/v1/map/signals?bbox={BBOX}&zoom=10").status_code == status
    assert api(role).get("/api/v1/map/buurten").status_code == status


def test_unauthenticated_is_401(client):
    assert client.get(f"/api/v1/map/signals?bbox={BBOX}&zoom=10").status_code == 401


@pytest.mark.parametrize("query,field", [
    ("zoom=10", "bbox"),
    (f"bbox={BBOX}", "zoom"),
    (f"bbox={BBOX}&zoom=23", "zoom"),
    (f"bbox={BBOX}&zoom=abc", "zoom"),
    ("bbox=1,2,3&zoom=5", "bbox"),
    ("bbox=1,2,3,x&zoom=5", "bbox"),
    ("bbox=1,2,nan,4&zoom=5", "bbox"),
    ("bbox=1,2,inf,4&zoom=5", "bbox"),
    ("bbox=5,2,3,4&zoom=5", "bbox"),
    ("bbox=1,4,3,2&zoom=5", "bbox"),
    ("bbox=-181,2,3,4&zoom=5", "bbox"),
    ("bbox=1,2,3,91&zoom=5", "bbox"),
    (f"bbox={BBOX}&zoom=5&status=open", "status"),
    (f"bbox={BBOX}&zoom=5&urgency=urgent", "urgency"),
    (f"bbox={BBOX}&zoom=5&organisation=acme", "organisation"),
    (f"bbox={BBOX}&zoom=5&from=2026-13-01", "from"),
    (f"bbox={BBOX}&zoom=5&from=2026-03-02&to=2026-03-01", "to"),
])
def test_bad_params_are_400_problems(api, query, field):
    response = api("team").get("/api/v1/map/signals?" + query)
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert field in json.loads(response.data)["errors"]


def test_choropleth_counts_open_signals_per_buurt(api, add_signals):
    add_signals(4, status="new")
    add_signals(2, seed=2, status="done")
    add_signals(3, seed=3, status="referred", buurt_code="BU01060001")
    add_signals(1, seed=4, status="new", deleted=True)
    body = api("manager").get("/api/v1/map/buurten").get_json()
    assert body["buurten"] == [
        {"buurt_code": "BU01060000", "total": 6, "open": 4},
        {"buurt_code": "BU01060001", "total": 3, "open": 3},
    ]
    filtered = api("team").get("/api/v1/map/buurten?theme=afval").get_json()
    assert filtered["buurten"] == []
