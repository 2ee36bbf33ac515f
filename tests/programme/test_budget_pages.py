"""The /budget pages with the test client: roles, creating a budget, the queue and the decisions."""

from __future__ import annotations

import io
import re

from PIL import Image

from tests.programme.helpers import application, make_budget
from tests.sync.helpers import BUURT_A, pull_all


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _version(page: str, idea: str, action: str) -> str:
    form = page[page.index(f"/ideas/{idea}/{action}"):]
    return re.search(r'name="version" value="(\d+)"', form).group(1)


def test_budget_pages_are_for_managers_and_admins(client, api):
    assert client.get("/budget").status_code == 302
    for role in ("field_worker", "team"):
        assert api(role).get("/budget").status_code == 403
    assert api("admin").get("/budget").status_code == 200
    assert "Buurtbudget" in api("manager").get("/dashboard").get_data(as_text=True)


def test_create_budget_in_dutch_notation(api):
    manager = api("manager")
    page = manager.get("/budget").get_data(as_text=True)
    assert "Er is nog geen budget" in page
    token = _csrf(page)
    assert manager.post("/budget", data={"name": "Noorderpark", "year": "2026", "amount": "12.500,50",
                                         "wijk_code": "WK010602"}).status_code == 400  # no CSRF token
    bad = manager.post("/budget", data={"csrf_token": token, "name": "Noorderpark", "year": "2026",
                                        "amount": "12,500.50", "wijk_code": "WK010602"})
    assert bad.status_code == 400 and "geen bedrag" in bad.get_data(as_text=True)
    made = manager.post("/budget", data={"csrf_token": token, "name": "Noorderpark", "year": "2026",
                                         "amount": "12.500,50", "wijk_code": "WK010602"})
    assert made.status_code == 303
    budget = manager.get("/api/v1/budgets").get_json()["items"][0]
    assert (budget["amount_cents"], budget["wijk_code"]) == (1_250_050, "WK010602")
    listing = manager.get("/budget").get_data(as_text=True)
    assert "Noorderpark" in listing and "€ 12.500,50" in listing and "Wijk 02 Noorderpark" in listing


def test_review_queue_grant_decline_ask_and_realise(api):
    manager, worker = api("manager"), api("field_worker", buurten=[BUURT_A])
    budget = make_budget(manager, 100_000)
    first, _ = application(worker, requested=45_000)
    second, _ = application(worker, requested=80_000)
    third, _ = application(worker, requested=10_000)
    url = f"/budget/{budget['id']}"
    page = manager.get(url).get_data(as_text=True)
    # Oldest first, with buurt, conversation and remaining amount.
    assert page.index(f"idea-{first}") < page.index(f"idea-{second}") < page.index(f"idea-{third}")
    assert "Oude Molenbuurt" in page and "Gesprek op het muurtje" in page and "€ 1.000,00" in page
    assert "Aanvragen (3)" in page
    token = _csrf(page)

    granted = manager.post(f"{url}/ideas/{first}/grant", data={
        "csrf_token": token, "version": _version(page, first, "grant"), "amount": "450,00"})
    assert granted.status_code == 303
    page = manager.get(url).get_data(as_text=True)
    assert "Toegekend: € 450,00." in page and "Aanvragen (2)" in page
    assert re.search(r'id="remaining">€ 550,00<', page)
    over = manager.post(f"{url}/ideas/{second}/grant", data={
        "csrf_token": token, "version": _version(page, second, "grant"), "amount": "800,00"})
    assert over.status_code == 303
    page = manager.get(url).get_data(as_text=True)
    assert "is meer dan er over is in dit budget (€ 550,00)" in page
    manager.post(f"{url}/ideas/{second}/ask", data={"csrf_token": token, "version": _version(page, second, "ask"),
                                                     "text": "Kunnen jullie de helft zelf ophalen?"})
    manager.post(f"{url}/ideas/{third}/decline", data={"csrf_token": token, "text": "Niet collectief.",
                                                        "version": _version(page, third, "decline")})
    page = manager.get(url).get_data(as_text=True)
    assert "Aanvragen (0)" in page
    statuses = {i: manager.get(f"/api/v1/ideas/{i}").get_json()["status"] for i in (first, second, third)}
    assert statuses == {first: "granted", second: "in_conversation", third: "declined"}

    png = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(png, "PNG")
    realised = manager.post(f"{url}/ideas/{first}/realise", content_type="multipart/form-data", data={
        "csrf_token": token, "version": _version(page, first, "realise"), "spent": "432,10",
        "photo": (io.BytesIO(png.getvalue()), "feest.png")})
    assert realised.status_code == 303
    idea = manager.get(f"/api/v1/ideas/{first}").get_json()
    assert idea["status"] == "realised" and idea["budget_spent_cents"] == 43_210 and len(idea["photos"]) == 1
    assert manager.get(f"/api/v1/attachments/{idea['photos'][0]}").status_code == 200
    page = manager.get(url).get_data(as_text=True)
    assert "Gerealiseerd" in page and "€ 432,10" in page
    # The coordinator's phone gets the decisions and the reasons.
    changes, _, _ = pull_all(worker)
    texts = {c["record"]["text"] for c in changes if c["entity"] == "followup"}
    assert {"Kunnen jullie de helft zelf ophalen?", "Niet collectief."} <= texts


