"""Browser fixtures for the field PWA: headless Chromium at phone size against gunicorn."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
#: In buurt Erfgoedkwartier (BU01060001), about 39 m from its nearest edge (the farthest any point of
#: that small buurt gets; CBS 2019 boundaries in data/assen-buurten.geojson).
ASSEN = {"latitude": 52.9936, "longitude": 6.5650, "accuracy": 12}
ASSEN_BUURT = "BU01060001"
NOT_LOOPBACK = re.compile(r"^https?://(?!127\.0\.0\.1[:/])")

expect.set_options(timeout=15_000)


@pytest.fixture
def phone(browser, live_server):
    """Return a factory of browser contexts shaped like a phone in Assen, with GPS allowed.

    Map tiles (and anything else off loopback) are aborted: the app must work without them.
    """
    contexts = []

    def make():
        # The CSP is bypassed for the test tools (axe, wait_for_function); tests/test_csp.py checks the
        # app itself under its policy.
        context = browser.new_context(
            bypass_csp=True,
            base_url=live_server.url, viewport={"width": 390, "height": 844}, device_scale_factor=1,
            geolocation=ASSEN, permissions=["geolocation"], locale="nl-NL", timezone_id="Europe/Amsterdam",
        )
        context.route(NOT_LOOPBACK, lambda route: route.abort())
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Page, email: str, password: str) -> None:
    """Sign in through the login screen and wait until the app is installed and synced once."""
    page.goto("/app/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(password)
    page.get_by_role("button", name="Aanmelden").click()
    expect(page.get_by_role("link", name="Nieuw gesprek")).to_be_visible()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    expect(page.locator("#status")).to_contain_text("laatst gesynchroniseerd")


def open_screen(page: Page, path: str, title: str) -> None:
    """Go to a screen of the field app and wait until it is drawn and wired (`#view[data-screen]`).

    A hash route draws asynchronously: until then the previous screen is still there, perhaps with a
    field of the same name that a fill would find instead.
    """
    page.goto(f"/app/#{path}")
    expect(page.locator(f'#view[data-screen="{title}"]')).to_have_count(1)


def wait_until_sent(page: Page, since_ms: float) -> None:
    """Wait until the status line reports an empty outbox and a sync that finished after `since_ms`."""
    page.wait_for_function(
        """(since) => {
            const s = document.getElementById("status");
            return s.dataset.pending === "0" && Date.parse(s.dataset.lastSync || "") >= since;
        }""",
        arg=since_ms, timeout=30_000,
    )


def jpeg_bytes(width: int = 1200, height: int = 900) -> bytes:
    """A photo-like JPEG with EXIF data (camera make), as a phone camera would produce."""
    image = Image.new("RGB", (width, height), (40, 120, 60))
    for x in range(0, width, 60):
        image.paste((180, 80, 50), (x, height // 2, x + 40, height // 2 + 40))
    exif = Image.Exif()
    exif[0x010F] = "Telefoonmerk"  # Make
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, exif=exif)
    return buffer.getvalue()


def screenshot(page: Page, name: str, dialect: str) -> None:
    """Save docs/screenshots/pwa-<name>.png (once per run: from the SQLite pass)."""
    if dialect == "sqlite":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"pwa-{name}.png"))
