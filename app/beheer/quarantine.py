"""Rejected mutations for the beheer page: the reason in Dutch, the payload without contact values."""

from __future__ import annotations

import json

from sqlalchemy import select

from app.beheer.audit import record_admin_action
from app.extensions import db
from app.models import QuarantinedMutation, User, utcnow
from offline_sync import vocabulary

REMOVED = "[verwijderd]"
ENTITY_LABELS = vocabulary.ENTITY


def without_contact(value):
    """Return a copy with every resident contact value replaced (also in rows kept before that rule)."""
    if isinstance(value, dict):
        return {k: (REMOVED if k == "resident_contact" and v is not None else without_contact(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [without_contact(v) for v in value]
    return value


def reasons(errors) -> list[str]:
    """Return the rejection reasons as sentences: 'veld: melding'."""
    if isinstance(errors, dict):
        out = []
        for field, messages in errors.items():
            for message in messages if isinstance(messages, list) else [messages]:
                text = message if isinstance(message, str) else json.dumps(message, ensure_ascii=False)
                out.append(text if field in ("_schema", "_mutation") else f"{field}: {text}")
        return out
    return [str(errors)]


def quarantine_items(resolved: bool, limit: int = 200) -> list[dict]:
    """Return open (or handled) rejected mutations, newest first, ready for display."""
    condition = QuarantinedMutation.resolved_at.is_not(None) if resolved else QuarantinedMutation.resolved_at.is_(None)
    rows = db.session.execute(
        select(QuarantinedMutation, User.name).outerjoin(User, User.id == QuarantinedMutation.user_id)
        .where(condition).order_by(QuarantinedMutation.created_at.desc(), QuarantinedMutation.id.desc()).limit(limit)
    ).all()
    items = []
    for row, name in rows:
        payload = without_contact(row.payload or {})
        entity = payload.get("entity") if isinstance(payload, dict) else None
        items.append({
            "id": row.id, "created_at": row.created_at, "resolved_at": row.resolved_at, "user_name": name,
            "entity": ENTITY_LABELS.get(entity, entity or "onbekend"),
            "record_id": payload.get("id") if isinstance(payload, dict) else None,
            "reasons": reasons(row.errors),
            "payload": json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=True),
        })
    return items


def resolve_quarantined(actor: User, item_id: int) -> QuarantinedMutation | None:
    """Mark a rejected mutation handled (audited); None when it does not exist."""
    item = db.session.get(QuarantinedMutation, item_id)
    if item is None:
        return None
    if item.resolved_at is None:
        item.resolved_at = utcnow()
        record_admin_action(actor, "quarantine.resolve", ("quarantine", str(item.id), f"mutatie {item.mutation_id}"),
                            {"resolved": False}, {"resolved": True})
    return item
