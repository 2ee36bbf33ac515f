"""The outbox of e-mail: written in the same transaction as the change that causes a message."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import BigIntPK, UTCDateTime, utcnow
from offline_sync.vocabulary import NOTIFICATION_KIND

#: pending -> sending (claimed by a worker) -> sent | pending (retry later) | failed (gave up);
#: cancelled when the resident unsubscribed before it left.
NOTIFICATION_STATUSES = ("pending", "sending", "sent", "failed", "cancelled")
NOTIFICATION_KINDS = tuple(NOTIFICATION_KIND)


class Notification(db.Model):
    """One e-mail to send, rendered when it was queued; `message_id` stays the same on every attempt."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    #: For the List-Unsubscribe header of a resident's e-mail.
    unsubscribe_url: Mapped[str | None] = mapped_column(String(1000))
    entity: Mapped[str | None] = mapped_column(String(16))
    record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Until when the worker that claimed it owns it; after that another worker may take it over.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
