"""The signal list for team, manager and admin: GeoJSON, filtered, paged with `links.next`."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import func, select

from app.accounts.auth import role_required
from app.database import reads_from_replica
from app.errors import problems
from app.extensions import db
from app.map.filters import SignalFilters, signal_conditions
from app.map.schemas import SignalPageOut
from app.models import Signal
from offline_sync.records import record_dict

blp = Blueprint("signal_list", __name__, url_prefix="/api/v1/signals", description="Signalen (lijst)")

MAX_PER_PAGE = 200


class SignalListQuery(SignalFilters):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def _page_link(page: int) -> str:
    args = request.args.copy()
    args.setlist("page", [str(page)])
    return request.path + "?" + urlencode(list(args.items(multi=True)))


def signal_feature(signal: Signal) -> dict:
    """Return a signal as a GeoJSON Feature whose properties are the record as pull shows it."""
    record = record_dict(signal)
    location = record.get("location")
    geometry = None if not location else {"type": "Point", "coordinates": [location["lon"], location["lat"]]}
    return {"type": "Feature", "id": record["id"], "geometry": geometry, "properties": record}


@blp.route("")
class SignalList(MethodView):
    @role_required("team", "manager", "admin")
    @blp.arguments(SignalListQuery, location="query")
    @blp.response(200)
    @blp.alt_response(200, schema=SignalPageOut, success=True)
    @problems(400, 401, 403)
    @reads_from_replica
    def get(self, query):
        """Return matching signals, newest first (ties by id), one page at a time."""
        conditions = signal_conditions(query, db.session.get_bind().dialect.name)
        total = db.session.scalar(select(func.count()).select_from(Signal).where(*conditions))
        page, per_page = query["page"], query["per_page"]
        signals = db.session.scalars(
            select(Signal).where(*conditions).order_by(Signal.created_at.desc(), Signal.id.desc())
            .offset((page - 1) * per_page).limit(per_page)
        ).all()
        links = {"self": _page_link(page)}
        if page * per_page < total:
            links["next"] = _page_link(page + 1)
        if page > 1:
            links["prev"] = _page_link(page - 1)
        features = [signal_feature(s) for s in signals]
        db.session.rollback()
        return {
            "type": "FeatureCollection", "features": features, "total": total,
            "page": page, "per_page": per_page, "links": links,
        }
