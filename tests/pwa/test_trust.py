"""What the field app shows and sends must be true (issue 9): Dutch amounts, the time of observation,
screens that follow the server, and no stray errors or messages between screens."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Conversation, Signal
from tests.pwa.conftest import ASSEN_BUURT, open_screen, sign_in, wait_until_sent
from tests.support import ApiClient, check_accessibility

pytestmark = pytest.mark.browser

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

#: (typed, cents or None for "refused"); the rules are documented in app/static/pwa/money.js and docs/amounts.md.
AMOUNTS = [
    ("750", 75000), ("750,5", 75050), ("750,50", 75050), ("1.500", 150000), ("1500", 150000),
    ("1.500,-", 150000), ("€ 1.500,-", 150000), ("€1.500,00", 150000), ("1.500,5", 150050),
    ("12.345.678,90", 1234567890), ("1 500", 150000), ("EUR 25", 2500), ("0,05", 5), ("0", 0),
    ("  750,50  ", 75050), ("1500,--", 150000),
    ("1,500", None), ("1.50", None), ("7.5", None), ("1,500.00", None), ("1.500.5", None), ("1.5000", None),
    ("750,505", None), ("-5", None), ("€ -5", None), ("abc", None), ("1,2,3", None), (",50", None),
    ("10.000.000.000", None), ("99999999999999999999", None),
]


def outbox(page: Page) -> list[dict]:
    """The mutations waiting on the phone (IndexedDB `outbox`), oldest first."""
    return page.evaluate("""async () => {
        const { getAll } = await import("/static/pwa/db.js");
        return (await getAll("outbox")).sort((a, b) => a.mutation_id - b.mutation_id);
    }""")


def sync_now(page: Page) -> None:
    page.evaluate("async () => (await import('/static/pwa/sync.js')).syncNow()")


def push_signal(api_client, **fields) -> str:
    """Create a signal as a field worker through the API (as another phone would)."""
    signal_id = str(uuid.uuid4())
    body = {"client_id": str(uuid.uuid4()), "schema_version": 1, "mutations": [{
        "mutation_id": 1, "entity": "signal", "op": "upsert", "id": signal_id, "base_version": None,
        "fields": {"title": "Stoep verzakt", "description": "Bij de bank", "theme": "openbare_ruimte",
                   "domain": "physical", "urgency": "normal", "photos": [],
                   "location": {"lat": 52.9925, "lon": 6.5625, "accuracy_m": 12}, **fields},
    }]}
    result = api_client.post("/api/v1/sync/push", json=body).get_json()["results"][0]
    assert result["status"] == "applied", result
    return signal_id


def signed_in_phone(phone, make_user) -> tuple:
    """A phone context and page, signed in as a new field worker of Erfgoedkwartier and synced once."""
    worker, password = make_user("field_worker", buurten=[ASSEN_BUURT])
    context = phone()
    page = context.new_page()
    sign_in(page, worker.email, password)
    return context, page


def test_money_rules_in_the_browser(phone, live_server):
    page = phone().new_page()
    page.goto("/app/")
    results = page.evaluate("""async (cases) => {
        const { parseEuro, formatEuro } = await import("/static/pwa/money.js");
        return { parsed: cases.map(([text]) => parseEuro(text)),
                 formatted: [0, 5, 75050, 150000, 1234567890, -250].map(formatEuro),
                 empty: parseEuro("  ") };
    }""", AMOUNTS)
    for (typed, cents), got in zip(AMOUNTS, results["parsed"], strict=True):
        if cents is None:
            assert "error" in got and "cents" not in got, (typed, got)
            assert got["error"] and got["error"][0].isupper(), (typed, got)
        else:
            assert got == {"cents": cents}, (typed, got)
    assert results["formatted"] == ["€ 0,00", "€ 0,05", "€ 750,50", "€ 1.500,00", "€ 12.345.678,90", "€ -2,50"]
    assert results["empty"] == {"cents": None}
    # Every formatted amount reads back as itself.
    again = page.evaluate("""async (texts) => {
        const { parseEuro } = await import("/static/pwa/money.js");
        return texts.map((t) => parseEuro(t).cents);
    }""", results["formatted"][:5])
    assert again == [0, 5, 75050, 150000, 1234567890]


def test_idea_budget_in_dutch_shows_what_is_saved(phone, make_user):
    context, page = signed_in_phone(phone, make_user)
    context.set_offline(True)
    open_screen(page, "/idee/nieuw", "Nieuw idee")
    expect(page.locator("#loc-buurt")).to_have_text("Erfgoedkwartier")
    page.get_by_label("Titel").fill("Moestuin achter de flat")
    budget = page.get_by_label("Gevraagd budget in euro (als bekend)")
    assert budget.get_attribute("type") == "text" and budget.get_attribute("inputmode") == "decimal"
    budget.fill("750,50")
    expect(page.locator("#budget_requested-preview")).to_have_text("Wordt opgeslagen als € 750,50")
    check_accessibility(page, "idee met bedrag")
    budget.fill("1,500")
    expect(page.locator("#budget_requested-preview")).to_contain_text("€ 1,50 of € 1.500")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.locator("[data-error-for=budget_requested_cents]")).to_contain_text("€ 1,50 of € 1.500")
    assert outbox(page) == []
    budget.fill("1.500")
    expect(page.locator("#budget_requested-preview")).to_have_text("Wordt opgeslagen als € 1.500,00")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("heading", name="Idee", exact=True)).to_be_visible()
    [mutation] = outbox(page)
    assert mutation["fields"]["budget_requested_cents"] == 150000
    # Shown back in Dutch, and saving it unchanged sends nothing new.
    expect(page.get_by_label("Gevraagd budget in euro (als bekend)")).to_have_value("€ 1.500,00")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.locator("#form-status")).to_have_text("Niets gewijzigd: er is niets om te versturen.")
    assert len(outbox(page)) == 1


def test_when_defaults_to_opening_time_and_travels_with_the_mutation(phone, make_user):
    """Logged offline on Friday, still in the outbox on Monday: the mutation says Friday."""
    context, page = signed_in_phone(phone, make_user)
    context.set_offline(True)
    friday = datetime(2026, 11, 27, 10, 2, 30, tzinfo=AMSTERDAM)
    page.clock.set_fixed_time(friday)
    open_screen(page, "/signaal/nieuw", "Nieuw signaal")
    expect(page.get_by_label("Datum")).to_have_value("2026-11-27")
    expect(page.get_by_label("Tijd")).to_have_value("10:02")
    page.get_by_label("Titel").fill("Lantaarnpaal kapot")
    expect(page.locator("#loc-buurt")).to_have_text("Erfgoedkwartier")
    page.clock.set_fixed_time(datetime(2026, 11, 27, 10, 9, tzinfo=AMSTERDAM))  # typing took a while
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("heading", name="Signaal", exact=True)).to_be_visible()
    expect(page.locator("#seen")).to_have_text("Gezien vr 27 nov 10:02")

    # The idea is remembered as seen on Thursday evening (edited by hand), in summer time it would be +02:00.
    open_screen(page, "/idee/nieuw", "Nieuw idee")
    page.get_by_label("Titel").fill("Buurtbibliotheekje")
    page.get_by_label("Datum").fill("2026-11-26")
    page.get_by_label("Tijd").fill("19:45")
    expect(page.locator("#loc-buurt")).to_have_text("Erfgoedkwartier")  # the location is found before saving
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("heading", name="Idee", exact=True)).to_be_visible()

    page.clock.set_fixed_time(datetime(2026, 11, 30, 8, 15, tzinfo=AMSTERDAM))  # Monday
    open_screen(page, "/mijn", "Mijn registraties")
    expect(page.locator("#list")).to_contain_text("gezien vr 27 nov 10:02")
    expect(page.locator("#list")).to_contain_text("gezien do 26 nov 19:45")
    signal, idea = outbox(page)
    assert signal["fields"]["occurred_at"] == "2026-11-27T10:02:30+01:00"
    assert signal["client_time"].startswith("2026-11-27T10:09")
    assert idea["fields"]["occurred_at"] == "2026-11-26T19:45:00+01:00"

    # A time in the future is refused on the phone.
    open_screen(page, "/signaal/nieuw", "Nieuw signaal")
    page.get_by_label("Titel").fill("Nog niet gebeurd")
    page.get_by_label("Datum").fill("2026-12-01")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.locator("[data-error-for=occurred_at]")).to_have_text(
        "Dit ligt in de toekomst. Vul in wanneer het gebeurde.")
    assert len(outbox(page)) == 2


def test_logged_offline_on_friday_synced_later_is_dated_friday(phone, make_user, api):
    """End to end: the server keeps the phone's time of observation and counts the signal on Friday."""
    context, page = signed_in_phone(phone, make_user)
    context.set_offline(True)
    today = datetime.now(AMSTERDAM).date()
    friday = today - timedelta(days=(today.weekday() - 4) % 7 or 7)  # the last Friday before today
    seen = datetime.combine(friday, time(10, 2), AMSTERDAM)
    page.clock.set_fixed_time(seen)
    open_screen(page, "/signaal/nieuw", "Nieuw signaal")
    page.get_by_label("Titel").fill("Zwerfvuil bij het winkelcentrum")
    expect(page.locator("#loc-buurt")).to_have_text("Erfgoedkwartier")
    page.clock.set_fixed_time(seen + timedelta(minutes=7))  # saved a few minutes after seeing it
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("heading", name="Signaal", exact=True)).to_be_visible()

    now = datetime.now(AMSTERDAM)
    page.clock.set_fixed_time(now)  # days later, back in range
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until_sent(page, now.timestamp() * 1000 - 1000)
    db.session.rollback()
    signal = db.session.scalars(select(Signal)).one()
    assert signal.occurred_at == seen.astimezone(UTC)
    assert signal.created_at > seen + timedelta(hours=12)  # received now, not on Friday

    manager = api("manager")
    on_friday = manager.get(f"/api/v1/reports/buurten?from={friday}&to={friday}").get_json()["totals"]
    on_receipt = manager.get(f"/api/v1/reports/buurten?from={today}&to={today}").get_json()["totals"]
    assert (on_friday["signals_total"], on_receipt["signals_total"]) == (1, 0)
    open_screen(page, "/mijn", "Mijn registraties")
    expect(page.locator("#list")).to_contain_text(f"gezien vr {friday.day} ")


