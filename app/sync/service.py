"""Glue between the web layer and `offline_sync`: the app's models, buurt lookup, privacy store, user.

Views call these functions; they run the engine in a write transaction and turn a database that
refuses the transaction into a 503 problem (after rollback), so a client can simply retry.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np
from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from app.buurten.importer import buurt_index
from app.database import write_transaction
from app.errors import ApiError
from app.extensions import db
from app.models import (
    ENTITIES,
    Budget,
    Organisation,
    QuarantinedMutation,
    RecordChange,
    RecordConflict,
    RecordPhoto,
    SyncClient,
    SyncMutation,
    Theme,
    User,
)
from app.notifications.outbox import queue_for_changes
from app.records.privacy import store_contact
from app.sync import pg_wire
from app.sync.photo_access import vouched_photos
from offline_sync import engine, feed
from offline_sync.schemas import Mutation, load_envelope, load_mutation

log = logging.getLogger(__name__)

REGISTRY = engine.Registry(
    records=ENTITIES, change=RecordChange, conflict=RecordConflict, client=SyncClient, mutation=SyncMutation,
    quarantine=QuarantinedMutation, organisation=Organisation, user=User, photo_link=RecordPhoto,
    budget=Budget,
)


class _Buurten:
    """The buurt index, fetched once per request and only when a location needs it."""

    def __init__(self) -> None:
        self._index = None

    def _get(self):
        if self._index is None:
            self._index = buurt_index()
        return self._index

    def locate(self, lon: float, lat: float, accuracy_m: float | None) -> str | None:
        return self._get().lookup(lon, lat, accuracy_m)

    def locate_many(self, points: list[tuple[float, float, float | None]]) -> list[str | None]:
        lon, lat, accuracy = zip(*points, strict=True)
        accuracy = np.array([a if a is not None else np.nan for a in accuracy], dtype=float)
        return list(self._get().lookup_many(np.array(lon), np.array(lat), accuracy))

    def is_buurt(self, code: str) -> bool:
        return code in set(self._get().codes)


def actor_for(user: User) -> engine.Actor:
    """Return who is writing, as the engine sees it."""
    return engine.Actor(str(user.id), user.role, frozenset(user.buurten),
                        str(user.organisation_id) if user.organisation_id else None, name=user.name)


def context_for(user: User) -> engine.SyncContext:
    """Return an engine context for a signed-in user."""
    buurten = _Buurten()
    actor = actor_for(user)
    retired = frozenset(db.session.scalars(select(Theme.code).where(Theme.active.is_(False))))
    return engine.SyncContext(db.session(), REGISTRY, actor, locate=buurten.locate,
                              store_contact=store_contact, is_buurt=buurten.is_buurt,
                              locate_many=buurten.locate_many, retired_themes=retired,
                              on_changes=queue_for_changes,
                              vouch_photos=lambda hashes: vouched_photos(actor, hashes))


def scope_for(user: User) -> feed.Scope:
    """Return the pull scope of a user."""
    return feed.Scope(str(user.id), user.role, user.scope_version or 1, frozenset(user.buurten))


def _in_write_transaction(work: Callable[[], Any]) -> Any:
    """Run engine work in a write transaction; a refusing database becomes 503 after rollback."""
    try:
        with write_transaction(db.session()):
            return work()
    except DBAPIError as exc:
        log.warning("database refused a sync transaction: %s", exc.__class__.__name__)
        db.session.rollback()
        raise ApiError(503, "De database kon de wijzigingen nu niet opslaan; er is niets bewaard. "
                            "Probeer het opnieuw.") from exc


def push(user: User, body: Any) -> dict:
    """Validate and apply a push; raise ApiError for a bad envelope."""
    from offline_sync.schemas import EnvelopeError  # noqa: PLC0415

    try:
        client_id, raw = load_envelope(body)
    except EnvelopeError as exc:
        raise ApiError(exc.status, exc.detail, exc.errors) from exc
    mutations = [load_mutation(m) for m in raw]
    ctx = context_for(user)
    return _in_write_transaction(lambda: engine.apply_push(ctx, client_id, mutations))


def pull(user: User, cursor: str | None, limit: int) -> dict:
    """Return one page of the change feed for a user (on PostgreSQL with entries rendered by the database)."""
    in_database = db.engine.dialect.name == "postgresql" and current_app.config["PULL_RENDERED_BY_DATABASE"]
    render = pg_wire.change_json if in_database else None
    result = feed.read_changes(db.session, ENTITIES, scope_for(user), cursor, limit,
                               current_app.config["SECRET_KEY"], render=render)
    db.session.rollback()  # end the read snapshot
    return result


def change(user: User, entity: str, record_id: str, base_version: int | None, fields: dict,
           source: str = "web") -> engine.Outcome:
    """Apply a web edit or followup through the engine; Rejected → 400 problem."""
    mutation = Mutation(0, entity, "upsert", record_id, base_version, fields)
    ctx = context_for(user)
    try:
        return _in_write_transaction(lambda: engine.apply_change(ctx, mutation, source))
    except engine.Rejected as exc:
        raise ApiError(400, "De wijziging is niet toegepast.", exc.errors) from exc


def resolve(user: User, entity: str, record_id: str) -> engine.Outcome | None:
    """Clear the conflict flag of a record."""
    ctx = context_for(user)
    return _in_write_transaction(lambda: engine.resolve(ctx, entity, record_id))


def visible_record(user: User, entity: str, record_id: uuid.UUID) -> dict | None:
    """Return a record in wire form when the user may see it."""
    return engine.find_record(context_for(user), entity, str(record_id))
