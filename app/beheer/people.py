"""People: create, change, deactivate, reset passwords and revoke devices, with the admin rules.

Every function adds its audit entry to the session; the caller commits once, so a change and its
audit entry (and the revoked tokens and sessions) land in one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from app.accounts.auth import generate_password, hash_password, revoke_sessions
from app.beheer.audit import record_admin_action
from app.errors import ApiError
from app.extensions import db
from app.models import Buurt, DeviceToken, Organisation, User, WebSession, utcnow
from offline_sync import vocabulary

MIN_PASSWORD_LENGTH = 12
ROLE_LABELS = vocabulary.ROLE


@dataclass
class PeopleFilter:
    """What the people list is narrowed to."""

    q: str = ""
    role: str | None = None
    organisation_id: uuid.UUID | None = None
    active: bool | None = None


def list_people(flt: PeopleFilter | None = None) -> list[User]:
    """Return people sorted by name, optionally searched (name, e-mail) and filtered."""
    flt = flt or PeopleFilter()
    query = select(User).order_by(func.lower(User.name), User.email)
    if flt.q:
        pattern = f"%{flt.q.strip().lower()}%"
        query = query.where(or_(func.lower(User.name).like(pattern), func.lower(User.email).like(pattern)))
    if flt.role:
        query = query.where(User.role == flt.role)
    if flt.organisation_id:
        query = query.where(User.organisation_id == flt.organisation_id)
    if flt.active is not None:
        query = query.where(User.active.is_(flt.active))
    return list(db.session.scalars(query))


def last_seen(users: list[User]) -> dict[uuid.UUID, object]:
    """Return each user's latest sign-in, device use or browser request (one query per kind)."""
    ids = [u.id for u in users]
    used = [dict(db.session.execute(
        select(model.user_id, func.max(column)).where(model.user_id.in_(ids)).group_by(model.user_id)
    ).all()) if ids else {} for model, column in ((DeviceToken, DeviceToken.last_used_at),
                                                  (WebSession, WebSession.last_seen_at))]
    result = {}
    for user in users:
        times = [t for t in (user.last_seen_at, used[0].get(user.id), used[1].get(user.id)) if t is not None]
        result[user.id] = max(times) if times else None
    return result


def _organisation(org_id: uuid.UUID | None) -> Organisation | None:
    if org_id is None:
        return None
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise ApiError(400, "De invoer is ongeldig.", {"organisation": ["Onbekende organisatie."]})
    return org


def _check_buurten(codes: list[str]) -> list[str]:
    codes = sorted(set(codes))
    known = set(db.session.scalars(select(Buurt.code).where(Buurt.code.in_(codes)))) if codes else set()
    if unknown := [c for c in codes if c not in known]:
        raise ApiError(400, "De invoer is ongeldig.", {"buurten": ["Onbekende buurtcode(s): " + ", ".join(unknown)]})
    return codes


def _snapshot(user: User) -> dict:
    """The fields an admin can change, as the audit log keeps them."""
    return {"name": user.name, "email": user.email, "role": user.role,
            "organisation": user.organisation.name if user.organisation else None,
            "buurten": user.buurten, "active": user.active}


def create_person(actor: User, email: str, name: str, role: str, organisation_id: uuid.UUID | None = None,
                  buurten: list[str] | None = None, password: str | None = None) -> tuple[User, str | None]:
    """Add a person; without a password one is generated, returned once, and must be changed."""
    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise ApiError(409, f"Er bestaat al een persoon met e-mailadres {email}.")
    org = _organisation(organisation_id)
    codes = _check_buurten(buurten or [])
    generated = generate_password() if password is None else None
    user = User(email=email, name=name.strip(), role=role, organisation=org,
                password_hash=hash_password(password or generated), must_change_password=generated is not None)
    user.set_buurten(codes)
    db.session.add(user)
    db.session.flush()
    record_admin_action(actor, "user.create", user, None, _snapshot(user))
    return user, generated


