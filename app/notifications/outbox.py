"""Turn accepted record changes into e-mails in the outbox, inside the transaction of the change.

`queue_for_changes` is the sync engine's `on_changes` hook (see app.sync_service): it runs after the
engine wrote a batch and before the caller commits, so a message exists if and only if the change
that caused it committed. Message-IDs are derived from what caused the message (record, version,
recipient), so a message is never queued twice for the same cause.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from app.extensions import db
from app.models import Buurt, Notification, ResidentContact, User, utcnow
from app.notifications import messages
from offline_sync.engine import RecordEvent
from offline_sync.records import to_column
from offline_sync.vocabulary import RESIDENT_STATUS

UNSUBSCRIBE_SALT = "muurtje-afmelden"


def queue_for_changes(events: list[RecordEvent]) -> None:
    """Queue the e-mails that a batch of accepted changes calls for."""
    resident = [e for e in events if _status_reached(e) in RESIDENT_STATUS.get(e.entity, {})]
    urgent = [e for e in events if e.entity == "signal" and _became_urgent_for_team(e)]
    assigned = [e for e in events if e.entity == "signal" and _newly_assigned(e)]
    if not (resident or urgent or assigned):
        return
    buurten = _buurt_names(e.record.get("buurt_code") for e in resident + urgent + assigned)
    for event in resident:
        _queue_resident(event, buurten.get(event.record.get("buurt_code")))
    for event in urgent:
        _queue_urgent(event, buurten.get(event.record.get("buurt_code")))
    for event in assigned:
        _queue_assigned(event, buurten.get(event.record.get("buurt_code")))


def _status_reached(event: RecordEvent) -> str | None:
    """Return the status an existing record moved into, or None."""
    change = event.changes.get("status")
    if event.created or change is None or change[0] == change[1]:
        return None
    return change[1]


def _became_urgent_for_team(event: RecordEvent) -> bool:
    """Whether the signal is now high-urgency with an owner, and was not both before this change."""
    record = event.record
    if record.get("deleted") or record.get("urgency") != "high" or not record.get("organisation"):
        return False
    if event.created:
        return True
    before = {k: v[0] for k, v in event.changes.items()}
    return before.get("urgency", "high") != "high" or before.get("organisation", record["organisation"]) != (
        record["organisation"])


def _newly_assigned(event: RecordEvent) -> bool:
    change = event.changes.get("assignee")
    return change is not None and change[1] is not None and change[0] != change[1] and not event.record["deleted"]


def _buurt_names(codes: Iterable[str | None]) -> dict[str, str]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return dict(db.session.execute(select(Buurt.code, Buurt.name).where(Buurt.code.in_(wanted))).all())


def _message_id(*parts: object) -> str:
    return "<" + ".".join(str(p) for p in parts) + "@" + messages.mail_domain() + ">"


def _add(kind: str, to: str, mail: messages.Mail, message_id: str, entity: str | None = None,
         record_id: str | None = None, unsubscribe: str | None = None) -> Notification:
    row = Notification(kind=kind, message_id=message_id, to_address=to, subject=" ".join(mail.subject.split()),
                       body_text=mail.text, body_html=mail.html, unsubscribe_url=unsubscribe, entity=entity,
                       record_id=uuid.UUID(record_id) if record_id else None, status="pending", attempts=0,
                       next_attempt_at=utcnow(), created_at=utcnow())
    db.session.add(row)
    return row


def _queue_resident(event: RecordEvent, buurt_name: str | None) -> None:
    record = event.record
    contacts = db.session.scalars(select(ResidentContact).where(
        ResidentContact.entity == event.entity, ResidentContact.record_id == uuid.UUID(record["id"]),
        ResidentContact.updates.is_(True), ResidentContact.unsubscribed_at.is_(None),
        ResidentContact.email.is_not(None)).order_by(ResidentContact.id)).all()
    seen: set[str] = set()
    for contact in contacts:
        address = contact.email.strip().lower()
        if address in seen:
            continue
        seen.add(address)
        link = unsubscribe_url(event.entity, record["id"])
        mail = messages.resident_status(
            event.entity, record["status"], record.get("public_note"),
            to_column("created_at", record.get("occurred_at") or record["created_at"]), buurt_name, link)
        _add("resident_status", contact.email, mail,
             _message_id("status", record["id"], f"v{record['version']}", f"c{contact.id}"),
             event.entity, record["id"], link)


def _team_members(organisation_id: str, exclude: str) -> list[User]:
    return db.session.scalars(select(User).where(
        User.organisation_id == uuid.UUID(organisation_id), User.role == "team", User.active.is_(True),
        User.notify_email.is_(True), User.id != uuid.UUID(exclude)).order_by(User.email)).all()


def _queue_urgent(event: RecordEvent, buurt_name: str | None) -> None:
    record = event.record
    mail = messages.urgent_signal(record, buurt_name)
    for user in _team_members(record["organisation"], event.actor.user_id):
        _add("urgent_signal", user.email, mail,
             _message_id("urgent", record["id"], f"v{record['version']}", f"u{user.id}"), "signal", record["id"])


def _queue_assigned(event: RecordEvent, buurt_name: str | None) -> None:
    record = event.record
    if record["assignee"] == event.actor.user_id:
        return  # people who take a signal themselves know it
    user = db.session.get(User, uuid.UUID(record["assignee"]))
    if user is None or not user.active or not user.notify_email:
        return
    _add("assigned", user.email, messages.assigned(record, buurt_name),
         _message_id("assigned", record["id"], f"v{record['version']}", f"u{user.id}"), "signal", record["id"])


# -- the unsubscribe link -------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(entity: str, record_id: str) -> str:
    """Return the link that stops further e-mail about one record (signed, no sign-in needed)."""
    return f"{messages.base_url()}/afmelden/{_serializer().dumps([entity, record_id])}"


def unsubscribe(token: str) -> str | None:
    """Stop e-mail about the record a token names; return its entity, or None for a bad token.

    Every contact of the record stops getting updates and messages still waiting are cancelled.
    Safe to repeat.
    """
    try:
        entity, record_id = _serializer().loads(token)
        record_uuid = uuid.UUID(record_id)
    except (BadSignature, ValueError, TypeError):
        return None
    now = utcnow()
    for contact in db.session.scalars(select(ResidentContact).where(
            ResidentContact.entity == entity, ResidentContact.record_id == record_uuid)):
        contact.updates = False
        contact.unsubscribed_at = contact.unsubscribed_at or now
    for message in db.session.scalars(select(Notification).where(
            Notification.kind == "resident_status", Notification.record_id == record_uuid,
            Notification.status == "pending")):
        message.status = "cancelled"
        message.last_error = "Afgemeld door de bewoner."
    return entity
