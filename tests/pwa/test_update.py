"""A new release of the app is picked up by an installed phone without losing its outbox."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.models import Conversation
from tests.pwa.conftest import ASSEN, ASSEN_BUURT, NOT_LOOPBACK, sign_in
from tests.support import LiveServer

pytestmark = pytest.mark.browser


def _server(database_url: str, release: str, port: int | None = None) -> LiveServer:
    server = LiveServer(database_url, env={"MUURTJE_RELEASE": release})
    if port is not None:  # the same origin, so the phone keeps its service worker and IndexedDB
        server.port, server.url = port, f"http://127.0.0.1:{port}"
    return server.start()


def test_new_release_activates_and_keeps_the_outbox(app, database_url, browser, make_user):
    worker, password = make_user("field_worker", buurten=[ASSEN_BUURT])
    old = _server(database_url, "release-1")
    port = old.port
    context = browser.new_context(
        bypass_csp=True, base_url=old.url, viewport={"width": 390, "height": 844}, geolocation=ASSEN,
        permissions=["geolocation"], locale="nl-NL", timezone_id="Europe/Amsterdam",
    )
    context.route(NOT_LOOPBACK, lambda route: route.abort())
    new = None
    try:
        page = context.new_page()
        sign_in(page, worker.email, password)
        old_version = page.evaluate("JSON.parse(document.getElementById('muurtje-config').textContent).version")
        context.set_offline(True)
        page.get_by_role("link", name="Nieuw gesprek").click()
        page.locator("label.chip", has_text="BIC").click()
        page.get_by_label("Korte samenvatting").fill("Gesprek vlak voor de nieuwe versie.")
        page.get_by_role("button", name="Opslaan", exact=True).click()
        expect(page.locator("#status")).to_contain_text("1 wacht op verzending")

        old.stop()
        new = _server(database_url, "release-2", port)
        context.set_offline(False)
        page.reload()  # an online start checks for a new service worker
        expect(page.locator("#update-banner")).to_be_visible(timeout=30_000)
        page.get_by_role("button", name="Bijwerken").click()
        page.wait_for_function("(old) => JSON.parse(document.getElementById('muurtje-config').textContent)"
                               ".version !== old", arg=old_version, timeout=30_000)
        expect(page.locator("#status")).to_contain_text("alles verzonden", timeout=30_000)
        db.session.rollback()
        summaries = db.session.scalars(select(Conversation.summary)).all()
        assert summaries == ["Gesprek vlak voor de nieuwe versie."]
        assert db.session.scalar(select(func.count()).select_from(Conversation)) == 1
    finally:
        context.close()
        old.stop()
        if new is not None:
            new.stop()
