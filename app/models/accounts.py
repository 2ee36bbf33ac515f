"""Organisations, users, their buurten and device tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, String, Uuid, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.types import UTCDateTime, new_uuid, utcnow


class Organisation(db.Model):
    """A partner organisation: gemeente, woningcorporatie, welzijn or other."""

    __tablename__ = "organisations"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32), default="other")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(UserMixin, db.Model):
    """A person who signs in, with one role and optionally an organisation and buurten."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    password_hash: Mapped[str] = mapped_column(String(256))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Set for a generated password: the person chooses their own at the next sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    #: The last sign-in (device tokens keep their own `last_used_at`).
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Colleague e-mails (urgent signal, assigned to me, overdue digest); each user can switch them off.
    notify_email: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Bumped when role or buurten change, so sync cursors of the old scope are reset.
    scope_version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")
    buurt_codes: Mapped[list[BuurtAssignment]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def is_active(self) -> bool:  # flask-login
        return self.active

    @property
    def buurten(self) -> list[str]:
        """Return the codes of the buurten this user is assigned to, sorted."""
        return sorted(a.buurt_code for a in self.buurt_codes)

    def set_role(self, role: str) -> None:
        """Change the role; the sync scope changes with it."""
        if role != self.role:
            self.role = role
            self.scope_version = (self.scope_version or 1) + 1

    def set_buurten(self, codes: list[str]) -> None:
        """Replace the assigned buurten and widen or narrow the sync scope accordingly."""
        if sorted(set(codes)) != self.buurten:
            self.buurt_codes = [BuurtAssignment(buurt_code=c) for c in sorted(set(codes))]
            self.scope_version = (self.scope_version or 1) + 1


class BuurtAssignment(db.Model):
    """A buurt a user works in."""

    __tablename__ = "user_buurten"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    buurt_code: Mapped[str] = mapped_column(String(16), primary_key=True)


class DeviceToken(db.Model):
    """A bearer token for one device; only its SHA-256 is stored."""

    __tablename__ = "device_tokens"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")


class WebSession(db.Model):
    """A signed-in browser: the cookie carries a random id whose SHA-256 is stored here.

    Signing out (or an admin deactivating the user or resetting the password) sets `revoked_at`,
    after which a saved copy of the cookie no longer authenticates.
    """

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
