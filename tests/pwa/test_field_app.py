"""End to end: the field PWA offline, its outbox, sync, conflicts and rejections, in headless Chromium."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select, update

from app.database import write_transaction
from app.extensions import db
from app.models import Attachment, Conversation, DeviceToken, QuarantinedMutation, ResidentContact, Signal, utcnow
from tests.pwa.conftest import ASSEN_BUURT, jpeg_bytes, open_screen, screenshot, sign_in, wait_until_sent
from tests.support import check_accessibility

pytestmark = pytest.mark.browser


def count(model) -> int:
    db.session.rollback()  # see what gunicorn committed
    return db.session.scalar(select(func.count()).select_from(model))


def status(page: Page):
    return page.locator("#status")


def log_conversation_with_signal(page: Page, dialect: str) -> None:
    page.get_by_role("link", name="Nieuw gesprek").click()
    expect(page.get_by_role("heading", name="Nieuw gesprek")).to_be_visible()
    page.locator("label.chip", has_text="Op straat (muurtje)").click()
    page.get_by_role("button", name="Aantal bewoners: één meer").click()
    page.get_by_role("button", name="Aantal bewoners: één meer").click()
    page.locator("label.chip", has_text="Groen en bomen").click()
    page.get_by_label("Korte samenvatting").fill("Bewoners willen meer groen op het pleintje en een bankje.")
    page.get_by_label("Opvolging nodig").check()
    expect(page.locator("#loc-status")).to_contain_text("± 12 m")
    expect(page.locator("#loc-buurt")).to_have_text("Erfgoedkwartier")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "gesprek", dialect)
    page.get_by_role("button", name="Opslaan + signaal").click()

    expect(page.get_by_role("heading", name="Nieuw signaal")).to_be_visible()
    page.get_by_label("Titel").fill("Losliggende stoeptegels bij het muurtje")
    page.locator("label.chip", has_text="Openbare ruimte").click()
    page.locator("#photo-input").set_input_files(
        {"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()}
    )
    expect(page.get_by_role("img", name="Foto 1")).to_have_attribute("src", re.compile("^blob:"))
    expect(page.locator("#loc-buurt")).to_have_text("Erfgoedkwartier")
    screenshot(page, "signaal", dialect)
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("heading", name="Gesprek", exact=True)).to_be_visible()
    expect(page.locator("#linked")).to_contain_text("Losliggende stoeptegels bij het muurtje")


def test_offline_log_reload_sync_and_conflict(phone, make_user, dialect):
    worker, password = make_user("field_worker", buurten=[ASSEN_BUURT], name="Michelle Bieleveld")
    colleague, colleague_password = make_user("field_worker", buurten=[ASSEN_BUURT], name="Robert Jansen")
    context = phone()
    page = context.new_page()
    sign_in(page, worker.email, password)
    screenshot(page, "start", dialect)

    context.set_offline(True)
    expect(status(page)).to_contain_text("offline")
    log_conversation_with_signal(page, dialect)
    expect(status(page)).to_contain_text("2 wachten op verzending")

    # Reload with no network: the shell comes from the service worker, the work from IndexedDB.
    page.reload()
    expect(status(page)).to_contain_text("2 wachten op verzending")
    expect(page.locator("#linked")).to_contain_text("Losliggende stoeptegels bij het muurtje")
    open_screen(page, "/uitbox", "Uitbox")
    expect(page.locator("#pending li")).to_have_count(2)
    screenshot(page, "uitbox", dialect)
    assert count(Conversation) == 0

    context.set_offline(False)
    expect(status(page)).to_contain_text("alles verzonden", timeout=30_000)
    assert count(Conversation) == 1
    assert count(Signal) == 1
    conversation = db.session.scalar(select(Conversation))
    signal = db.session.scalar(select(Signal))
    assert conversation.setting == "street" and conversation.residents_count == 3
    assert conversation.themes == ["groen"] and conversation.follow_up_needed is True
    assert conversation.buurt_code == ASSEN_BUURT and conversation.accuracy_m == 12
    assert signal.conversation_id == conversation.id and signal.theme == "openbare_ruimte"
    assert len(signal.photos) == 1
    photo = db.session.get(Attachment, signal.photos[0])
    assert photo is not None and photo.content_type == "image/jpeg" and max(photo.width, photo.height) <= 1600
    assert b"Telefoonmerk" not in photo.data

    # The worker edits the signal offline while a colleague changes the same field online.
    context.set_offline(True)
    open_screen(page, f"/signaal/{signal.id}", "Signaal")
    page.get_by_label("Titel").fill("Stoeptegels los bij muurtje Kerkstraat")
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(status(page)).to_contain_text("1 wacht op verzending")

    other = phone().new_page()
    sign_in(other, colleague.email, colleague_password)
    other.get_by_role("link", name="In deze buurt").click()
    expect(other.locator("#nearby-status")).to_contain_text("Erfgoedkwartier")
    screenshot(other, "in-deze-buurt", dialect)
    other.get_by_role("link", name=re.compile("Losliggende stoeptegels")).click()
    other.get_by_label("Titel").fill("Stoeptegels liggen los")
    since = other.evaluate("Date.now()")
    other.get_by_role("button", name="Opslaan", exact=True).click()
    expect(other.locator("#toast")).to_contain_text("bewaard op de telefoon")
    wait_until_sent(other, since)
    db.session.rollback()
    assert db.session.get(Signal, signal.id).title == "Stoeptegels liggen los"

    context.set_offline(False)
    notice = page.locator("#conflict-notice")
    expect(notice).to_be_visible(timeout=30_000)
    expect(notice).to_contain_text("Titel")
    expect(notice).to_contain_text("Stoeptegels liggen los")
    expect(notice).to_contain_text("Stoeptegels los bij muurtje Kerkstraat")
    screenshot(page, "conflict", dialect)
    check_accessibility(page, "signaal met conflict")
    db.session.rollback()
    stored = db.session.get(Signal, signal.id)
    assert stored.has_conflict is True and stored.title == "Stoeptegels los bij muurtje Kerkstraat"

    page.get_by_role("button", name="Conflict opgelost").click()
    expect(notice).to_have_count(0)
    db.session.rollback()
    assert db.session.get(Signal, signal.id).has_conflict is False
    assert count(Signal) == 1 and count(Conversation) == 1


def test_rejected_mutation_is_shown_and_can_be_fixed(phone, make_user, dialect):
    worker, password = make_user("field_worker", buurten=[ASSEN_BUURT])
    page = phone().new_page()
    sign_in(page, worker.email, password)

    page.get_by_role("link", name="Nieuw gesprek").click()
    page.locator("label.chip", has_text="BIC").click()
    page.get_by_label("Korte samenvatting").fill("Vraag over de renovatie van de flat.")
    page.get_by_text("Contactgegevens bewoner (alleen met toestemming)").click()
    page.get_by_label("Telefoonnummer").fill("0592 123456")
    page.get_by_label("E-mailadres").fill("bewoner.voorbeeld.nl")
    page.get_by_label("De bewoner geeft toestemming").check()
    page.get_by_role("button", name="Opslaan", exact=True).click()

    notice = page.locator("#rejected-notice")
    expect(notice).to_be_visible(timeout=30_000)
    expect(notice).to_contain_text("Contactgegevens bewoner")
    expect(notice).to_contain_text("e-mail")
    expect(page.get_by_role("button", name="Opnieuw versturen")).to_be_visible()
    screenshot(page, "afgewezen", dialect)
    check_accessibility(page, "gesprek met afwijzing")
    assert count(Conversation) == 0
    assert count(QuarantinedMutation) == 1
    # What the worker typed is still there to correct, and the record shows in the outbox screen.
    expect(page.get_by_label("Korte samenvatting")).to_have_value("Vraag over de renovatie van de flat.")
    expect(page.get_by_label("E-mailadres")).to_have_value("bewoner.voorbeeld.nl")

    page.get_by_label("E-mailadres").fill("bewoner@voorbeeld.nl")
    since = page.evaluate("Date.now()")
    page.get_by_role("button", name="Opnieuw versturen").click()
    expect(page.locator("#toast")).to_contain_text("bewaard op de telefoon")
    wait_until_sent(page, since)
    expect(status(page)).to_contain_text("alles verzonden")
    expect(page.locator("#rejected-notice")).to_have_count(0)
    assert count(Conversation) == 1
    conversation = db.session.scalar(select(Conversation))
    assert conversation.setting == "bic" and conversation.summary == "Vraag over de renovatie van de flat."
    contact = db.session.scalar(select(ResidentContact))
    assert contact is not None and contact.email == "bewoner@voorbeeld.nl"


def _log_short_conversation(page: Page, summary: str) -> None:
    open_screen(page, "/", "Start")
    page.get_by_role("link", name="Nieuw gesprek").click()
    page.locator("label.chip", has_text="BIC").click()
    page.get_by_label("Korte samenvatting").fill(summary)
    page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(page.get_by_role("heading", name="Gesprek", exact=True)).to_be_visible()


def test_revoked_token_asks_to_sign_in_again_and_keeps_the_outbox(phone, make_user):
    worker, password = make_user("field_worker", buurten=[ASSEN_BUURT])
    context = phone()
    page = context.new_page()
    sign_in(page, worker.email, password)

    # An admin revokes this phone's token (e.g. the phone was lost and found again).
    with write_transaction(db.session()):  # gunicorn writes too: take SQLite's write lock up front
        db.session.execute(update(DeviceToken).where(DeviceToken.user_id == worker.id).values(revoked_at=utcnow()))
    _log_short_conversation(page, "Koffie in het BIC, vragen over de buurtbus.")
    expect(status(page)).to_contain_text("opnieuw aanmelden nodig", timeout=30_000)
    expect(status(page)).to_contain_text("1 wacht op verzending")
    assert count(Conversation) == 0

    page.goto("/app/#/login")
    expect(page.get_by_role("heading", name="Opnieuw aanmelden")).to_be_visible()
    expect(page.locator(".notice-error")).to_contain_text("1 items in de uitbox blijven bewaard")
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Aanmelden").click()
    expect(status(page)).to_contain_text("alles verzonden", timeout=30_000)
    assert count(Conversation) == 1


def test_logout_warns_while_the_outbox_is_not_empty(phone, make_user):
    worker, password = make_user("field_worker", buurten=[ASSEN_BUURT])
    context = phone()
    page = context.new_page()
    sign_in(page, worker.email, password)
    context.set_offline(True)
    _log_short_conversation(page, "Kort praatje op straat.")
    open_screen(page, "/", "Start")
    page.get_by_role("button", name="Afmelden").click()
    warning = page.get_by_role("alertdialog")
    expect(warning).to_contain_text("Er wacht nog 1 item op verzending")
    page.get_by_role("button", name="Aangemeld blijven").click()
    expect(warning).to_have_count(0)
    expect(status(page)).to_contain_text("1 wacht op verzending")

    context.set_offline(False)
    expect(status(page)).to_contain_text("alles verzonden", timeout=30_000)
    page.get_by_role("button", name="Afmelden").click()  # nothing waiting: no warning, signed out
    expect(page.get_by_role("heading", name="Aanmelden")).to_be_visible()
    db.session.rollback()
    assert db.session.scalar(select(DeviceToken.revoked_at).where(DeviceToken.user_id == worker.id)) is not None
    assert count(Conversation) == 1


def test_push_too_large_is_split_and_unknown_schema_asks_for_an_update(phone, make_user):
    worker, password = make_user("field_worker", buurten=[ASSEN_BUURT])
    context = phone()
    page = context.new_page()
    sign_in(page, worker.email, password)
    context.set_offline(True)
    _log_short_conversation(page, "Eerste gesprek bij het BIC.")
    _log_short_conversation(page, "Tweede gesprek bij het BIC.")
    expect(status(page)).to_contain_text("2 wachten op verzending")

    # The server (as a proxy might) refuses pushes of more than one mutation as too large.
    batch_sizes: list[int] = []

    def too_large_for_more_than_one(route):
        size = len(json.loads(route.request.post_data)["mutations"])
        batch_sizes.append(size)
        if size > 1:
            route.fulfill(status=413, content_type="application/problem+json",
                          body=json.dumps({"type": "about:blank", "title": "Too Large", "status": 413,
                                           "detail": "hoogstens 1 mutatie per push"}))
        else:
            route.continue_()

    page.route("**/api/v1/sync/push", too_large_for_more_than_one)
    context.set_offline(False)
    expect(status(page)).to_contain_text("alles verzonden", timeout=30_000)
    assert batch_sizes[0] == 2 and batch_sizes[1:] == [1, 1]
    assert count(Conversation) == 2
    page.unroute("**/api/v1/sync/push")

    # A server that no longer speaks this schema version: the app says it must be updated, keeps the work.
    page.route("**/api/v1/sync/push", lambda route: route.fulfill(
        status=409, content_type="application/problem+json",
        body=json.dumps({"type": "about:blank", "title": "Conflict", "status": 409, "detail": "schema_version"})))
    _log_short_conversation(page, "Derde gesprek.")
    expect(status(page)).to_contain_text("app moet worden bijgewerkt", timeout=30_000)
    expect(status(page)).to_contain_text("1 wacht op verzending")
    assert count(Conversation) == 2
