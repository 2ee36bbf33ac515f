"""The e-mails, rendered in Dutch as plain text and HTML when they are queued.

A resident's e-mail says which kind of record it is about, when it was told, the buurt, the new
status and the staff's `public_note` — and nothing else: no title or description (a coordinator may
have written a neighbour's name there), no followup texts, no staff names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context, render_template, request

from offline_sync.vocabulary import RESIDENT_STATUS, STATUS, URGENCY

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")
KIND_WORD = {"signal": "melding", "idea": "idee"}


@dataclass(frozen=True)
class Mail:
    """A rendered e-mail."""

    subject: str
    text: str
    html: str


def base_url() -> str:
    """Return the address people reach Muurtje at (PUBLIC_URL, else this request's host)."""
    if configured := current_app.config.get("PUBLIC_URL"):
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return "http://127.0.0.1:5000"


def mail_domain() -> str:
    """Return the domain of MAIL_FROM, for Message-IDs."""
    address = parseaddr(current_app.config["MAIL_FROM"])[1]
    return address.rpartition("@")[2] or "localhost"


def dutch_date(value: datetime | date | None) -> str:
    """Return '12 november 2026' (local date)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(LOCAL_TZ).date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _render(template: str, **context) -> Mail:
    context.setdefault("base_url", base_url())
    subject = render_template(f"notifications/mail/{template}.subject.txt", **context).strip()
    text = render_template(f"notifications/mail/{template}.txt", subject=subject, **context)
    html = render_template(f"notifications/mail/{template}.html", subject=subject, **context)
    return Mail(subject, text, html)


def resident_status(entity: str, status: str, public_note: str | None, told_on: datetime | None,
                    buurt_name: str | None, unsubscribe_url: str) -> Mail:
    """Render the e-mail a resident gets when their signal or idea reaches `status`."""
    words, meaning = RESIDENT_STATUS[entity][status]
    return _render("resident_status", kind=KIND_WORD[entity], status_words=words, meaning=meaning,
                   public_note=(public_note or "").strip(), told_on=dutch_date(told_on), buurt_name=buurt_name,
                   unsubscribe_url=unsubscribe_url)


def urgent_signal(signal: dict, buurt_name: str | None) -> Mail:
    """Render the e-mail to a team about a new signal with high urgency."""
    return _render("urgent_signal", signal=signal, buurt_name=buurt_name,
                   urgency=URGENCY.get(signal["urgency"], signal["urgency"]))


def assigned(signal: dict, buurt_name: str | None) -> Mail:
    """Render the e-mail to a team member to whom a signal was assigned."""
    due = date.fromisoformat(signal["due_date"]) if signal.get("due_date") else None
    return _render("assigned", signal=signal, buurt_name=buurt_name, due=dutch_date(due),
                   urgency=URGENCY.get(signal["urgency"], signal["urgency"]))


def overdue_digest(name: str, signals: list[dict]) -> Mail:
    """Render one team member's list of overdue signals (`title`, `id`, `due`, `status`, `buurt_name`)."""
    return _render("overdue_digest", name=name, signals=signals, status_labels=STATUS["signal"])
