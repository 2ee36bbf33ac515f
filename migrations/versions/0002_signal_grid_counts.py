"""signal_grid_counts: live signals per fine map cell, kept exact by triggers on signals

Low-zoom map views (app/map/clustering.py) sum these rows instead of scanning every signal. The cells are
the map grid at zoom 10 (1/16 degree): cell index = floor(coordinate * 16), exact for a power of two.
Triggers keep the table right whatever writes signals (sync engine, demo seed, bulk loads).

Revision ID: 0002_signal_grid_counts
Revises: fd74c989d0ae
Create Date: 2026-11-28 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "0002_signal_grid_counts"
down_revision = "fd74c989d0ae"
branch_labels = None
depends_on = None

SCALE = 16  # app.models.aggregates.GRID_SCALE when this migration was written

BACKFILL = f"""
INSERT INTO signal_grid_counts (gx, gy, status, organisation_id, count, sum_lon, sum_lat)
SELECT gx, gy, status, organisation_id, count(*), sum(x), sum(y)
FROM (SELECT CAST(floor(ST_X(location) * {SCALE}) AS INTEGER) AS gx,
             CAST(floor(ST_Y(location) * {SCALE}) AS INTEGER) AS gy,
             status, organisation_id, ST_X(location) AS x, ST_Y(location) AS y
      FROM signals WHERE NOT deleted AND location IS NOT NULL) AS points
GROUP BY gx, gy, status, organisation_id
"""

# On PostgreSQL the triggers are per statement, over transition tables: a statement that touches many
# signals (a bulk load, a batch update) adds one grouped upsert per cell. Row triggers would update the
# same counter row once per signal, and inside one transaction each such update walks the row's chain
# of earlier versions, which made a 1,000,000-row INSERT ... SELECT take more than 20 minutes.
_PG_MERGE = f"""
        INSERT INTO signal_grid_counts AS g (gx, gy, status, organisation_id, count, sum_lon, sum_lat)
        SELECT floor(ST_X(location) * {SCALE})::integer, floor(ST_Y(location) * {SCALE})::integer,
               status, organisation_id, sum(sign), sum(sign * ST_X(location)), sum(sign * ST_Y(location))
        FROM delta
        WHERE location IS NOT NULL AND NOT deleted
        GROUP BY 1, 2, 3, 4
        ON CONFLICT (gx, gy, status, organisation_id) DO UPDATE
            SET count = g.count + EXCLUDED.count,
                sum_lon = g.sum_lon + EXCLUDED.sum_lon,
                sum_lat = g.sum_lat + EXCLUDED.sum_lat;
        DELETE FROM signal_grid_counts WHERE count = 0;
