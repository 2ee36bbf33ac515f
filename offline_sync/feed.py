"""The change feed for pull: records in the order their changes were committed, within a user's scope.

A cursor is opaque to clients: the last change sequence number delivered, plus a fingerprint of the
scope it was issued for (user, role, scope_version), signed with the app's secret by itsdangerous.
A cursor that does not verify (forged, damaged, signed with another secret or in an older format), or
that was issued for another scope, makes the feed start over with `reset: true`. Cursors do not
expire.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import Table, and_, literal, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from offline_sync.records import change_dict

CURSOR_SALT = "muurtje-sync-cursor"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 500

#: Renders a table's rows as feed entries in SQL (JSON text equal to change_dict), where a database can.
Renderer = Callable[[Table, str], ColumnElement]


class RenderedChange(str):
    """A feed entry the database already rendered as JSON text."""


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
                 limit: int, secret: str, render: Renderer | None = None) -> dict:
    """Return one page of the feed: `changes`, the next `cursor`, `has_more` and `reset`.

    Changes are dicts (change_dict), or with `render` RenderedChange texts made by the database.
    """
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
        # Each table's next rows by its change_seq index, at most a page: the merge below then reads at most
        # (tables x page) rows however long the feed is, instead of sorting all rows after the cursor.
        first_rows = query.order_by(table.c.change_seq).limit(limit + 1).subquery()
        parts.append(select(first_rows))
    feed = union_all(*parts).subquery()
    listed = session.execute(
        select(feed.c.entity, feed.c.id, feed.c.change_seq).order_by(feed.c.change_seq).limit(limit + 1)).all()
    has_more = len(listed) > limit
    listed = listed[:limit]
    ranges: dict[str, tuple[int, int]] = {}
    for entity, _record_id, seq in listed:
        first, _ = ranges.get(entity, (seq, seq))
        ranges[entity] = (first, seq)
    loaded = {}
    for entity, (first, last_seq) in ranges.items():
        table = models[entity].__table__
        # The listed rows of a table are exactly its rows in scope within their range of sequence numbers
        # (numbers are taken in commit order): a range scan on the change_seq index, no list of ids.
        where = [table.c.change_seq >= first, table.c.change_seq <= last_seq]
        if not scope.everything:
            where.append(_in_scope(models, entity, scope))
        if render is None:
            # Plain rows, not ORM objects: a page of 1,000 serialises several times faster.
            for row in session.execute(select(table).where(*where)):
                loaded[(entity, row.id)] = (row.change_seq, row)
        else:
            query = select(table.c.id, table.c.change_seq, render(table, entity)).where(*where)
            for record_id, seq, text in session.execute(query):
                loaded[(entity, record_id)] = (seq, RenderedChange(text))
    changes = []
    for entity, record_id, seq in listed:
        found = loaded.get((entity, record_id))
        # A record changed again between the two queries is delivered later, at its new position.
        if found is not None and found[0] == seq:
            changes.append(found[1] if render is not None else change_dict(found[1], entity))
    last = listed[-1][2] if listed else after
    return {"changes": changes, "cursor": encode_cursor(last, scope, secret), "has_more": has_more, "reset": reset}


def page_json(page: dict) -> str:
    """Return a feed page as JSON text; entries the database rendered are inlined as they are."""
    changes = ",".join(c if isinstance(c, RenderedChange) else json.dumps(c, ensure_ascii=False, separators=(",", ":"))
                       for c in page["changes"])
    rest = json.dumps({k: v for k, v in page.items() if k != "changes"}, ensure_ascii=False, separators=(",", ":"))
    return '{"changes":[' + changes + "]," + rest[1:]
