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
