"""End to end in Chromium: an admin adds a coordinator, who sets a password on the phone, sees only
their buurten, is deactivated and keeps the outbox, which a colleague then sends. axe on /beheer."""

from __future__ import annotations

import re
import time
import uuid

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import AdminAction, Conversation, User
from tests.pwa.conftest import ASSEN_BUURT, SCREENSHOTS, screenshot
from tests.pwa.test_field_app import _log_short_conversation
from tests.support import ApiClient, check_accessibility, only_loopback, sign_in_on_login_page
from tests.sync.helpers import new_id, push, signal_fields, upsert

pytestmark = pytest.mark.browser

SECOND_BUURT = "BU01060200"
OTHER_BUURT = "BU01060300"


def _shot(page: Page, name: str, dialect: str) -> None:
    """Save docs/screenshots/beheer-<name>.png (from the SQLite pass)."""
    if dialect == "sqlite":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"beheer-{name}.png"), full_page=True)


def _admin_page(browser, live_server, make_user, width: int = 1280, height: int = 860, admin=None):
    admin, password = admin or make_user("admin", name="Bea Beheer")
    context = browser.new_context(bypass_csp=True, base_url=live_server.url, locale="nl-NL",
                                  viewport={"width": width, "height": height}, timezone_id="Europe/Amsterdam")
    only_loopback(context, live_server.url)
    page = context.new_page()
    page.goto("/beheer/mensen")
    expect(page.get_by_role("heading", name="Aanmelden")).to_be_visible()
    sign_in_on_login_page(page, admin.email, password)
    expect(page.get_by_role("heading", name="Mensen", exact=True)).to_be_visible()
    return context, page, admin


def _wait_for_row(model, timeout_s: float = 30):
    """The first row of `model` once the phone's sync has written it (the database is the ground truth)."""
    deadline = time.monotonic() + timeout_s
    while True:
        db.session.rollback()
        row = db.session.scalar(select(model))
        if row is not None or time.monotonic() > deadline:
            return row
        time.sleep(0.2)


def _phone_records(page: Page) -> list[dict]:
    return page.evaluate("""() => new Promise((resolve, reject) => {
        const open = indexedDB.open("muurtje");
        open.onsuccess = () => {
            const request = open.result.transaction("records").objectStore("records").getAll();
            request.onsuccess = () => resolve(request.result.map((r) => ({id: r.id, entity: r.entity})));
            request.onerror = () => reject(request.error);
        };
        open.onerror = () => reject(open.error);
    })""")


def _fill_phone_sign_in(page: Page, email: str, password: str, heading: str) -> None:
    """Send the field app's sign-in form and wait for the screen that should follow."""
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("heading", name=heading)).to_be_visible()


