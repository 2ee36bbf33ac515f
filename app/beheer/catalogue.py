"""Organisations and themes: add, rename, and retire themes (kept on old records, no longer offered)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.beheer.audit import record_admin_action
from app.errors import ApiError
from app.extensions import db
from app.models import Organisation, Theme

#: A theme code: lower-case letters, digits and _, starting with a letter.
THEME_CODE = r"[a-z][a-z0-9_]{0,63}"


def organisations() -> list[Organisation]:
    """Return every organisation, by name."""
    return list(db.session.scalars(select(Organisation).order_by(func.lower(Organisation.name))))


def _name_taken(name: str, other_than: Organisation | None = None) -> bool:
    query = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    if other_than is not None:
        query = query.where(Organisation.id != other_than.id)
    return db.session.scalar(query) is not None


def create_organisation(actor, name: str, kind: str) -> Organisation:
    """Add an organisation; names are unique regardless of case."""
    name = name.strip()
    if _name_taken(name):
        raise ApiError(409, f"Er bestaat al een organisatie met de naam {name}.")
    org = Organisation(name=name, kind=kind)
    db.session.add(org)
    db.session.flush()
    record_admin_action(actor, "organisation.create", org, None, {"name": name, "kind": kind})
    return org


def update_organisation(actor, org: Organisation, changes: dict) -> Organisation:
    """Rename an organisation or change its kind."""
    before = {"name": org.name, "kind": org.kind}
    if "name" in changes:
        name = changes["name"].strip()
        if _name_taken(name, other_than=org):
            raise ApiError(409, f"Er bestaat al een organisatie met de naam {name}.")
        org.name = name
    org.kind = changes.get("kind", org.kind)
    after = {"name": org.name, "kind": org.kind}
    if after != before:
        record_admin_action(actor, "organisation.update", org, before, after)
    return org


def themes(include_retired: bool = True) -> list[Theme]:
    """Return themes in display order; retired ones last."""
    query = select(Theme).order_by(Theme.active.desc(), Theme.sort_order, Theme.label)
    if not include_retired:
        query = query.where(Theme.active.is_(True))
    return list(db.session.scalars(query))


def theme(code: str) -> Theme:
    """Return a theme or raise 404."""
    found = db.session.get(Theme, code)
    if found is None:
        raise ApiError(404, "Dit thema bestaat niet.")
    return found


def create_theme(actor, code: str, label: str, domain: str) -> Theme:
    """Add a theme at the end of the list."""
    if db.session.get(Theme, code) is not None:
        raise ApiError(409, f"Er bestaat al een thema met code {code}.")
    last = db.session.scalar(select(func.max(Theme.sort_order))) or 0
    new = Theme(code=code, label=label.strip(), domain=domain, active=True, sort_order=last + 1)
    db.session.add(new)
    record_admin_action(actor, "theme.create", new, None, {"label": new.label, "domain": domain})
    return new


def update_theme(actor, item: Theme, changes: dict) -> Theme:
    """Change a theme's label or domain, or retire / restore it."""
    before = {"label": item.label, "domain": item.domain, "active": item.active}
    if "label" in changes:
        item.label = changes["label"].strip()
    item.domain = changes.get("domain", item.domain)
    item.active = changes.get("active", item.active)
    after = {"label": item.label, "domain": item.domain, "active": item.active}
    if after != before:
        record_admin_action(actor, "theme.update", item, {k: v for k, v in before.items() if after[k] != v},
                            {k: v for k, v in after.items() if before[k] != v})
    return item


def retired_theme_codes() -> frozenset[str]:
    """Return the codes of retired themes (new records may not use them)."""
    return frozenset(db.session.scalars(select(Theme.code).where(Theme.active.is_(False))))
