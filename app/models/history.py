"""What happened to records: change history, conflicts, and the sync bookkeeping."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import BigIntPK, JSONType, UTCDateTime, utcnow


class RecordChange(db.Model):
    """One accepted change to a record: who, when, and each field's old and new value."""

    __tablename__ = "record_changes"
    __table_args__ = (Index("ix_record_changes_record", "entity", "record_id", "version"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer)
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: {"field": [old, new], ...}; a create has old = null.
    changes: Mapped[dict] = mapped_column(JSONType)
    source: Mapped[str] = mapped_column(String(16), default="sync")
    client_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    mutation_id: Mapped[int | None] = mapped_column(BigInteger)


class RecordConflict(db.Model):
    """A field value that a later edit overwrote while its author had not seen it."""

    __tablename__ = "record_conflicts"
    __table_args__ = (Index("ix_record_conflicts_record", "entity", "record_id"),)

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    entity: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(64))
    server_value: Mapped[object] = mapped_column(JSONType, nullable=True)
    client_value: Mapped[object] = mapped_column(JSONType, nullable=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    client_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    mutation_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class SyncClient(db.Model):
    """One installation of the app that pushes mutations."""

    __tablename__ = "sync_clients"

    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    last_mutation_id: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SyncMutation(db.Model):
    """The outcome of one processed mutation, replayed verbatim for a duplicate."""

    __tablename__ = "sync_mutations"

    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    mutation_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    entity: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(16))
    result: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class QuarantinedMutation(db.Model):
    """A rejected mutation kept with its full payload so nothing a field worker typed is lost."""

    __tablename__ = "sync_quarantine"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    client_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    mutation_id: Mapped[int] = mapped_column(BigInteger)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    payload: Mapped[dict] = mapped_column(JSONType)
    errors: Mapped[dict] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SyncSequence(db.Model):
    """A single-row counter for the change feed.

    Writers take the next value with an UPDATE that row-locks it until they commit, so sequence
    numbers become visible in the order they were handed out and a paging reader skips nothing.
    """

    __tablename__ = "sync_sequence"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
