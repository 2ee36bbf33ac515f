"""Smoke test of /dashboard in headless Chromium against gunicorn, offline (no tiles)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Buurt
from tests.reports.seed import seed_records
from tests.support import only_loopback, sign_in_on_login_page, wait_for_path

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "dashboard.png"


def test_dashboard_in_browser(live_server, app, make_user, dialect, browser):
    from playwright.sync_api import expect

    manager, password = make_user("manager", name="Marieke Manager")
    team, _ = make_user("team", organisation="Actium")
    codes = list(db.session.scalars(select(Buurt.code).order_by(Buurt.code)))
    seed_records([*codes, None], {"Actium": team.organisation_id}, {"Actium": team.id}, n=400, seed=3)

    context = browser.new_context(
        bypass_csp=True, viewport={"width": 1280, "height": 800}, locale="nl-NL", accept_downloads=True
    )
    # Tiles come from outside: refuse them, the page must still work.
    only_loopback(context, live_server.url)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/dashboard")
    page.wait_for_url("**/login**")
    sign_in_on_login_page(page, manager.email, password)
    wait_for_path(page, "/dashboard")

    expect(page.locator("#status")).to_contain_text("geladen")  # the current quarter, on opening
    page.select_option("#period-kind", "year")
    page.fill("#period-year", "2024")
    page.click("#period-form button[type=submit]")
    expect(page.locator("#status")).to_contain_text("01-01-2024 t/m 31-12-2024 geladen")
    rows = page.locator("#buurten-table tbody tr")
    expect(rows).to_have_count(110)  # 109 buurten and "Onbekend"
    expect(page.locator("#map path.leaflet-interactive")).to_have_count(109)
    expect(page.locator("#trend svg rect")).to_have_count(12)  # 4 quarters x 3 series
    expect(page.locator("#themes li")).not_to_have_count(0)

    # Sort by conversations with the keyboard: numbers sort descending first.
    page.locator("#buurten-table thead button", has_text="Gesprekken").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#buurten-table thead th[aria-sort=descending]")).to_contain_text("Gesprekken")
    sorted_values = [
        int(v.replace(".", "")) for v in page.locator("#buurten-table tbody tr td:nth-child(3)").all_inner_texts()
    ]
    assert sorted_values == sorted(sorted_values, reverse=True)

    with page.expect_download() as download_info:
        page.click("button[data-download='/api/v1/exports/signals'][data-format='csv']")
    download = download_info.value
    assert download.suggested_filename.startswith("signalen_2024-01-01_2024-12-31")
    expect(page.locator("#download-text")).to_contain_text("Klaar")
    assert Path(download.path()).read_bytes().startswith(b"\xef\xbb\xbf")

    page.select_option("#map-figure", "signals_open")
    expect(page.locator("#legend")).to_contain_text("Signalen open")
    page.locator("#kaart-titel").scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 330)")
    if dialect == "postgis":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOT))
    assert errors == []
    context.close()
