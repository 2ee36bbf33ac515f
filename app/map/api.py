"""The signal map: server-side clusters for a view, and open signals per buurt for the choropleth."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import case, func, select

from app.accounts.auth import role_required
from app.database import reads_from_replica
from app.errors import problems
from app.extensions import db
from app.map.clustering import cluster_signals
from app.map.filters import OPEN_STATUSES, BBox, SignalFilters, signal_conditions
from app.map.schemas import BuurtCountsOut, FeatureCollectionOut
from app.models import Signal

blp = Blueprint("map", __name__, url_prefix="/api/v1/map", description="Signalenkaart (team, manager, admin)")

MAP_ROLES = ("team", "manager", "admin")


class MapQuery(SignalFilters):
    bbox = BBox(required=True, metadata={"description": "minLon,minLat,maxLon,maxLat (WGS84)"})
    zoom = fields.Integer(required=True, validate=validate.Range(min=0, max=22))


@blp.route("/signals")
class MapSignals(MethodView):
    @role_required(*MAP_ROLES)
    @blp.arguments(MapQuery, location="query")
    @blp.response(200)
    @blp.alt_response(200, schema=FeatureCollectionOut, success=True)
    @problems(400, 401, 403)
    @reads_from_replica
    def get(self, query):
        """Return clusters (`cluster: true, count`) and single signals in a view as GeoJSON."""
        dialect = db.session.get_bind().dialect.name
        conditions = signal_conditions(query, dialect)
        collection = cluster_signals(
            db.session, conditions, query["bbox"], query["zoom"], filters=query, dialect=dialect
        )
        db.session.rollback()
        return collection


@blp.route("/buurten")
class MapBuurten(MethodView):
    @role_required(*MAP_ROLES)
    @blp.arguments(SignalFilters, location="query")
    @blp.response(200)
    @blp.alt_response(200, schema=BuurtCountsOut, success=True)
    @problems(400, 401, 403)
    @reads_from_replica
    def get(self, query):
        """Return per buurt how many matching signals there are and how many of them are open."""
        dialect = db.session.get_bind().dialect.name
        is_open = case((Signal.status.in_(OPEN_STATUSES), 1), else_=0)
        rows = db.session.execute(
            select(Signal.buurt_code, func.count(), func.sum(is_open))
            .where(*signal_conditions(query, dialect), Signal.buurt_code.is_not(None))
            .group_by(Signal.buurt_code)
            .order_by(Signal.buurt_code)
        ).all()
        db.session.rollback()
        return {"buurten": [{"buurt_code": code, "total": total, "open": int(open_ or 0)}
                            for code, total, open_ in rows]}
