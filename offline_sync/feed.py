"""The change feed for pull: records in the order their changes were committed, within a user's scope.

A cursor is opaque to clients: the last change sequence number delivered, plus a fingerprint of the
scope it was issued for (user, role, scope_version), signed with the app's secret by itsdangerous.
A cursor that does not verify (forged, damaged, signed with another secret or in an older format), or
that was issued for another scope, makes the feed start over with `reset: true`. Cursors do not
expire.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import and_, literal, or_, select, union_all
from sqlalchemy.orm import Session

from offline_sync.records import change_dict

CURSOR_SALT = "muurtje-sync-cursor"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 500


@dataclass(frozen=True)
class Scope:
    """What a user may pull: everything, or (field workers) their buurten and their own records."""

    user_id: str
    role: str
    scope_version: int
    buurten: frozenset[str] = frozenset()

    @property
    def everything(self) -> bool:
        return self.role != "field_worker"

    def fingerprint(self) -> str:
        raw = f"{self.user_id}:{self.role}:{self.scope_version}".encode()
        return hashlib.sha256(raw).hexdigest()[:16]


def encode_cursor(seq: int, scope: Scope, secret: str) -> str:
    """Return an opaque, signed cursor that resumes the feed after `seq`."""
    return URLSafeSerializer(secret, salt=CURSOR_SALT).dumps([seq, scope.fingerprint()])


def decode_cursor(cursor: str, scope: Scope, secret: str) -> int | None:
    """Return the sequence number of a cursor, or None when it is invalid or of another scope."""
    try:
        seq, fingerprint = URLSafeSerializer(secret, salt=CURSOR_SALT).loads(cursor)
    except (BadData, ValueError, TypeError):
        return None
    if fingerprint != scope.fingerprint() or not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        return None
    return seq


def _in_scope(models: Mapping[str, type], entity: str, scope: Scope):
    """Return the WHERE clause of the field-worker scope for one table."""
    table = models[entity].__table__
    user = uuid.UUID(scope.user_id)
    clauses = [table.c.created_by_id == user]
    if scope.buurten:
        clauses.append(table.c.buurt_code.in_(sorted(scope.buurten)))
    if entity == "followup":
        # Followups carry their parent's buurt; they also reach whoever created the parent.
        for parent in ("signal", "idea"):
            parents = models[parent].__table__
            clauses.append(and_(table.c.parent_entity == parent,
                                table.c.parent_id.in_(select(parents.c.id).where(parents.c.created_by_id == user))))
    return or_(*clauses)


def read_changes(session: Session, models: Mapping[str, type], scope: Scope, cursor: str | None,
                 limit: int, secret: str) -> dict:
    """Return one page of the feed: `changes`, the next `cursor`, `has_more` and `reset`."""
    reset = False
    after = 0
    if cursor:
        decoded = decode_cursor(cursor, scope, secret)
        if decoded is None:
            reset = True
        else:
            after = decoded
    parts = []
    for entity, model in models.items():
        table = model.__table__
        query = select(literal(entity).label("entity"), table.c.id, table.c.change_seq).where(
            table.c.change_seq > after)
        if not scope.everything:
            query = query.where(_in_scope(models, entity, scope))
        parts.append(query)
    feed = union_all(*parts).subquery()
    listed = session.execute(
        select(feed.c.entity, feed.c.id, feed.c.change_seq).order_by(feed.c.change_seq).limit(limit + 1)).all()
    has_more = len(listed) > limit
    listed = listed[:limit]
    by_entity: dict[str, list] = {}
    for entity, record_id, _seq in listed:
        by_entity.setdefault(entity, []).append(record_id)
    loaded = {}
    for entity, ids in by_entity.items():
        table = models[entity].__table__
        # Plain rows, not ORM objects: a page of 1,000 serialises several times faster.
        for row in session.execute(select(table).where(table.c.id.in_(ids))):
            loaded[(entity, row.id)] = row
    changes = []
    for entity, record_id, seq in listed:
        record = loaded.get((entity, record_id))
        # A record changed again between the two queries is delivered later, at its new position.
        if record is not None and record.change_seq == seq:
            changes.append(change_dict(record, entity))
    last = listed[-1][2] if listed else after
    return {"changes": changes, "cursor": encode_cursor(last, scope, secret), "has_more": has_more, "reset": reset}
