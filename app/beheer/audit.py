"""The admin audit log: `record_admin_action` is called by every admin change, in its transaction."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from app.extensions import db
from app.models import AdminAction, ContactAccess, Organisation, Theme, User

#: Dutch descriptions of the actions, for the log page.
ACTION_LABELS = {
    "user.create": "Persoon aangemaakt",
    "user.update": "Persoon gewijzigd",
    "user.deactivate": "Persoon gedeactiveerd",
    "user.reactivate": "Persoon weer actief gemaakt",
    "user.reset_password": "Wachtwoord opnieuw ingesteld",
    "user.revoke_device": "Apparaat afgemeld",
    "organisation.create": "Organisatie toegevoegd",
    "organisation.update": "Organisatie gewijzigd",
    "theme.create": "Thema toegevoegd",
    "theme.update": "Thema gewijzigd",
    "quarantine.resolve": "Afgewezen mutatie afgehandeld",
    "retention.purge": "Verlopen contactgegevens verwijderd",
    "buurten.import": "Buurten geïmporteerd",
    "sync.handover": "Uitbox van een ander verzonden",
}


def _plain(value: Any) -> Any:
    """Return a JSON-storable copy (UUIDs and times as text)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _target(target: Any) -> tuple[str, str, str]:
    """Return (type, id, label) of what an action was done to: a model or a plain name."""
    if isinstance(target, User):
        return "user", str(target.id), target.email
    if isinstance(target, Organisation):
        return "organisation", str(target.id), target.name
    if isinstance(target, Theme):
        return "theme", target.code, target.label
    if isinstance(target, tuple):
        kind, ident, *label = target
        return str(kind), str(ident), str(label[0]) if label else ""
    return str(target), "", ""


def record_admin_action(
    actor: User | None, action: str, target: Any, before: dict | None = None, after: dict | None = None
) -> AdminAction:
    """Add an audit entry to the session; it commits (or rolls back) with the change it describes.

    `target` is a User, Organisation or Theme, a tuple (type, id[, label]), or a plain name such as
    "buurten". `before` and `after` hold the values that changed.
    """
    kind, ident, label = _target(target)
    entry = AdminAction(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=kind,
        target_id=ident,
        target_label=label[:320],
        before=_plain(before) if before is not None else None,
        after=_plain(after) if after is not None else None,
    )
    db.session.add(entry)
    return entry


def admin_actions(limit: int = 200, offset: int = 0) -> list[AdminAction]:
    """Return admin actions, newest first."""
    return list(db.session.scalars(
        select(AdminAction).order_by(AdminAction.created_at.desc(), AdminAction.id.desc()).offset(offset).limit(limit)
    ))


def action_item(row: AdminAction) -> dict:
    """Return an admin action as the API lists it."""
    actor = row.actor
    return {
        "id": row.id,
        "at": row.created_at.isoformat(),
        "actor": {"id": str(actor.id), "name": actor.name, "email": actor.email} if actor else None,
        "action": row.action,
        "action_label": ACTION_LABELS.get(row.action, row.action),
        "target": {"type": row.target_type, "id": row.target_id, "label": row.target_label},
        "before": row.before,
        "after": row.after,
    }


def contact_access_items(limit: int = 200, offset: int = 0) -> list[dict]:
    """Return who read (or tried to read) which resident's contact details, newest first."""
    rows = db.session.execute(
        select(ContactAccess, User.name, User.email).outerjoin(User, User.id == ContactAccess.user_id)
        .order_by(ContactAccess.accessed_at.desc(), ContactAccess.id.desc()).offset(offset).limit(limit)
    ).all()
    return [{"id": access.id, "at": access.accessed_at.isoformat(),
             "user": {"id": str(access.user_id), "name": name, "email": email},
             "entity": access.entity, "record_id": str(access.record_id), "refused": not access.granted}
            for access, name, email in rows]
