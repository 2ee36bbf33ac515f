"""The records field workers create and partners follow up: the synced entities."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, Uuid, false, true
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from app.extensions import db
from app.models.types import JSONType, UTCDateTime, utcnow


def received_at(context) -> datetime:
    """Default of `occurred_at` for rows written without it (demo data, bulk loads): their created_at."""
    return context.get_current_parameters().get("created_at") or utcnow()


class Public:
    """What staff tell the resident and the buurt about a signal or idea, and when its status changed."""

    #: Written by staff for the resident (status e-mail) and, when `public`, the buurt page.
    public_note: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The name of who made the last status change, as it was then (shown to the field worker).
    status_changed_by_name: Mapped[str | None] = mapped_column(String(200))


class SyncedRecord:
    """Columns every synced record has (see the common fields of docs/API.md).

    `change_seq` orders the change feed for pull; it is allocated in commit order by the sync engine.
    """

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    has_conflict: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    change_seq: Mapped[int] = mapped_column(BigInteger, index=True, default=0)
    buurt_code: Mapped[str | None] = mapped_column(String(16), index=True)

    @declared_attr
    def created_by_id(cls) -> Mapped[uuid.UUID | None]:
        return mapped_column(ForeignKey("users.id"), index=True)


class Located:
    """A point location with its GPS accuracy."""

    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=True)
    accuracy_m: Mapped[float | None] = mapped_column(Float)


class Conversation(SyncedRecord, Located, db.Model):
    """A street conversation ("op een muurtje") with one or more residents."""

    __tablename__ = "conversations"
    entity_name = "conversation"

    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    setting: Mapped[str] = mapped_column(String(16))
    residents_count: Mapped[int] = mapped_column(Integer, default=1)
    themes: Mapped[list] = mapped_column(JSONType, default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    follow_up_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The bijeenkomst it was held at, if any.
    gathering_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)


class Signal(SyncedRecord, Located, Public, db.Model):
    """A problem noticed or raised, followed up by a partner organisation."""

    __tablename__ = "signals"
    entity_name = "signal"

    #: When it was seen or said (as typed on the phone); periods count by this, not created_at.
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, default=received_at)
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[str | None] = mapped_column(String(64), index=True)
    domain: Mapped[str] = mapped_column(String(16), default="both")
    urgency: Mapped[str] = mapped_column(String(8), default="normal")
    status: Mapped[str] = mapped_column(String(16), default="new", index=True)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    due_date: Mapped[date | None] = mapped_column(Date)
    photos: Mapped[list] = mapped_column(JSONType, default=list)
    #: When the signal last reached `done` (cleared on re-open); for lead-time figures.
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Idea(SyncedRecord, Located, Public, db.Model):
    """A residents' initiative for their buurt, on its way to the joint buurt budget."""

    __tablename__ = "ideas"
    entity_name = "idea"

    #: When it was said (as typed on the phone); periods count by this, not created_at.
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True, default=received_at)
    conversation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[str | None] = mapped_column(String(64), index=True)
    initiators_count: Mapped[int] = mapped_column(Integer, default=1)
    support: Mapped[list] = mapped_column(JSONType, default=list)
    budget_requested_cents: Mapped[int | None] = mapped_column(BigInteger)
    budget_granted_cents: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(32), default="idea", index=True)
    photos: Mapped[list] = mapped_column(JSONType, default=list)
    #: The budget an application is reviewed in and granted from (app.models.programme.Budget).
    budget_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    budget_spent_cents: Mapped[int | None] = mapped_column(BigInteger)
    #: Requirements the residents' application meets: `collective`, `physical_social`.
    requirements: Mapped[list] = mapped_column(JSONType, default=list)


class Gathering(SyncedRecord, Located, db.Model):
    """A bijeenkomst of the programme (stamppot evening, BBQ, buurtfeest, inloop) where residents meet."""

    __tablename__ = "gatherings"
    entity_name = "gathering"

    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(200), default="")
    attendance_count: Mapped[int] = mapped_column(Integer, default=0)
    #: Ids of the partner organisations that took part.
    organisations: Mapped[list] = mapped_column(JSONType, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    #: The granted initiative this bijeenkomst realises (a buurtfeest paid from the budget).
    idea_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    #: When the coordinator closed it on the phone ("Bijeenkomst afronden"); null while open.
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Followup(SyncedRecord, db.Model):
    """An append-only note or status change on a signal or idea.

    `buurt_code` is copied from the parent so that pull scope needs no join.
    """

    __tablename__ = "followups"
    entity_name = "followup"

    parent_entity: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    status_from: Mapped[str | None] = mapped_column(String(32))
    status_to: Mapped[str | None] = mapped_column(String(32))


class ResidentContact(db.Model):
    """Contact details a resident consented to share, kept apart from the record."""

    __tablename__ = "resident_contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(320))
    #: The resident wants status e-mails; cleared by the unsubscribe link (`unsubscribed_at`).
    updates: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    purge_after: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ContactAccess(db.Model):
    """An audit entry: who read (or tried to read) which resident contact, when."""

    __tablename__ = "contact_access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    accessed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: False for a refused attempt (the caller got 403 or 404).
    granted: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Attachment(db.Model):
    """A photo, addressed by the SHA-256 of its bytes, stored without EXIF location or device data."""

    __tablename__ = "attachments"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(db.LargeBinary)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AttachmentUpload(db.Model):
    """Who uploaded a photo's bytes: possession of the bytes, unlike knowledge of the hash, opens it."""

    __tablename__ = "attachment_uploads"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RecordPhoto(db.Model):
    """A record naming a photo, written by the sync engine whenever a `photos` list changes.

    `vouched`: the user who named it had uploaded the bytes or could already see the photo then.
    """

    __tablename__ = "record_photos"
    __table_args__ = (Index("ix_record_photos_sha256", "sha256"),)

    entity: Mapped[str] = mapped_column(String(16), primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    linked_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    vouched: Mapped[bool] = mapped_column(Boolean, default=False)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


ENTITIES: dict[str, type[SyncedRecord]] = {
    "conversation": Conversation,
    "signal": Signal,
    "idea": Idea,
    "gathering": Gathering,
    "followup": Followup,
}