def test_coordinator_lifecycle_from_beheer_to_phone(app, browser, live_server, phone, make_user, dialect):
    team_user, team_password = make_user("team", organisation="Gemeente Assen")
    # Everyone is made before gunicorn starts writing (SQLite has one writer at a time).
    colleague, colleague_password = make_user("field_worker", buurten=[ASSEN_BUURT], name="Kees Collega")
    admin = make_user("admin", name="Bea Beheer")
    team = ApiClient(app.test_client())
    team.login(team_user.email, team_password)
    signals = {code: new_id() for code in (ASSEN_BUURT, SECOND_BUURT, OTHER_BUURT)}
    push(team, new_id(), [upsert(i + 1, "signal", sid, signal_fields(code)) for i, (code, sid) in
                          enumerate(signals.items())])

    context, page, _ = _admin_page(browser, live_server, make_user, admin=admin)
    page.get_by_role("link", name="Persoon toevoegen").click()
    page.get_by_label("E-mailadres").fill("cora@muurtje.test")
    page.get_by_label("Naam", exact=True).fill("Cora Coördinator")
    page.get_by_label("Rol").select_option("field_worker")
    for code in (ASSEN_BUURT, SECOND_BUURT):
        box = page.locator(f"#b-{code}")
        box.locator("xpath=ancestor::details").locator("summary").click()
        box.check()
    _shot(page, "persoon-nieuw", dialect)
    page.get_by_role("button", name="Persoon toevoegen").click()
    expect(page.get_by_role("heading", name="Cora Coördinator is toegevoegd")).to_be_visible()
    password = page.locator("#eenmalig").input_value()
    assert len(password) >= 12
    check_accessibility(page, "/beheer (wachtwoord eenmalig)")
    _shot(page, "wachtwoord-eenmalig", dialect)

    # The coordinator signs in on the field app and must choose a password first.
    handset = phone()
    mobile = handset.new_page()
    mobile.goto("/app/")
    _fill_phone_sign_in(mobile, "cora@muurtje.test", password, "Kies je eigen wachtwoord")
    check_accessibility(mobile, "PWA: Kies je eigen wachtwoord")
    screenshot(mobile, "wachtwoord-kiezen", dialect)
    mobile.get_by_label("Wachtwoord van de beheerder").fill(password)
    mobile.get_by_label("Nieuw wachtwoord", exact=True).fill("fietsen langs de vaart")
    mobile.get_by_label("Nieuw wachtwoord nog eens").fill("fietsen langs de vaart")
    mobile.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(mobile.get_by_role("link", name="Nieuw gesprek")).to_be_visible()
    mobile.wait_for_function("navigator.serviceWorker.controller !== null")
    expect(mobile.locator("#status")).to_contain_text("laatst gesynchroniseerd", timeout=30_000)
    seen = {r["id"] for r in _phone_records(mobile) if r["entity"] == "signal"}
    assert seen == {signals[ASSEN_BUURT], signals[SECOND_BUURT]}

    # Offline, the coordinator logs a conversation; meanwhile the admin deactivates them.
    handset.set_offline(True)
    _log_short_conversation(mobile, "Praatje bij het BIC over de speeltuin.")
    expect(mobile.locator("#status")).to_contain_text("1 wacht op verzending")
    page.goto("/beheer/mensen?q=cora")
    page.get_by_role("link", name="Cora Coördinator").click()
    page.get_by_role("link", name="Deactiveren").click()
    expect(page.get_by_text("meteen afgemeld op alle apparaten")).to_be_visible()
    check_accessibility(page, "/beheer deactiveren")
    _shot(page, "deactiveren", dialect)
    page.get_by_role("button", name="Ja, deactiveer Cora Coördinator").click()
    expect(page.get_by_role("status")).to_contain_text("is gedeactiveerd")

    handset.set_offline(False)
    mobile.evaluate("window.dispatchEvent(new Event('online'))")
    expect(mobile.locator("#status")).to_contain_text("opnieuw aanmelden nodig", timeout=30_000)
    expect(mobile.locator("#status")).to_contain_text("1 wacht op verzending")
    mobile.goto("/app/#/login")
    reason = mobile.locator("#login-reason")
    expect(reason).to_contain_text("gedeactiveerd")
    expect(reason).to_contain_text("Bea Beheer")
    expect(reason).to_contain_text("1 items in de uitbox blijven bewaard")
    mobile.get_by_label("Wachtwoord", exact=True).fill("fietsen langs de vaart")
    mobile.get_by_role("button", name="Aanmelden").click()
    expect(mobile.locator("#login-error")).to_contain_text("aanmelden is niet meer mogelijk")
    check_accessibility(mobile, "PWA: account gedeactiveerd")
    screenshot(mobile, "gedeactiveerd", dialect)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 0

    # A colleague signs in on that phone and sends the waiting item under their own name.
    _fill_phone_sign_in(mobile, colleague.email, colleague_password, "1 item van Cora Coördinator")
    check_accessibility(mobile, "PWA: items van een eerdere gebruiker")
    screenshot(mobile, "overdragen", dialect)
    mobile.get_by_role("button", name="Verzenden onder mijn naam").click()
    # The hand-over is noted first, then the screen moves to the outbox and a sync sends the item, even
    # when the sign-in sync was still running (it had read the outbox before the item became the colleague's).
    expect(mobile).to_have_url(re.compile(r"#/uitbox$"))
    conversation = _wait_for_row(Conversation)
    assert conversation.summary == "Praatje bij het BIC over de speeltuin."
    assert conversation.created_by_id == colleague.id
    handover = db.session.scalar(select(AdminAction).where(AdminAction.action == "sync.handover"))
    cora = db.session.scalar(select(User).where(User.email == "cora@muurtje.test"))
    assert handover.target_id == str(cora.id) and handover.actor_id == colleague.id
    assert handover.after["records"] == [f"conversation:{conversation.id}"]
    context.close()


def test_every_beheer_page_passes_axe(app, browser, live_server, make_user, dialect):
    from app.models import ContactAccess, QuarantinedMutation

    worker, _ = make_user("field_worker", buurten=[ASSEN_BUURT, SECOND_BUURT], name="Fleur Veld",
                          organisation="Vaart Welzijn")
    make_user("team", name="Tom Team", organisation="Actium")
    db.session.add(QuarantinedMutation(client_id=uuid.uuid4(), mutation_id=3, user_id=worker.id,
                                       payload={"entity": "signal", "op": "upsert", "id": new_id(),
                                                "fields": {"title": "", "resident_contact": "[verwijderd]"}},
                                       errors={"title": ["Vul een titel in."]}))
    db.session.add(ContactAccess(entity="signal", record_id=uuid.uuid4(), user_id=worker.id, granted=False))
    db.session.commit()
    admin = make_user("admin", name="Bea Beheer")  # before gunicorn writes (SQLite has one writer)
    for width, height, suffix in ((1280, 860, ""), (820, 1180, "-tablet")):
        context, page, _ = _admin_page(browser, live_server, make_user, width, height, admin)
        pages = [("/beheer/mensen", "mensen"), ("/beheer/mensen/nieuw", None), ("/beheer/organisaties", "organisaties"),
                 ("/beheer/themas", "themas"), ("/beheer/afgewezen", "afgewezen"), ("/beheer/inzage", "inzage"),
                 ("/beheer/bewaartermijn", "bewaartermijn"), ("/beheer/logboek", "logboek")]
        for url, shot in pages:
            page.goto(url)
            expect(page.locator("h1")).to_be_visible()
            check_accessibility(page, f"{url} ({width}px)")
            if shot and not suffix:
                _shot(page, shot, dialect)
        page.goto("/beheer/mensen?q=fleur")
        page.get_by_role("link", name="Fleur Veld").click()
        expect(page.locator(".buurtkeuze-kaart")).to_be_visible()
        check_accessibility(page, f"/beheer/mensen/<id> ({width}px)")
        _shot(page, f"persoon{suffix}", dialect)
        page.get_by_role("link", name="Nieuw wachtwoord maken").click()
        check_accessibility(page, f"/beheer/mensen/<id>/wachtwoord ({width}px)")
        page.get_by_role("link", name=re.compile("Terug naar")).click()
        page.get_by_role("link", name="Deactiveren").click()
        check_accessibility(page, f"/beheer/mensen/<id>/deactiveren ({width}px)")
        context.close()
