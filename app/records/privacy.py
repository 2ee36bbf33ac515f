"""Resident contact details: stored apart, with consent, purged after the retention period."""

from __future__ import annotations

import uuid
from datetime import timedelta

from flask import current_app
from sqlalchemy import Text, cast, delete, func, select

from app.extensions import db
from app.models import Notification, QuarantinedMutation, ResidentContact, utcnow
from offline_sync.engine import quarantine_payload
from offline_sync.values import REDACTED


def store_contact(entity: str, record_id: uuid.UUID, contact: dict, user_id: uuid.UUID | None) -> ResidentContact:
    """Keep a resident's contact details (the caller has checked consent)."""
    days = current_app.config["CONTACT_RETENTION_DAYS"]
    now = utcnow()
    row = ResidentContact(
        entity=entity,
        record_id=record_id,
        name=contact.get("name"),
        phone=contact.get("phone"),
        email=contact.get("email"),
        updates=bool(contact.get("updates")) and bool(contact.get("email")),
        consent_at=now,
        created_by_id=user_id,
        created_at=now,
        purge_after=now + timedelta(days=days),
    )
    db.session.add(row)
    return row


def purge_expired_contacts(dry_run: bool = False) -> int:
    """Delete contact details whose retention period has passed; return how many.

    E-mails to residents (their address is in the outbox) go after the same period.
    """
    expired = ResidentContact.purge_after <= utcnow()
    if dry_run:
        return db.session.scalar(select(func.count()).select_from(ResidentContact).where(expired))
    cutoff = utcnow() - timedelta(days=current_app.config["CONTACT_RETENTION_DAYS"])
    db.session.execute(delete(Notification).where(Notification.kind == "resident_status",
                                                  Notification.created_at <= cutoff))
    return db.session.execute(delete(ResidentContact).where(expired)).rowcount


def scrub_quarantine(dry_run: bool = False) -> int:
    """Remove resident contact details from quarantined payloads (kept there before v1.1); return how many.

    New rejections never keep them (offline_sync.engine.quarantine_payload); this cleans what an older
    version stored, so `retention purge` leaves no contact details behind anywhere.
    """
    candidates = db.session.scalars(select(QuarantinedMutation).where(
        cast(QuarantinedMutation.payload, Text).contains("resident_contact"))).all()
    dirty = [q for q in candidates if isinstance(q.payload, dict) and isinstance(q.payload.get("fields"), dict)
             and q.payload["fields"].get("resident_contact", REDACTED) != REDACTED]
    if not dry_run:
        for item in dirty:
            item.payload = quarantine_payload(item.payload)
    return len(dirty)