"""

POSTGRES_UP = [
    f"""
    CREATE FUNCTION signal_grid_counts_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        WITH delta AS (SELECT location, status, organisation_id, deleted, 1 AS sign FROM new_rows)
        {_PG_MERGE}
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION signal_grid_counts_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        WITH delta AS (SELECT location, status, organisation_id, deleted, -1 AS sign FROM old_rows)
        {_PG_MERGE}
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE FUNCTION signal_grid_counts_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        WITH changed AS (
            SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.location IS DISTINCT FROM n.location OR o.status IS DISTINCT FROM n.status
               OR o.organisation_id IS DISTINCT FROM n.organisation_id OR o.deleted IS DISTINCT FROM n.deleted
        ), delta AS (
            SELECT o.location, o.status, o.organisation_id, o.deleted, -1 AS sign
            FROM old_rows o JOIN changed c ON c.id = o.id
            UNION ALL
            SELECT n.location, n.status, n.organisation_id, n.deleted, 1 AS sign
            FROM new_rows n JOIN changed c ON c.id = n.id
        )
        {_PG_MERGE}
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION signal_grid_counts_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM signal_grid_counts;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER signal_grid_counts_insert AFTER INSERT ON signals
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION signal_grid_counts_inserted()
    """,
    """
    CREATE TRIGGER signal_grid_counts_delete AFTER DELETE ON signals
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION signal_grid_counts_deleted()
    """,
    """
    CREATE TRIGGER signal_grid_counts_update AFTER UPDATE ON signals
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION signal_grid_counts_updated()
    """,
    # Row and transition-table triggers do not fire on TRUNCATE; an emptied signals table means an
    # empty aggregate.
    """
    CREATE TRIGGER signal_grid_counts_truncate AFTER TRUNCATE ON signals
    FOR EACH STATEMENT EXECUTE FUNCTION signal_grid_counts_truncate()
    """,
]

POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS signal_grid_counts_truncate ON signals",
    "DROP TRIGGER IF EXISTS signal_grid_counts_update ON signals",
    "DROP TRIGGER IF EXISTS signal_grid_counts_delete ON signals",
    "DROP TRIGGER IF EXISTS signal_grid_counts_insert ON signals",
    "DROP FUNCTION IF EXISTS signal_grid_counts_truncate()",
    "DROP FUNCTION IF EXISTS signal_grid_counts_updated()",
    "DROP FUNCTION IF EXISTS signal_grid_counts_deleted()",
    "DROP FUNCTION IF EXISTS signal_grid_counts_inserted()",
]


def _sqlite_add(row: str, sign: str) -> str:
    """Return SQLite statements adding (`sign` '+') or removing ('-') row OLD/NEW from its cell."""
    gx = f"CAST(floor(ST_X({row}.location) * {SCALE}) AS INTEGER)"
    gy = f"CAST(floor(ST_Y({row}.location) * {SCALE}) AS INTEGER)"
    counted = f"{row}.location IS NOT NULL AND NOT {row}.deleted"
    cell = (f"gx = {gx} AND gy = {gy} AND status = {row}.status "
            f"AND organisation_id IS {row}.organisation_id")
    statements = []
    if sign == "+":
        statements.append(
            "INSERT INTO signal_grid_counts (gx, gy, status, organisation_id, count, sum_lon, sum_lat) "
            f"SELECT {gx}, {gy}, {row}.status, {row}.organisation_id, 0, 0.0, 0.0 "
            f"WHERE {counted} AND NOT EXISTS (SELECT 1 FROM signal_grid_counts WHERE {cell});"
        )
    statements.append(
        f"UPDATE signal_grid_counts SET count = count {sign} 1, sum_lon = sum_lon {sign} ST_X({row}.location), "
        f"sum_lat = sum_lat {sign} ST_Y({row}.location) WHERE {counted} AND {cell};"
    )
    if sign == "-":
        statements.append(f"DELETE FROM signal_grid_counts WHERE {counted} AND {cell} AND count = 0;")
    return "\n".join(statements)


SQLITE_UP = [
    f"""
    CREATE TRIGGER signal_grid_counts_insert AFTER INSERT ON signals
    BEGIN
    {_sqlite_add("NEW", "+")}
    END
    """,
    f"""
    CREATE TRIGGER signal_grid_counts_delete AFTER DELETE ON signals
    BEGIN
    {_sqlite_add("OLD", "-")}
    END
    """,
    f"""
    CREATE TRIGGER signal_grid_counts_update AFTER UPDATE OF location, status, organisation_id, deleted
    ON signals
    WHEN OLD.location IS NOT NEW.location OR OLD.status IS NOT NEW.status
         OR OLD.organisation_id IS NOT NEW.organisation_id OR OLD.deleted IS NOT NEW.deleted
    BEGIN
    {_sqlite_add("OLD", "-")}
    {_sqlite_add("NEW", "+")}
    END
    """,
]

SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS signal_grid_counts_update",
    "DROP TRIGGER IF EXISTS signal_grid_counts_delete",
    "DROP TRIGGER IF EXISTS signal_grid_counts_insert",
]


def upgrade():
    op.create_table(
        "signal_grid_counts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("gx", sa.Integer(), nullable=False),
        sa.Column("gy", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("sum_lon", sa.Float(), nullable=False),
        sa.Column("sum_lat", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("gx", "gy", "status", "organisation_id", name="uq_signal_grid_counts_cell",
                            postgresql_nulls_not_distinct=True),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    # Empty cells are deleted after every statement; this (nearly always empty) index finds them
    # without scanning the table.
    op.create_index("ix_signal_grid_counts_empty", "signal_grid_counts", ["id"],
                    postgresql_where=sa.text("count = 0"), sqlite_where=sa.text("count = 0"))
    for statement in POSTGRES_UP if postgres else SQLITE_UP:
        op.execute(statement)
    op.execute(BACKFILL)


def downgrade():
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRES_DOWN if postgres else SQLITE_DOWN:
        op.execute(statement)
    op.drop_table("signal_grid_counts")
