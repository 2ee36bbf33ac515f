"""The outbox worker: claim due messages, send them, mark them sent, retry with backoff.

Delivery is at-least-once (docs/notifications.md): a message is marked sent in its own commit right
after the SMTP server accepted it. A worker that dies in between leaves the row `sending`; once its
claim expires another run sends it again, with the same Message-ID.
"""

from __future__ import annotations

import logging
import re
import signal
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app
from sqlalchemy import and_, or_, select, update

from app.database import write_transaction
from app.extensions import db
from app.models import Notification, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """What a worker needs of a claimed row, read before the claim commits."""

    id: int
    message_id: str
    to_address: str
    subject: str
    body_text: str
    body_html: str
    kind: str
    created_at: datetime
    attempts: int
    unsubscribe: str | None = None


class PermanentFailure(Exception):
    """The SMTP server refused the message for good (5xx): retrying will not help."""


def build_message(out: Outgoing, sender: str) -> EmailMessage:
    """Return the MIME message (plain text with an HTML alternative) with its stable Message-ID."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = out.to_address
    msg["Subject"] = out.subject
    msg["Message-ID"] = out.message_id
    msg["Date"] = format_datetime(out.created_at)
    msg["Auto-Submitted"] = "auto-generated"
    if out.unsubscribe:
        msg["List-Unsubscribe"] = f"<{out.unsubscribe}>"
    msg.set_content(out.body_text)
    msg.add_alternative(out.body_html, subtype="html")
    return msg


class SmtpTransport:
    """Send over SMTP_URL: smtp://[user:password@]host:port, or smtps:// for TLS from the start."""

    def __init__(self, url: str, timeout: float):
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SMTP_URL moet smtp://host:poort of smtps://host:poort zijn.")
        self.tls = parts.scheme == "smtps"
        self.host, self.port = parts.hostname, parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self.connection is None:
            if self.tls:
                conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.user:
                conn.login(self.user, self.password or "")
            self.connection = conn
        return self.connection

    def send(self, message: EmailMessage) -> None:
        try:
            self._connect().send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(500 <= c < 600 for c in codes):
                raise PermanentFailure(f"SMTP weigerde de ontvanger: {_first(exc.recipients.values())}") from exc
            self.close()
            raise
        except smtplib.SMTPResponseException as exc:
            self.close()
            if 500 <= exc.smtp_code < 600 and not isinstance(exc, smtplib.SMTPAuthenticationError):
                raise PermanentFailure(f"SMTP {exc.smtp_code}: {_decode(exc.smtp_error)}") from exc
            raise
        except (OSError, smtplib.SMTPException):
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None


class FileTransport:
    """Without SMTP_URL: write each message as an .eml file (named after its Message-ID)."""

    def __init__(self, directory: str):
        self.directory = Path(directory)

    def send(self, message: EmailMessage) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", message["Message-ID"].strip("<>"))
        target = self.directory / f"{name}.eml"
        partial = target.with_suffix(".eml.tmp")
        partial.write_bytes(bytes(message))
        partial.replace(target)  # a re-send overwrites the same file: no duplicate on disk

    def close(self) -> None:
        pass


def transport_from_config():
    """Return the transport SMTP_URL asks for (files in MAIL_DIR without it)."""
    config = current_app.config
    if config.get("SMTP_URL"):
        return SmtpTransport(config["SMTP_URL"], config["MAIL_TIMEOUT_SECONDS"])
    return FileTransport(config["MAIL_DIR"])


def _first(values) -> str:
    for code, text in values:
        return f"{code} {_decode(text)}"
    return ""


def _decode(value) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)


# -- claiming and recording -----------------------------------------------------------------------


def claim(limit: int = 20, due_before: datetime | None = None) -> list[Outgoing]:
    """Take up to `limit` due messages for this worker, in their own committed transaction.

    Due (at `due_before`, default now): pending and past `next_attempt_at`, or `sending` with an
    expired claim (its worker died).
    PostgreSQL skips rows another worker holds (FOR UPDATE SKIP LOCKED); SQLite serialises writers
    (BEGIN IMMEDIATE), so there each row is seen by one claimer at a time as well.
    """
    config = current_app.config
    now = utcnow()
    due_before = due_before or now
    session = db.session()
    due = or_(and_(Notification.status == "pending", Notification.next_attempt_at <= due_before),
              and_(Notification.status == "sending", Notification.claimed_until < due_before))
    # Look before taking the write lock: an idle worker polling SQLite must not queue behind writers.
    nothing_due = session.scalar(select(Notification.id).where(due).limit(1)) is None
    session.rollback()
    if nothing_due:
        return []
    with write_transaction(session):
        query = select(Notification).where(due).order_by(Notification.id).limit(limit)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = session.scalars(query).all()
        claimed = []
        for row in rows:
            row.status = "sending"
            row.attempts += 1
            row.claimed_until = now + timedelta(seconds=config["MAIL_CLAIM_SECONDS"])
            claimed.append(_outgoing(row))
    return claimed


