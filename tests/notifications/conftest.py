"""A real SMTP server (aiosmtpd) on loopback, and helpers to make records whose residents want updates."""

from __future__ import annotations

import email
import email.policy
import threading
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from tests.pwa.conftest import phone  # noqa: F401 - the phone-sized browser fixture, for test_browser
from tests.support import free_port
from tests.sync.helpers import idea_fields, new_id, push, signal_fields, upsert

RESIDENT = {"name": "Henk Bewonersnaam", "phone": "0612345678", "email": "henk.bewoner@example.org",
            "consent": True, "updates": True}


@dataclass
class Received:
    """What the server accepted: the envelope recipients and the parsed message."""

    rcpt: list[str]
    message: email.message.EmailMessage

    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps every message; `before_ok` runs after the message arrived."""

    received: list[Received] = field(default_factory=list)
    before_ok: object = None
    refuse_with: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refuse_with:
            return self.refuse_with
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.received.append(Received(list(envelope.rcpt_tos), parsed))
        if self.before_ok is not None:
            self.before_ok()
        return "250 Message accepted for delivery"


class SmtpServer:
    """Start and stop an SMTP server on a fixed loopback port (so it can be 'down' and come back)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.handler = Recorder()
        self.controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> SmtpServer:
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    """A running SMTP server on loopback, and the app configured to send through it."""
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app, smtp):
    """The app sending through the test SMTP server, with short retry delays."""
    app.config.update(SMTP_URL=smtp.url, MAIL_FROM="Muurtje <noreply@muurtje.test>",
                      PUBLIC_URL="https://muurtje.test", MAIL_RETRY_BASE_SECONDS=60, MAIL_MAX_ATTEMPTS=3)
    return app


def report(api, entity: str = "signal", contact: dict | None = None, **extra) -> str:
    """Let a field worker create a signal or idea with a resident contact; return its id."""
    record_id = new_id()
    fields = (signal_fields if entity == "signal" else idea_fields)(**extra)
    if contact is not None:
        fields["resident_contact"] = contact
    result = push(api, new_id(), [upsert(1, entity, record_id, fields)])["results"][0]
    assert result["status"] == "applied", result
    return record_id


def grant_fields(manager, cents: int) -> dict:
    """Return what a grant needs: the amount, and a budget once the programme's budgets exist."""
    from offline_sync.records import ENTITY_FIELDS

    fields = {"budget_granted_cents": cents}
    if "budget_id" in ENTITY_FIELDS["idea"]:  # buurtbudget rules (programme): a grant comes from a budget
        body = {"year": 2026, "name": "Buurtbudget", "amount_cents": 10 * cents}
        response = manager.post("/api/v1/budgets", json=body)
        assert response.status_code == 201, response.get_json()
        fields["budget_id"] = response.get_json()["id"]
    return fields


def realise_fields(cents: int) -> dict:
    """Return what realising needs: with the programme's budgets, what was spent."""
    from offline_sync.records import ENTITY_FIELDS

    return {"budget_spent_cents": cents} if "budget_spent_cents" in ENTITY_FIELDS["idea"] else {}


def patch(api, entity: str, record_id: str, **fields) -> dict:
    """PATCH a record against its current version; return the new record."""
    current = api.get(f"/api/v1/{entity}s/{record_id}").get_json()
    response = api.patch(f"/api/v1/{entity}s/{record_id}", json={"base_version": current["version"], **fields})
    assert response.status_code == 200, response.get_json()
    return response.get_json()
