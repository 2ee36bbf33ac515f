"""One record: read, edit (PATCH), follow up, resolve conflicts, and the audited resident contact.

Edits go through the same engine as phone pushes, so web and phone edits merge by the same rules.
"""

from __future__ import annotations

import uuid

from flask import request, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validate
from sqlalchemy import select

from app.accounts.auth import login_required
from app.database import write_transaction
from app.errors import ApiError, problems
from app.extensions import db
from app.models import ENTITIES as ENTITY_MODELS
from app.models import ContactAccess, Followup, RecordChange, RecordConflict, ResidentContact
from app.records.schemas import (
    ConflictsOut,
    ContactsOut,
    FollowupsOut,
    HistoryOut,
    RecordOut,
    RecordPatchIn,
    RecordWithConflictsOut,
)
from app.sync import service as sync_service
from offline_sync.messages_nl import DutchSchema
from offline_sync.records import iso, record_dict
from offline_sync.schemas import load_fields

blp = Blueprint("records", __name__, url_prefix="/api/v1",
                description="Gesprekken, signalen, ideeën, bijeenkomsten, opvolgingen")

ANY_ENTITY = "<any(conversations, signals, ideas, gatherings, followups):entities>"
EDITABLE = "<any(conversations, signals, ideas, gatherings):entities>"
WITH_CONTACT = "<any(conversations, signals, ideas):entities>"
FOLLOWED = "<any(signals, ideas):entities>"


class FollowupIn(DutchSchema):
    id = fields.UUID(load_default=None)
    text = fields.String(load_default="", validate=validate.Length(max=20_000))
    status_to = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32))
    parent_version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=0))


def _record_or_404(entity: str, record_id: uuid.UUID) -> dict:
    record = sync_service.visible_record(current_user, entity, record_id)
    db.session.rollback()
    if record is None:
        raise ApiError(404, "Dit record bestaat niet of u heeft er geen toegang toe.")
    return record


def _checked_fields(entity: str, values: dict) -> dict:
    """Load fields as a sync upsert would (schemas, storability); 400 with the field errors otherwise."""
    try:
        return load_fields(entity, values)
    except ValidationError as exc:
        raise ApiError(400, "De invoer is ongeldig.", exc.messages) from exc


def _with_conflicts(outcome) -> dict:
    """The record after a change, with the fields that conflicted (RecordWithConflictsOut)."""
    return {**outcome.record, "conflicts": outcome.result.get("conflicts", [])}


def _rows_about(model, entity: str, record_id: uuid.UUID, *order_by) -> list:
    """Return the rows of a per-record log (conflicts, history) of a record the user may see."""
    _record_or_404(entity, record_id)
    query = select(model).where(model.entity == entity, model.record_id == record_id).order_by(*order_by)
    return db.session.scalars(query).all()


@blp.route(f"/{ANY_ENTITY}/<uuid:record_id>")
class Record(MethodView):
    @login_required
    @blp.response(200)
    @problems(400, 401, 403, 404)
    @blp.alt_response(200, schema=RecordOut, success=True)
    def get(self, entities: str, record_id: uuid.UUID):
        """Return one record as pull shows it (tombstones included)."""

        return _record_or_404(entities[:-1], record_id)


@blp.route(f"/{EDITABLE}/<uuid:record_id>")
class EditRecord(MethodView):
    @login_required
    @blp.response(200)
    @problems(400, 401, 403, 404, 409, 413, 503)
    @blp.alt_response(200, schema=RecordWithConflictsOut, success=True)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": RecordPatchIn}}})
    def patch(self, entities: str, record_id: uuid.UUID):
        """Edit fields against `base_version`; conflicting fields are listed, later edit wins."""
        entity = entities[:-1]
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ApiError(400, "Stuur een JSON-object met base_version en de velden.")
        base = body.pop("base_version", None)
        if not isinstance(base, int) or isinstance(base, bool) or base < 0:
            raise ApiError(400, "base_version ontbreekt.", {"base_version": ["Geheel getal >= 0 verplicht."]})
        values = _checked_fields(entity, body)
        _record_or_404(entity, record_id)
        return _with_conflicts(sync_service.change(current_user, entity, str(record_id), base, values))


@blp.route(f"/{FOLLOWED}/<uuid:record_id>/followups")
class Followups(MethodView):
    @login_required
    @blp.response(200)
    @problems(400, 401, 403, 404)
    @blp.alt_response(200, schema=FollowupsOut, success=True)
    def get(self, entities: str, record_id: uuid.UUID):
        """Return the follow-up log of a signal or idea, oldest first."""
        _record_or_404(entities[:-1], record_id)
        rows = db.session.scalars(select(Followup).where(
            Followup.parent_entity == entities[:-1], Followup.parent_id == record_id,
        ).order_by(Followup.created_at, Followup.change_seq))
        return {"followups": [record_dict(f) for f in rows]}

    @login_required
    @blp.arguments(FollowupIn)
    @blp.response(201)
    @problems(400, 401, 403, 404, 409, 413, 503)
    @blp.alt_response(201, schema=RecordWithConflictsOut, success=True)
    def post(self, body, entities: str, record_id: uuid.UUID):
        """Add a note or a status change (`status_to`, checked against the workflow)."""
        _record_or_404(entities[:-1], record_id)
        followup_id = str(body["id"] or uuid.uuid4())
        values = {"parent_entity": entities[:-1], "parent_id": str(record_id), "text": body["text"],
                  "status_to": body["status_to"], "parent_version": body["parent_version"]}
        values = _checked_fields("followup", values)  # the same storability check as a pushed followup
        outcome = sync_service.change(current_user, "followup", followup_id, None, values)
        if outcome.result["status"] == "duplicate":
            raise ApiError(409, "Er bestaat al een opvolging met dit id.")
        location = url_for("records.Record", entities="followups", record_id=followup_id)
        return _with_conflicts(outcome), 201, {"Location": location}