def _active_admins() -> int:
    return db.session.scalar(select(func.count()).select_from(User).where(User.role == "admin", User.active.is_(True)))


def _check_admin_rules(actor: User | None, user: User, role: str, active: bool) -> None:
    """Nobody removes their own admin role or access, nor the last active admin."""
    loses_admin = user.role == "admin" and user.active and (role != "admin" or not active)
    if not loses_admin:
        return
    if actor is not None and user.id == actor.id:
        raise ApiError(409, "U kunt uw eigen beheerdersrol niet weghalen en uzelf niet deactiveren; "
                            "vraag een andere beheerder.")
    if _active_admins() <= 1:
        raise ApiError(409, "Dit is de laatste actieve beheerder. Maak eerst iemand anders beheerder.")


def update_person(actor: User | None, user: User, changes: dict) -> User:
    """Change name, role, organisation, buurten or active; deactivation signs every device out."""
    before = _snapshot(user)
    role = changes.get("role", user.role)
    active = changes.get("active", user.active)
    _check_admin_rules(actor, user, role, active)
    if "name" in changes:
        user.name = changes["name"].strip()
    if "organisation" in changes:
        user.organisation = _organisation(changes["organisation"])
    if "buurten" in changes:
        user.set_buurten(_check_buurten(changes["buurten"]))
    user.set_role(role)
    if active != user.active:
        user.active = active
        if not active:
            revoke_access(user)
    after = _snapshot(user)
    if after != before:
        action = "user.update"
        if before["active"] != after["active"]:
            action = "user.reactivate" if active else "user.deactivate"
        record_admin_action(actor, action, user, {k: v for k, v in before.items() if after[k] != v},
                            {k: v for k, v in after.items() if before[k] != v})
    return user


def revoke_access(user: User) -> int:
    """Revoke every device token and web session of a user (their next request answers 401)."""
    return revoke_sessions(user.id)


def reset_password(actor: User | None, user: User) -> str:
    """Give a person a new generated password (shown once) and sign all their devices out."""
    password = generate_password()
    user.password_hash = hash_password(password)
    user.must_change_password = True
    revoked = revoke_access(user)
    record_admin_action(actor, "user.reset_password", user, None, {"devices_signed_out": revoked})
    return password


def devices(user: User) -> list[DeviceToken]:
    """Return the devices (tokens) of a person that are still valid, most recently used first."""
    now = utcnow()
    tokens = db.session.scalars(
        select(DeviceToken).where(DeviceToken.user_id == user.id, DeviceToken.revoked_at.is_(None))
    ).all()
    live = [t for t in tokens if t.expires_at > now]
    return sorted(live, key=lambda t: t.last_used_at or t.created_at, reverse=True)


def revoke_device(actor: User, user: User, token_id: uuid.UUID) -> DeviceToken:
    """Sign one device of a person out."""
    token = db.session.get(DeviceToken, token_id)
    if token is None or token.user_id != user.id:
        raise ApiError(404, "Dit apparaat bestaat niet.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record_admin_action(actor, "user.revoke_device", user, {"device": token.name}, {"device": None})
    return token


def change_own_password(user: User, current: str, new: str) -> None:
    """Let a signed-in person choose a new password; clears `must_change_password`."""
    from werkzeug.security import check_password_hash  # noqa: PLC0415

    if not check_password_hash(user.password_hash, current):
        raise ApiError(400, "De invoer is ongeldig.", {"current_password": ["Het huidige wachtwoord klopt niet."]})
    if len(new) < MIN_PASSWORD_LENGTH:
        raise ApiError(400, "De invoer is ongeldig.",
                       {"new_password": [f"Kies een wachtwoord van minstens {MIN_PASSWORD_LENGTH} tekens."]})
    if new == current:
        raise ApiError(400, "De invoer is ongeldig.", {"new_password": ["Kies een ander wachtwoord dan het huidige."]})
    user.password_hash = hash_password(new)
    user.must_change_password = False