def test_gatherings_page_dashboard_and_buurt_report(api):
    from tests.sync.helpers import conversation_fields, idea_fields, new_id, point_in, push, signal_fields, upsert

    manager, worker = api("manager"), api("field_worker", buurten=[BUURT_A])
    team = api("team", organisation="Actium")
    gathering, conversation, idea, signal = new_id(), new_id(), new_id(), new_id()
    body = push(worker, new_id(), [
        upsert(1, "gathering", gathering, {"kind": "stamppot", "occurred_at": "2026-11-27T18:00:00+01:00",
                                           "attendance_count": 37, "location": point_in(BUURT_A)}),
        upsert(2, "conversation", conversation, conversation_fields(gathering_id=gathering, setting="gathering",
                                                                    occurred_at="2026-11-27T18:30:00+01:00")),
        upsert(3, "signal", signal, signal_fields(conversation_id=conversation, title="Lantaarn stuk bij BIC")),
        upsert(4, "idea", idea, idea_fields(conversation_id=conversation, title="Jeu-de-boulesbaan")),
    ])
    assert {r["status"] for r in body["results"]} == {"applied"}
    assert worker.get("/bijeenkomsten").status_code == 403
    # Team members see their organisation's records only (as in the reports).
    assert "Geen bijeenkomsten in 2026" in team.get("/bijeenkomsten?jaar=2026").get_data(as_text=True)
    page = manager.get("/bijeenkomsten?jaar=2026").get_data(as_text=True)
    assert "Oude Molenbuurt" in page and "Stamppotavond" in page and ">37<" in page
    assert "Lantaarn stuk bij BIC" in page and "Jeu-de-boulesbaan" in page and "samen 37 aanwezigen" in page
    assert "Geen bijeenkomsten in 2025" in manager.get("/bijeenkomsten?jaar=2025").get_data(as_text=True)

    budget = make_budget(manager, 500_000, year=2026, wijk_code="WK010602", name="Noorderpark 2026")
    dashboard = manager.get("/dashboard").get_data(as_text=True)
    assert "Buurtbudget" in dashboard and "/bijeenkomsten" in dashboard
    report = manager.get(f"/reports/buurten/{BUURT_A}?from=2026-01-01&to=2026-12-31").get_data(as_text=True)
    assert "Bijeenkomsten (1)" in report and ">37<" in report
    assert budget["wijk_name"] == "Wijk 02 Noorderpark"


def test_budget_by_wijk(api, app):
    from app.budget import logic

    manager, worker = api("manager"), api("field_worker", buurten=[BUURT_A])
    year = __import__("datetime").date.today().year
    budget = make_budget(manager, 300_000, year=year, wijk_code="WK010602")
    first, _ = application(worker, requested=100_000)
    second, _ = application(worker, requested=70_000)
    from tests.programme.helpers import grant

    assert grant(manager, first, budget["id"], 80_000).status_code == 200
    [row] = logic.budget_by_wijk(year)
    assert row["wijk_code"] == "WK010602"
    assert (row["requested_cents"], row["granted_cents"], row["spent_cents"], row["remaining_cents"]) == (
        170_000, 80_000, 0, 220_000)
    assert second
