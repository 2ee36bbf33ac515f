"""`GET /api/v1/map/ideas`: residents' initiatives as a layer on the signal map (/kaart), by status."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import func, select

from app.accounts.auth import role_required
from app.database import reads_from_replica
from app.errors import problems
from app.extensions import db
from app.map.filters import BBox
from app.map.schemas import FeatureCollectionOut
from app.models import Idea
from offline_sync.messages_nl import DutchSchema
from offline_sync.vocabulary import IDEA_STATUS_LABELS, IDEA_STATUSES

blp = Blueprint("ideas_map", __name__, url_prefix="/api/v1/map/ideas",
                          description="Ideeën als kaartlaag")
MAP_LIMIT = 500


class IdeasMapQuery(DutchSchema):
    bbox = BBox(load_default=None, metadata={"description": "minLon,minLat,maxLon,maxLat (WGS84)"})
    status = fields.List(fields.String(validate=validate.OneOf(IDEA_STATUSES)), load_default=list)


@blp.route("")
class IdeasMap(MethodView):
    @role_required("team", "manager", "admin")
    @blp.arguments(IdeasMapQuery, location="query")
    @blp.response(200)
    @blp.alt_response(200, schema=FeatureCollectionOut, success=True)
    @problems(400, 401, 403)
    @reads_from_replica
    def get(self, query):
        """Ideas with a location in view as GeoJSON points (newest first, at most 500), filtered by status."""
        stmt = select(Idea.id, Idea.title, Idea.status, Idea.buurt_code, Idea.budget_requested_cents,
                      Idea.budget_granted_cents, Idea.budget_spent_cents, func.ST_X(Idea.location),
                      func.ST_Y(Idea.location)).where(Idea.deleted.is_(False), Idea.location.is_not(None))
        if query["status"]:
            stmt = stmt.where(Idea.status.in_(query["status"]))
        if query["bbox"]:
            west, south, east, north = query["bbox"]
            # Plain coordinate ranges: the same SQL on PostGIS and SpatiaLite; ideas are few next to signals.
            stmt = stmt.where(func.ST_X(Idea.location).between(west, east),
                              func.ST_Y(Idea.location).between(south, north))
        rows = db.session.execute(stmt.order_by(Idea.created_at.desc(), Idea.id).limit(MAP_LIMIT + 1)).all()
        features = [{"type": "Feature", "id": str(r[0]), "geometry": {"type": "Point", "coordinates": [r[7], r[8]]},
                     "properties": {"title": r[1], "status": r[2], "status_label": IDEA_STATUS_LABELS.get(r[2], r[2]),
                                    "buurt_code": r[3], "budget_requested_cents": r[4],
                                    "budget_granted_cents": r[5], "budget_spent_cents": r[6]}}
                    for r in rows[:MAP_LIMIT]]
        return {"type": "FeatureCollection", "features": features, "truncated": len(rows) > MAP_LIMIT}
