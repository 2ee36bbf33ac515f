"""The change-feed sequence, allocated in commit order."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def allocate_change_seq(session: Session, count: int = 1) -> int:
    """Reserve `count` sequence numbers and return the last one.

    The UPDATE row-locks the single counter row until the caller's transaction ends (on SQLite the
    whole database is write-locked anyway), so numbers become visible in the order they were
    allocated: a reader that has seen number n will never later find an uncommitted n-1 appear.
    """
    value = session.execute(
        text("UPDATE sync_sequence SET value = value + :n WHERE id = 1 RETURNING value"), {"n": count}
    ).scalar_one_or_none()
    if value is None:
        raise RuntimeError("sync_sequence is not initialised; run `flask --app wsgi db upgrade`")
    return int(value)