@blp.route(f"/{ANY_ENTITY}/<uuid:record_id>/resolve")
class Resolve(MethodView):
    @login_required
    @blp.response(200)
    @problems(400, 401, 403, 404, 409, 413, 503)
    @blp.alt_response(200, schema=RecordOut, success=True)
    def post(self, entities: str, record_id: uuid.UUID):
        """Mark the conflicts of a record as handled; the conflict history stays."""
        outcome = sync_service.resolve(current_user, entities[:-1], str(record_id))
        if outcome is None:
            raise ApiError(404, "Dit record bestaat niet of u heeft er geen toegang toe.")
        return outcome.record


@blp.route(f"/{ANY_ENTITY}/<uuid:record_id>/conflicts")
class Conflicts(MethodView):
    @login_required
    @blp.response(200)
    @problems(400, 401, 403, 404)
    @blp.alt_response(200, schema=ConflictsOut, success=True)
    def get(self, entities: str, record_id: uuid.UUID):
        """Return the conflict history of a record: every value a later edit overwrote."""
        rows = _rows_about(RecordConflict, entities[:-1], record_id, RecordConflict.id)
        return {"conflicts": [{
            "field": c.field, "server_value": c.server_value, "client_value": c.client_value,
            "version": c.version, "user": str(c.user_id) if c.user_id else None, "created_at": iso(c.created_at),
            "resolved_at": iso(c.resolved_at)} for c in rows]}


@blp.route(f"/{ANY_ENTITY}/<uuid:record_id>/history")
class History(MethodView):
    @login_required
    @blp.response(200)
    @problems(400, 401, 403, 404)
    @blp.alt_response(200, schema=HistoryOut, success=True)
    def get(self, entities: str, record_id: uuid.UUID):
        """Return every accepted change of a record: version, who, when, source and {field: [old, new]}."""
        rows = _rows_about(RecordChange, entities[:-1], record_id, RecordChange.version, RecordChange.id)
        return {"history": [{
            "version": c.version, "user": str(c.changed_by_id) if c.changed_by_id else None,
            "changed_at": iso(c.changed_at), "source": c.source, "changes": c.changes} for c in rows]}


def may_read_contact(user, record: dict) -> bool:
    """The creator, an admin, or a team member of the owning organisation to whom it is assigned."""
    me = str(user.id)
    if user.role == "admin" or record["created_by"] == me:
        return True
    organisation = str(user.organisation_id) if user.organisation_id else None
    return (user.role == "team" and record.get("assignee") == me and organisation is not None
            and record.get("organisation") == organisation)


@blp.route(f"/{WITH_CONTACT}/<uuid:record_id>/contact")
class Contact(MethodView):
    @login_required
    @blp.response(200)
    @problems(400, 401, 403, 404)
    @blp.alt_response(200, schema=ContactsOut, success=True)
    def get(self, entities: str, record_id: uuid.UUID):
        """Return resident contact details to the creator, an admin or the assigned team member (audited).

        Every read and every refused attempt on an existing record is written to the contact audit log.
        """
        entity = entities[:-1]
        # A read that writes its audit entry: take the write lock up front (see app.database).
        with write_transaction(db.session()):
            exists = db.session.get(ENTITY_MODELS[entity], record_id) is not None
            record = sync_service.visible_record(current_user, entity, record_id)
            granted = record is not None and may_read_contact(current_user, record)
            rows = db.session.scalars(select(ResidentContact).where(
                ResidentContact.entity == entity, ResidentContact.record_id == record_id,
            ).order_by(ResidentContact.created_at.desc(), ResidentContact.id.desc())).all() if granted else []
            if exists and (rows or not granted):
                db.session.add(ContactAccess(entity=entity, record_id=record_id, user_id=current_user.id,
                                             granted=granted))
            contacts = [{"name": r.name, "phone": r.phone, "email": r.email, "consent_at": iso(r.consent_at),
                         "purge_after": iso(r.purge_after)} for r in rows]
        if record is None:
            raise ApiError(404, "Dit record bestaat niet of u heeft er geen toegang toe.")
        if not granted:
            raise ApiError(403, "Alleen de maker, de behandelaar van de eigenaar-organisatie of een beheerder ziet "
                                "contactgegevens.")
        if not contacts:
            raise ApiError(404, "Er zijn geen contactgegevens bij dit record (meer).")
        return {"contacts": contacts}