def test_amsterdam_time_whatever_the_phone_zone(browser, live_server):
    """A phone set to another zone still fills and sends Amsterdam wall-clock time, across DST."""
    context = browser.new_context(base_url=live_server.url, timezone_id="America/New_York", locale="nl-NL")
    page = context.new_page()
    page.goto("/app/")
    got = page.evaluate("""async () => {
        const w = await import("/static/pwa/when.js");
        const iso = (d, t) => w.amsterdamIso(w.fromAmsterdam(d, t));
        return [iso("2026-11-27", "10:02"), iso("2026-07-01", "23:30"), iso("2026-03-29", "03:30"),
                iso("2026-10-25", "01:59"), w.seenLabel("2026-11-27T09:02:00+00:00")];
    }""")
    context.close()
    assert got == ["2026-11-27T10:02:00+01:00", "2026-07-01T23:30:00+02:00", "2026-03-29T03:30:00+02:00",
                   "2026-10-25T01:59:00+02:00", "vr 27 nov 10:02"]


def test_open_signal_follows_the_server_after_sync(app, phone, make_user, api):
    worker, password = make_user("field_worker", buurten=[ASSEN_BUURT])
    other_phone = ApiClient(app.test_client())
    other_phone.login(worker.email, password)
    signal_id = push_signal(other_phone)
    team = api("team", organisation="Actium")
    page = phone().new_page()
    sign_in(page, worker.email, password)
    open_screen(page, f"/signaal/{signal_id}", "Signaal")
    expect(page.locator("#record-form")).to_contain_text("Status: Nieuw")

    version = team.get(f"/api/v1/signals/{signal_id}").get_json()["version"]
    response = team.post(f"/api/v1/signals/{signal_id}/followups",
                         json={"text": "Doorgezet naar de gemeente", "status_to": "referred"})
    assert response.status_code == 201, response.get_json()
    assert team.get(f"/api/v1/signals/{signal_id}").get_json()["version"] > version
    sync_now(page)
    expect(page.locator("#record-form")).to_contain_text("Status: Doorverwezen")
    expect(page.get_by_role("heading", name="Signaal", exact=True)).to_be_visible()


