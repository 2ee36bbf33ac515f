"""The dashboard page and the printable buurt report: roles, content, the server-side SVG map."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from geoalchemy2.shape import from_shape, to_shape
from shapely import Point

from app.extensions import db
from app.models import Buurt, Idea, ResidentContact, Signal


def test_dashboard_requires_sign_in(client):
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_dashboard_roles(api):
    assert api("field_worker").get("/dashboard").status_code == 403
    page = api("manager").get("/dashboard")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for needle in ("period-kind", "buurten-table", 'id="map"', "/vendor/leaflet/leaflet.js", "dashboard/dashboard.js",
                   "data-download", "Openbare ruimte"):
        assert needle in html
    team = api("team", organisation="Actium").get("/dashboard").get_data(as_text=True)
    assert "Actium" in team and "/api/v1/exports/conversations" not in team


def test_trend_per_quarter(api, world):
    body = api("manager").get("/api/v1/reports/trend?from=2024-01-01&to=2024-12-31").get_json()
    assert [q["quarter"] for q in body["quarters"]] == ["2024-K1", "2024-K2", "2024-K3", "2024-K4"]
    from tests.reports.seed import in_period

    for q in body["quarters"]:
        start, end = datetime.fromisoformat(q["from"]).date(), datetime.fromisoformat(q["to"]).date()
        live = [s for s in world["seeded"]["signal"] if not s["deleted"] and in_period(s["created_at"], start, end)]
        assert q["signals_total"] == len(live)
        convs = [c for c in world["seeded"]["conversation"]
                 if not c["deleted"] and in_period(c["occurred_at"], start, end)]
        assert q["residents_reached"] == sum(c["residents_count"] for c in convs)


def test_buurt_report(api, app, buurt_codes):
    code = buurt_codes[2]
    buurt = db.session.get(Buurt, code)
    inside = to_shape(buurt.geom).representative_point()
    when = datetime(2024, 3, 5, 12, tzinfo=UTC)
    open_id = uuid.uuid4()
    db.session.add_all([
        Signal(id=open_id, buurt_code=code, title="Kapotte lantaarnpaal", status="new", created_at=when,
               location=from_shape(Point(inside.x, inside.y), srid=4326)),
        Signal(id=uuid.uuid4(), buurt_code=code, title="Opgeloste put", status="done", created_at=when,
               done_at=when, location=from_shape(Point(inside.x, inside.y), srid=4326)),
        Signal(id=uuid.uuid4(), buurt_code=code, title="Verwijderd signaal", status="new", created_at=when,
               deleted=True),
        Idea(id=uuid.uuid4(), buurt_code=code, title="Moestuin", status="granted", created_at=when,
             budget_requested_cents=120_000, budget_granted_cents=80_000, theme="groen"),
        ResidentContact(entity="signal", record_id=open_id, name="Geheime Bewoner", phone="0600000000",
                        purge_after=datetime(2030, 1, 1, tzinfo=UTC)),
    ])
    db.session.commit()
    manager = api("manager")
    html = manager.get(f"/reports/buurten/{code}?from=2024-01-01&to=2024-12-31").get_data(as_text=True)
    assert buurt.name in html and "Kapotte lantaarnpaal" in html and "Moestuin" in html
    assert "Opgeloste put" not in html  # done: not an open signal
    assert "Verwijderd signaal" not in html and "Geheime Bewoner" not in html
    assert "€ 1.200,00" in html and "€ 800,00" in html
    assert "@page" not in html  # print CSS lives in the stylesheet
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'class="outline"' in svg
    assert len(re.findall(r'<circle class="open"', svg)) == 1 and len(re.findall(r'<circle class="closed"', svg)) == 1
    cx, cy = (float(v) for v in re.search(r'<circle class="open" cx="([\d.]+)" cy="([\d.]+)"', svg).groups())
    assert 0 <= cx <= 480 and 0 <= cy <= 360
    assert "Bron: CBS / Kadaster" in svg  # the licence's credit travels with the drawing
    # An earlier period holds none of it.
    earlier = manager.get(f"/reports/buurten/{code}?to=2023-12-31").get_data(as_text=True)
    assert "Kapotte lantaarnpaal" not in earlier and "Geen open signalen" in earlier


def test_buurt_report_map_draws_a_buurt_with_a_hole(api):
    """Verspreide huizen Witten surrounds another buurt: its outline and the hole are both drawn."""
    html = api("manager").get("/reports/buurten/BU01069911").get_data(as_text=True)
    path = re.search(r'<path class="outline" fill-rule="evenodd" d="([^"]+)"', html).group(1)
    assert path.count("M") == 2 and path.count("Z") == 2


def test_buurt_report_errors(api, client, buurt_codes):
    assert client.get(f"/reports/buurten/{buurt_codes[0]}").status_code == 302
    assert api("field_worker").get(f"/reports/buurten/{buurt_codes[0]}").status_code == 403
    manager = api("manager")
    assert manager.get("/reports/buurten/BU00000000").status_code == 404
    assert manager.get(f"/reports/buurten/{buurt_codes[0]}?from=morgen").status_code == 400
    css = manager.get("/static/dashboard/report.css")
    assert css.status_code == 200 and b"@page { size: A4" in css.data