def _outgoing(row: Notification) -> Outgoing:
    return Outgoing(row.id, row.message_id, row.to_address, row.subject, row.body_text, row.body_html, row.kind,
                    row.created_at, row.attempts, row.unsubscribe_url)


def mark_sent(message_id: int) -> None:
    """Record that the SMTP server accepted a message (its own commit, right after sending)."""
    with write_transaction(db.session()):
        db.session.execute(update(Notification).where(
            Notification.id == message_id, Notification.status == "sending",
        ).values(status="sent", sent_at=utcnow(), claimed_until=None, last_error=None))


def mark_failed(out: Outgoing, error: str, permanent: bool = False) -> str:
    """Schedule a retry with exponential backoff, or give up after MAIL_MAX_ATTEMPTS; return the status."""
    config = current_app.config
    now = utcnow()
    give_up = permanent or out.attempts >= config["MAIL_MAX_ATTEMPTS"]
    delay = min(config["MAIL_RETRY_BASE_SECONDS"] * 2 ** (out.attempts - 1), config["MAIL_RETRY_MAX_SECONDS"])
    status = "failed" if give_up else "pending"
    with write_transaction(db.session()):
        db.session.execute(update(Notification).where(
            Notification.id == out.id, Notification.status == "sending",
        ).values(status=status, claimed_until=None, last_error=error[:2000],
                 next_attempt_at=now if give_up else now + timedelta(seconds=delay)))
    return status


def release(claimed: list[Outgoing]) -> None:
    """Give claimed messages back to the queue untried (a worker that is asked to stop)."""
    with write_transaction(db.session()):
        for out in claimed:
            db.session.execute(update(Notification).where(
                Notification.id == out.id, Notification.status == "sending",
            ).values(status="pending", attempts=out.attempts - 1, claimed_until=None))


def deliver_due(transport=None, limit: int = 20, should_stop: Callable[[], bool] = lambda: False
                ) -> dict[str, int]:
    """Send every message that is due now, batch by batch; return counts by outcome.

    What fails now is due again only later (backoff), so one call always ends. When `should_stop`
    turns true, the message in hand is finished and the rest of the batch goes back to the queue.
    """
    transport = transport or transport_from_config()
    sender = current_app.config["MAIL_FROM"]
    counts = {"sent": 0, "retry": 0, "failed": 0}
    start = utcnow()
    try:
        while not should_stop() and (batch := claim(limit, due_before=start)):
            for index, out in enumerate(batch):
                if should_stop():
                    release(batch[index:])
                    break
                counts[_deliver_one(transport, sender, out)] += 1
    finally:
        transport.close()
    return counts


def _deliver_one(transport, sender: str, out: Outgoing) -> str:
    try:
        transport.send(build_message(out, sender))
    except PermanentFailure as exc:
        log.warning("message %s refused for good: %s", out.id, exc)
        mark_failed(out, str(exc), permanent=True)
        return "failed"
    except (OSError, smtplib.SMTPException) as exc:
        error = f"{exc.__class__.__name__}: {exc}"
        status = mark_failed(out, error)
        log.warning("message %s not sent (attempt %s): %s", out.id, out.attempts, error)
        return "failed" if status == "failed" else "retry"
    mark_sent(out.id)
    return "sent"


def run_worker(once: bool, echo: Callable[[str], None] = print) -> None:
    """Deliver until stopped (SIGTERM/SIGINT end it after the message in hand); `once`: what is due now."""
    stopping = {"now": False}

    def stop(_signum, _frame):
        stopping["now"] = True

    if not once:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    poll = current_app.config["MAIL_POLL_SECONDS"]
    while True:
        counts = deliver_due(should_stop=lambda: stopping["now"])
        if any(counts.values()):
            echo(f"verzonden: {counts['sent']}, later opnieuw: {counts['retry']}, opgegeven: {counts['failed']}")
        if once or stopping["now"]:
            return
        deadline = time.monotonic() + poll
        while time.monotonic() < deadline and not stopping["now"]:
            time.sleep(min(0.2, poll))
        if stopping["now"]:
            return
