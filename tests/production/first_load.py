"""Measure what the field app's first load moves over the network, in Chromium.

Every request is counted from Chromium's own figures: for the page, CDP `Network.loadingFinished`
`encodedDataLength` (bytes on the wire: headers plus the compressed body); for the service worker's
own fetches (its precache), which the page's CDP session does not see, Playwright's request sizes
(response headers plus encoded body) from the context's `requestfinished` events. A response the page
gets from the service worker's cache counts 0, as it costs no network.

Two phases: "before sign-in" (open /app/ until the sign-in screen shows and the network is idle) and
"until ready to log" (everything up to the start screen with "Nieuw gesprek", the service worker in
control and one sync done, network idle).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 1, "locale": "nl-NL",
         "timezone_id": "Europe/Amsterdam"}


@dataclass
class Transfer:
    """Bytes per URL in one phase; `total` is their sum."""

    by_url: dict[str, int] = field(default_factory=dict)

    def add(self, url: str, size: int) -> None:
        self.by_url[url] = self.by_url.get(url, 0) + size

    @property
    def total(self) -> int:
        return sum(self.by_url.values())

    def table(self) -> str:
        rows = sorted(self.by_url.items(), key=lambda kv: -kv[1])
        return "\n".join(f"{size:>9,}  {url}" for url, size in rows)


class Meter:
    """Collect transferred bytes from a page (CDP) and from its service worker (Playwright)."""

    def __init__(self, context, page):
        self.phase = Transfer()
        self.urls: dict[str, str] = {}
        self.pending = 0
        self.last_activity = time.monotonic()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", self._will_send)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        context.on("requestfinished", self._sw_request)
        self.cdp = cdp

    def _will_send(self, event) -> None:
        self.urls[event["requestId"]] = event["request"]["url"]
        self.pending += 1
        self.last_activity = time.monotonic()

    def _finished(self, event) -> None:
        self.pending -= 1
        self.last_activity = time.monotonic()
        url = self.urls.get(event["requestId"], "?")
        self.phase.add(_path(url), int(event["encodedDataLength"]))

    def _failed(self, event) -> None:
        self.pending -= 1
        self.last_activity = time.monotonic()

    def _sw_request(self, request) -> None:
        if request.service_worker is None:
            return  # the page's own requests are counted from CDP
        self.last_activity = time.monotonic()
        sizes = request.sizes()
        self.phase.add("[sw] " + _path(request.url), sizes["responseHeadersSize"] + sizes["responseBodySize"])

    def settle(self, page, quiet_s: float = 1.5, timeout_s: float = 30) -> None:
        """Wait until no request started or finished for `quiet_s` seconds."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            page.wait_for_timeout(250)
            if self.pending <= 0 and time.monotonic() - self.last_activity >= quiet_s:
                return
        raise TimeoutError(f"network not idle after {timeout_s} s ({self.pending} pending)")

    def next_phase(self) -> Transfer:
        done, self.phase = self.phase, Transfer()
        return done


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[-1] if "://" in url else url


def measure_first_load(browser, base_url: str, email: str, password: str) -> tuple[Transfer, Transfer]:
    """Open the field app on a fresh phone, sign in; return (before sign-in, sign-in until ready)."""
    from playwright.sync_api import expect

    # No request routing: Playwright turns the HTTP cache off when it routes, and the cache is part of
    # what is measured. The server's TILE_URL must point at loopback instead. (CSP bypassed only for
    # wait_for_function.)
    context = browser.new_context(base_url=base_url, bypass_csp=True, **PHONE)
    try:
        page = context.new_page()
        meter = Meter(context, page)
        page.goto("/app/")
        expect(page.get_by_label("E-mailadres")).to_be_visible(timeout=30_000)
        meter.settle(page)
        before = meter.next_phase()
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_label("Wachtwoord", exact=True).fill(password)
        page.get_by_role("button", name="Aanmelden").click()
        expect(page.get_by_role("link", name="Nieuw gesprek")).to_be_visible(timeout=30_000)
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
        expect(page.locator("#status")).to_contain_text("laatst gesynchroniseerd", timeout=30_000)
        meter.settle(page)
        return before, meter.next_phase()
    finally:
        context.close()
