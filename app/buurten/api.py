"""Buurt boundaries and point lookup."""

from __future__ import annotations

from flask import json, jsonify
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from flask_smorest.fields import Upload
from marshmallow import fields, validate

from app.accounts.auth import login_required, role_required
from app.buurten.importer import buurt_for, buurt_names, buurten_feature_collection, run_import
from app.errors import ApiError, problem
from geo.buurten import BuurtFileError
from offline_sync.messages_nl import DutchSchema

blp = Blueprint("buurten", __name__, url_prefix="/api/v1/buurten", description="CBS-buurten")


class BuurtenQuery(DutchSchema):
    simplify = fields.Float(
        load_default=None,
        allow_nan=False,
        validate=validate.Range(min=0, max=5000),
        metadata={"description": "Vereenvoudig de grenzen met deze tolerantie in meters, naar beneden afgerond op "
                                 "0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000 of 5000."},
    )


class LookupQuery(DutchSchema):
    lat = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, allow_nan=False, validate=validate.Range(min=-180, max=180))
    accuracy_m = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(min=0, max=100_000))


class LookupOut(DutchSchema):
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


class ImportQuery(DutchSchema):
    dry_run = fields.Boolean(load_default=True, metadata={"description": "Alleen laten zien wat er zou veranderen."})
    replace = fields.Boolean(load_default=False, metadata={"description": "Buurten die niet in het bestand staan "
                                                                           "verwijderen."})


class ImportFile(DutchSchema):
    file = Upload(required=True, metadata={"description": "GeoJSON (EPSG:4326 of 28992), eventueel gzip."})


class ImportOut(DutchSchema):
    added = fields.Integer()
    removed = fields.Integer()
    changed = fields.Integer()
    records_remapped = fields.Integer()
    problems = fields.List(fields.String())


class ImportProblem(DutchSchema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    problems = fields.List(fields.String(), metadata={"description": "Elk probleem, met de buurtcode of object #n."})


@blp.route("/import")
class Import(MethodView):
    @role_required("admin")
    @blp.arguments(ImportQuery, location="query")
    @blp.arguments(ImportFile, location="files")
    @blp.response(200, ImportOut)
    @blp.alt_response(400, schema=ImportProblem, description="Het bestand heeft problemen; er is niets veranderd.")
    def post(self, query, files):
        """Import a buurt file (admin): counts of added, removed and changed buurten and of moved records.

        `dry_run=true` (the default) changes nothing. A real import writes everything or nothing, gives
        every record that moves to another buurt a new version (so phones pull it) and is audited.
        """
        upload = files["file"]
        try:
            plan, _result = run_import(upload.stream, replace=query["replace"], dry_run=query["dry_run"],
                                       actor=current_user._get_current_object(), filename=upload.filename or "")
        except BuurtFileError as exc:
            return import_problem(exc.problems)
        return {**plan.counts(), "problems": []}


def import_problem(problems: list[str]):
    """A 400 problem that lists every problem of a refused buurt file."""
    response = problem(400, f"Niets geïmporteerd: {len(problems)} probleem/problemen in het bestand.",
                       {"file": problems[:20]})
    body = json.loads(response.get_data())
    body["problems"] = problems
    response.set_data(json.dumps(body))
    return response
