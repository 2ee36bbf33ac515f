"""Exports of the programme: ideas with their budget, gatherings, euros as currency cells in xlsx."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from tests.programme.helpers import application, grant, make_budget
from tests.sync.helpers import BUURT_A, new_id, point_in, push, upsert


def test_idea_and_gathering_exports(api):
    manager, worker = api("manager"), api("field_worker", buurten=[BUURT_A])
    budget = make_budget(manager, 100_000, name="Buurtbudget 2026")
    idea, _ = application(worker, requested=150_000)
    assert grant(manager, idea, budget["id"], 45_000).status_code == 200
    gathering = new_id()
    push(worker, new_id(), [upsert(1, "gathering", gathering, {
        "kind": "bbq", "occurred_at": "2026-07-01T18:00:00+02:00", "attendance_count": 31,
        "location": point_in(BUURT_A), "title": "=BBQ"})])

    xlsx = manager.get("/api/v1/exports/ideas?format=xlsx&from=2026-01-01&to=2026-12-31")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.get_data())).worksheets[0]
    header = [c.value for c in sheet[1]]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["Gevraagd budget (€)"].value == 1500 and "€" in row["Gevraagd budget (€)"].number_format
    assert row["Toegekend budget (€)"].value == 450
    assert row["Budget"].value == "Buurtbudget 2026" and row["Status"].value == "Toegekend"
    assert row["Voorwaarden"].value == "Collectief; Verbindt fysiek en sociaal"

    text = manager.get("/api/v1/exports/ideas").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    # For machines: the contract's names, cents and codes.
    assert rows[0]["budget_requested_cents"] == "150000" and rows[0]["budget_granted_cents"] == "45000"
    assert rows[0]["status"] == "granted" and json.loads(rows[0]["requirements"]) == ["collective", "physical_social"]

    doc = json.loads(manager.get("/api/v1/exports/gatherings?format=geojson").get_data())
    [feature] = doc["features"]
    assert feature["properties"]["kind"] == "bbq" and feature["properties"]["attendance_count"] == 31
    assert feature["properties"]["buurt_code"] == BUURT_A and feature["geometry"]["type"] == "Point"
    gatherings = list(csv.DictReader(io.StringIO(
        manager.get("/api/v1/exports/gatherings").get_data(as_text=True).lstrip("\ufeff")), delimiter=";"))
    assert gatherings[0]["kind"] == "bbq" and gatherings[0]["title"] == "'=BBQ"
    assert api("team").get("/api/v1/exports/gatherings").status_code == 403
