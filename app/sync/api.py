"""Offline sync for the field app: push mutations, pull the change feed, the quarantine for admins."""

from __future__ import annotations

import json

from flask import current_app, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import func, select

from app.accounts.auth import login_required, role_required
from app.errors import ApiError, problems
from app.extensions import db
from app.models import QuarantinedMutation
from app.records.schemas import PullOut, PushIn, PushOut, QuarantineOut, QuarantineResolvedOut
from app.request_limits import read_body
from app.sync import service as sync_service
from offline_sync.feed import DEFAULT_LIMIT, MAX_LIMIT, page_json
from offline_sync.messages_nl import DutchSchema
from offline_sync.records import iso
from offline_sync.schemas import LIMITS_TEXT, MAX_PUSH_BYTES
from offline_sync.values import INT64_MAX

blp = Blueprint("sync", __name__, url_prefix="/api/v1/sync", description="Offline synchronisatie")


class PullQuery(DutchSchema):
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))


class QuarantineQuery(DutchSchema):
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=INT64_MAX))
    resolved = fields.Boolean(load_default=False)


def _push_body():
    """Read the push body within the 2 MB limit, whatever Content-Length claims (or omits)."""
    size = f" ({request.content_length} bytes)" if request.content_length else ""
    data = read_body(MAX_PUSH_BYTES, f"De push is te groot{size}: {LIMITS_TEXT}. Verstuur de mutaties in kleinere "
                                     "delen.")
    try:
        return json.loads(data)
    except RecursionError as exc:
        # Deeper than the parser goes (about 900 levels): no mutation can be told apart any more.
        raise ApiError(400, "De push is te diep genest om te lezen (JSON).") from exc
    except ValueError as exc:
        raise ApiError(400, "De push is geen geldige JSON.") from exc


@blp.route("/push")
class Push(MethodView):
    @login_required
    @blp.response(200)
    @blp.alt_response(200, schema=PushOut, success=True)
    @blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": PushIn}}})
    @problems(400, 401, 403, 409, 413, 503)
    def post(self):
        """Apply the mutations of one installation, in order, each on its own; retrying is always safe."""
        return sync_service.push(current_user, _push_body())


@blp.route("/pull")
class Pull(MethodView):
    @login_required
    @blp.arguments(PullQuery, location="query")
    @blp.response(200)
    @blp.alt_response(200, schema=PullOut, success=True)
    @problems(400, 401, 403)
    def get(self, query):
        """Return the next page of changes in scope, whole records, in commit order."""
        page = sync_service.pull(current_user, query["cursor"], query["limit"])
        return current_app.response_class(page_json(page), mimetype="application/json")


@blp.route("/quarantine")
class Quarantine(MethodView):
    @role_required("admin")
    @blp.arguments(QuarantineQuery, location="query")
    @blp.response(200)
    @blp.alt_response(200, schema=QuarantineOut, success=True)
    @problems(400, 401, 403)
    def get(self, query):
        """List rejected mutations with their full payload, newest first (admin only)."""
        condition = QuarantinedMutation.resolved_at.is_not(None) if query["resolved"] else (
            QuarantinedMutation.resolved_at.is_(None))
        total = db.session.scalar(select(func.count()).select_from(QuarantinedMutation).where(condition))
        rows = db.session.scalars(
            select(QuarantinedMutation).where(condition)
            .order_by(QuarantinedMutation.created_at.desc(), QuarantinedMutation.id.desc())
            .offset(query["offset"]).limit(query["limit"])
        )
        items = [{"id": q.id, "client_id": str(q.client_id), "mutation_id": q.mutation_id,
                  "user_id": str(q.user_id) if q.user_id else None, "payload": q.payload, "errors": q.errors,
                  "created_at": iso(q.created_at), "resolved_at": iso(q.resolved_at)} for q in rows]
        return {"items": items, "total": total}


@blp.route("/quarantine/<int:item_id>/resolve")
class ResolveQuarantined(MethodView):
    @role_required("admin")
    @blp.response(200)
    @blp.alt_response(200, schema=QuarantineResolvedOut, success=True)
    @problems(400, 401, 403, 404)
    def post(self, item_id: int):
        """Mark a quarantined mutation as handled (admin only); it stays listed with `resolved=true`."""
        from app.beheer.quarantine import resolve_quarantined  # noqa: PLC0415 - audited like the page

        item = resolve_quarantined(current_user, item_id) if item_id <= INT64_MAX else None
        if item is None:
            raise ApiError(404, "Deze afgewezen mutatie bestaat niet.")
        db.session.commit()
        return {"id": item.id, "resolved_at": iso(item.resolved_at)}