def test_leaving_screens_early_and_unchanged_saves_leave_no_trace(phone, make_user):
    worker, password = make_user("field_worker", buurten=[ASSEN_BUURT])
    page = phone().new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, worker.email, password)
    # Many records on the phone make the start screen's list slow to read; leave while it reads.
    page.evaluate("""async () => {
        const { put } = await import("/static/pwa/db.js");
        for (let i = 0; i < 1500; i += 1) {
            const id = crypto.randomUUID();
            await put("records", { key: `signal:${id}`, entity: "signal", id, version: 1, expected_version: 1,
              server: { id, title: `Signaal ${i}`, description: "x".repeat(2000),
                        occurred_at: "2026-11-27T10:00:00+01:00" },
              conflicts: [], rejected: null, mine: true, touched_at: Date.now() });
        }
    }""")
    for _ in range(5):
        page.evaluate("""async () => {
            const { emit } = await import("/static/pwa/events.js");
            location.hash = "#/";
            await new Promise((r) => setTimeout(r, 0));
            emit("records");
            location.hash = "#/uitbox";
        }""")
        expect(page.get_by_role("heading", name="Uitbox")).to_be_visible()
        page.wait_for_timeout(300)
    assert errors == []

    # Leaving a screen while its map is still zooming: Leaflet ends the animation on a timer.
    open_screen(page, "/gesprek/nieuw", "Nieuw gesprek")
    expect(page.locator("#loc-buurt")).to_have_text("Erfgoedkwartier")
    page.evaluate("""() => {
        document.querySelector("#loc-map .leaflet-control-zoom-in").click();
        location.hash = "#/uitbox";
    }""")
    expect(page.get_by_role("heading", name="Uitbox")).to_be_visible()
    page.wait_for_timeout(600)
    assert errors == []

    # A conversation saved unchanged: the message stays in its own form, and never covers the next one.
    # The screen shows the time as typed (+01:00); the server's copy, pulled later, has it in UTC. Hold
    # the pull back until the push's answer has redrawn the screen, so the click meets exactly that.
    page.route("**/api/v1/sync/pull**", lambda route: route.abort())
    open_screen(page, "/gesprek/nieuw", "Nieuw gesprek")
    page.locator("label.chip", has_text="Op straat (muurtje)").click()
    expect(page.locator("#loc-buurt")).to_have_text("Erfgoedkwartier")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("heading", name="Gesprek", exact=True)).to_be_visible()
    expect(page.locator("#toast")).to_have_text("Gesprek bewaard op de telefoon.")
    page.wait_for_selector('#view[data-screen="Gesprek"] #record-form[data-version="1"]')
    page.unroute("**/api/v1/sync/pull**")
    page.evaluate("""async () => { const { syncNow } = await import("/static/pwa/sync.js"); await syncNow(); }""")
    page.wait_for_function("""async () => {
        const { loadRecords } = await import("/static/pwa/outbox.js");
        const [record] = (await loadRecords()).filter((r) => r.entity === "conversation");
        return record && record.view.created_at && record.view.occurred_at.endsWith("+00:00");
    }""", timeout=30_000)
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.locator("#form-status")).to_have_text("Niets gewijzigd: er is niets om te versturen.")
    expect(page.locator("#toast")).not_to_contain_text("Niets gewijzigd")
    page.get_by_role("button", name="Opslaan + signaal").click()
    expect(page.get_by_role("heading", name="Nieuw signaal")).to_be_visible()
    expect(page.locator("#toast")).not_to_contain_text("Niets gewijzigd")
    assert errors == []
    wait_until_sent(page, 0)
    db.session.rollback()
    assert db.session.scalars(select(Conversation.version)).all() == [1]  # the unchanged saves sent nothing
