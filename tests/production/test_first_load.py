"""The field app's first load stays within its budget (issue 13), measured in Chromium with compression.

Budgets: ≤ 150 KB over the network before sign-in, ≤ 350 KB in total until the app is ready to log.
Figures and method: docs/performance.md, "Field app first load".
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.production.first_load import PHONE, measure_first_load
from tests.support import LiveServer

BEFORE_SIGN_IN = 150_000
UNTIL_READY = 350_000
LOOPBACK_TILES = {"TILE_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png"}


@pytest.fixture
def field_worker(app, make_user):
    user, password = make_user("field_worker", buurten=["BU01060001"])
    return user.email, password


def test_first_load_within_budget(browser, database_url, field_worker):
    server = LiveServer(database_url, env=LOOPBACK_TILES).start()
    try:
        before, ready = measure_first_load(browser, server.url, *field_worker)
    finally:
        server.stop()
    report = f"before sign-in:\n{before.table()}\nuntil ready:\n{ready.table()}"
    assert before.total <= BEFORE_SIGN_IN, report
    assert before.total + ready.total <= UNTIL_READY, report
    # Leaflet waits for a map; the shell's modules come compressed.
    assert not any("/vendor/leaflet/" in url for url in before.by_url), report
    assert before.by_url["/static/pwa/app.js?v=" + _version(before, "/static/pwa/app.js")] < 4000, report
    # The service worker's precache takes what the page already fetched from the HTTP cache (or, for
    # the shell page, which is never cached, revalidates it: a 304 of headers only, under 1 KB).
    page_fetched = {url for url, size in {**before.by_url, **ready.by_url}.items() if size > 0}
    twice = [url for url, size in ready.by_url.items() if url.startswith("[sw] ") and size > 1024
             and url.removeprefix("[sw] ") in page_fetched]
    assert not twice, report


def _version(transfer, path: str) -> str:
    return next(url for url in transfer.by_url if url.startswith(path + "?v=")).split("?v=")[1]


def test_leaflet_loads_when_a_map_is_shown(browser, live_server, field_worker):
    from tests.pwa.conftest import ASSEN, sign_in

    context = browser.new_context(base_url=live_server.url, bypass_csp=True, geolocation=ASSEN,
                                  permissions=["geolocation"], **PHONE)
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(live_server.url)
                  else route.abort())
    try:
        page = context.new_page()
        sign_in(page, *field_worker)
        assert page.evaluate("typeof window.L") == "undefined"
        page.get_by_role("link", name="Los signaal").click()
        expect(page.locator("#loc-map.leaflet-container")).to_be_visible()
        # Leaflet's own CSS is in place (and before the app's, which still overrides it).
        assert page.evaluate("getComputedStyle(document.querySelector('.leaflet-control-zoom-in')).width") == "44px"
    finally:
        context.close()
