"""Counts kept by the database itself so low-zoom maps need not scan every signal."""

from __future__ import annotations

import uuid

from sqlalchemy import Float, Index, Integer, String, UniqueConstraint, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.types import BigIntPK

#: The finest grid kept: cells of 2^(6 - GRID_ZOOM) degrees, the map's cells at zoom 10.
GRID_ZOOM = 10
#: Cells per degree; a cell index is floor(coordinate * GRID_SCALE) (exact: a power of two).
GRID_SCALE = 2 ** (GRID_ZOOM - 6)


class SignalGridCount(db.Model):
    """Live signals per fine map cell, status and organisation, with coordinate sums for mean positions.

    Database triggers on `signals` (migration 0002) keep it exact whatever writes signals; tombstones
    and signals without a location are not counted. Rows reaching zero are deleted. There is no foreign
    key on `organisation_id`: a per-row key check would slow every signal write for no gain, since the
    signals themselves already carry that key.
    """

    __tablename__ = "signal_grid_counts"
    __table_args__ = (
        UniqueConstraint("gx", "gy", "status", "organisation_id", name="uq_signal_grid_counts_cell",
                         postgresql_nulls_not_distinct=True),
        # Finds the cells that reached zero, which the triggers delete after every statement.
        Index("ix_signal_grid_counts_empty", "id", postgresql_where=text("count = 0"), sqlite_where=text("count = 0")),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    gx: Mapped[int] = mapped_column(Integer)
    gy: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    count: Mapped[int] = mapped_column(Integer)
    sum_lon: Mapped[float] = mapped_column(Float)
    sum_lat: Mapped[float] = mapped_column(Float)
