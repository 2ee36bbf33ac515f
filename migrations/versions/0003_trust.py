"""trust: occurred_at on signals and ideas, server-side web sessions, photo links, audited refusals

- `signals.occurred_at`, `ideas.occurred_at` (when it was seen or said); existing rows get their
  `created_at`. Periods, reports and exports count by it.
- `web_sessions`: a signed-in browser, so that logout (or deactivating a user) ends a saved cookie.
- `attachment_uploads` (who uploaded a photo's bytes) and `record_photos` (which record names which
  photo), replacing the text search through `photos` lists that let a known hash open any photo.
- `contact_access_log.granted`: refused attempts to read a resident's contact are logged too.
- The quarantine no longer keeps resident contact details: existing payloads are redacted.

Revision ID: 0003_trust
Revises: 0002_signal_grid_counts
Create Date: 2026-11-28 07:00:00

"""
import json

import sqlalchemy as sa
from alembic import op

revision = "0003_trust"
down_revision = "0002_signal_grid_counts"
branch_labels = None
depends_on = None

REDACTED = "[verwijderd]"
#: SQLite can only add a NOT NULL column with a constant default; every row is then backfilled.
_SQLITE_PLACEHOLDER = "1970-01-01 00:00:00.000000"


def _add_occurred_at(table: str, sqlite: bool) -> None:
    if sqlite:
        op.add_column(table, sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False,
                                       server_default=_SQLITE_PLACEHOLDER))
        op.execute(f"UPDATE {table} SET occurred_at = created_at")
    else:
        op.add_column(table, sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True))
        op.execute(f"UPDATE {table} SET occurred_at = created_at WHERE occurred_at IS NULL")
        op.alter_column(table, "occurred_at", nullable=False)
    op.create_index(f"ix_{table}_occurred_at", table, ["occurred_at"], unique=False)


def _backfill_photo_links(bind) -> None:
    """Link every photo a record names; the link's author is the record's creator (not vouched)."""
    for entity, name in (("signal", "signals"), ("idea", "ideas")):
        records = sa.table(name, sa.column("id", sa.Uuid()), sa.column("created_by_id", sa.Uuid()),
                           sa.column("photos", sa.JSON()), sa.column("created_at", sa.DateTime(timezone=True)))
        rows = []
        for record_id, created_by, photos, created_at in bind.execute(sa.select(records)):
            if isinstance(photos, str):
                photos = json.loads(photos)
            for sha in sorted(set(photos or [])):
                rows.append({"entity": entity, "record_id": record_id, "sha256": sha, "linked_by_id": created_by,
                             "vouched": False, "linked_at": created_at})
        if rows:
            op.bulk_insert(_RECORD_PHOTOS, rows)


def _redact_quarantine(bind) -> None:
    quarantine = sa.table("sync_quarantine", sa.column("id", sa.BigInteger()), sa.column("payload", sa.JSON()))
    for item_id, payload in bind.execute(sa.select(quarantine)):
        if isinstance(payload, str):
            payload = json.loads(payload)
        fields = payload.get("fields") if isinstance(payload, dict) else None
        if isinstance(fields, dict) and "resident_contact" in fields and fields["resident_contact"] != REDACTED:
            fields["resident_contact"] = REDACTED
            bind.execute(quarantine.update().where(quarantine.c.id == item_id).values(payload=payload))


_RECORD_PHOTOS = sa.table(
    "record_photos", sa.column("entity", sa.String()), sa.column("record_id", sa.Uuid()),
    sa.column("sha256", sa.String()), sa.column("linked_by_id", sa.Uuid()), sa.column("vouched", sa.Boolean()),
    sa.column("linked_at", sa.DateTime(timezone=True)),
)


def upgrade():
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    _add_occurred_at("signals", sqlite)
    _add_occurred_at("ideas", sqlite)

    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_web_sessions_user_id", "web_sessions", ["user_id"], unique=False)

    op.create_table(
        "attachment_uploads",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("sha256", "user_id"),
    )
    op.execute("INSERT INTO attachment_uploads (sha256, user_id, uploaded_at) "
               "SELECT sha256, created_by_id, created_at FROM attachments WHERE created_by_id IS NOT NULL")

    op.create_table(
        "record_photos",
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("linked_by_id", sa.Uuid(), nullable=True),
        sa.Column("vouched", sa.Boolean(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["linked_by_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("entity", "record_id", "sha256"),
    )
    op.create_index("ix_record_photos_sha256", "record_photos", ["sha256"], unique=False)
    _backfill_photo_links(bind)

    op.add_column("contact_access_log", sa.Column("granted", sa.Boolean(), nullable=False,
                                                  server_default=sa.true()))
    _redact_quarantine(bind)


def downgrade():
    with op.batch_alter_table("contact_access_log") as batch_op:
        batch_op.drop_column("granted")
    op.drop_index("ix_record_photos_sha256", table_name="record_photos")
    op.drop_table("record_photos")
    op.drop_table("attachment_uploads")
    op.drop_index("ix_web_sessions_user_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    for table in ("ideas", "signals"):
        op.drop_index(f"ix_{table}_occurred_at", table_name=table)
        # SQLite >= 3.35 drops a plain column in place (no table copy that would lose the triggers).
        op.execute(f"ALTER TABLE {table} DROP COLUMN occurred_at")
