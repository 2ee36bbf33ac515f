"""Buurt boundaries and point lookup."""

from __future__ import annotations

from flask import jsonify
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.accounts.auth import login_required
from app.buurten.importer import buurt_for, buurt_names, buurten_feature_collection
from app.errors import ApiError

blp = Blueprint("buurten", __name__, url_prefix="/api/v1/buurten", description="CBS-buurten")


class BuurtenQuery(Schema):
    simplify = fields.Float(
        load_default=None,
        allow_nan=False,
        validate=validate.Range(min=0, max=5000),
        metadata={"description": "Vereenvoudig de grenzen met deze tolerantie in meters."},
    )


class LookupQuery(Schema):
    lat = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=-180, max=180))
    accuracy_m = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(min=0, max=100_000))


class LookupOut(Schema):
    buurt_code = fields.String()
    buurt_name = fields.String()
    wijk_code = fields.String(allow_none=True)
    wijk_name = fields.String(allow_none=True)


@blp.route("")
class Buurten(MethodView):
    @login_required
    @blp.arguments(BuurtenQuery, location="query")
    @blp.response(200)
    def get(self, query):
        """Return all buurten as GeoJSON (properties buurt_code, buurt_name, wijk_code, wijk_name)."""
        response = jsonify(buurten_feature_collection(query["simplify"] or None))
        response.cache_control.private = True
        response.cache_control.max_age = 3600
        return response


@blp.route("/lookup")
class Lookup(MethodView):
    @login_required
    @blp.arguments(LookupQuery, location="query")
    @blp.response(200, LookupOut)
    def get(self, query):
        """Return the buurt a point lies in (GPS accuracy up to 50 m snaps to the nearest)."""
        code = buurt_for(query["lon"], query["lat"], query["accuracy_m"])
        if code is None:
            raise ApiError(404, "Dit punt ligt in geen enkele buurt.")
        buurt = buurt_names([code])[code]
        return {
            "buurt_code": buurt.code,
            "buurt_name": buurt.name,
            "wijk_code": buurt.wijk_code,
            "wijk_name": buurt.wijk_name,
        }
