"""Record-level exports: `GET /api/v1/exports/<entity>s` as streamed csv, xlsx or GeoJSON."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.accounts.auth import login_required
from app.database import read_engine, reads_from_replica
from app.errors import ApiError
from app.extensions import db
from app.reports import summary as reporting
from app.reports.api import XLSX_MIME, PeriodQuery, current_scope, period_of
from app.reports.export_writer import record_export
from app.reports.exports import ENTITY_MODELS, attachment_disposition, export_count

blp = Blueprint("exports", __name__, url_prefix="/api/v1/exports", description="Exports van records")

MIMETYPES = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_MIME, "geojson": "application/geo+json"}
XLSX_MAX_ROWS = 1_048_576  # Excel's row limit, the header row included
FILE_NAMES = {"conversation": "gesprekken", "signal": "signalen", "idea": "ideeen", "gathering": "bijeenkomsten",
              "followup": "opvolgingen"}


class ExportQuery(PeriodQuery):
    buurt = fields.String(load_default=None, validate=validate.Regexp(
        r"^[A-Za-z0-9]{1,16}$", error="Een buurtcode bestaat uit letters en cijfers (bijv. BU01060200)."),
                          metadata={"description": "Alleen records van deze buurtcode."})
    format = fields.String(load_default="csv", validate=validate.OneOf(tuple(MIMETYPES)))


@blp.route("/<string:entities>")
class Export(MethodView):
    @login_required
    @blp.arguments(ExportQuery, location="query")
    @blp.response(200)
    @reads_from_replica
    def get(self, query, entities: str):
        """Stream every live record of the period (conversations, signals, ideas or followups).

        Never contains resident contact details. Managers and admins get everything; team members
        only the signals their organisation owns (other entities: 403). The header `X-Record-Count`
        tells a client how many rows follow, for a progress bar.
        """
        entity = entities[:-1] if entities.endswith("s") else ""
        if entity not in ENTITY_MODELS:
            raise ApiError(404, f"Onbekend soort export: {entities}. Kies uit "
                                + ", ".join(f"{e}s" for e in ENTITY_MODELS) + ".")
        scope = current_scope()
        if not scope.everything and entity != "signal":
            raise ApiError(403, "Teamleden kunnen alleen de signalen van hun organisatie exporteren.")
        period = period_of(query)
        count = db.session.scalar(export_count(entity, period, scope, query["buurt"]))
        if query["format"] == "xlsx" and count >= XLSX_MAX_ROWS:
            raise ApiError(400, f"{count} rijen passen niet in één Excel-blad; kies csv of een kortere periode.",
                           errors={"format": ["Te veel rijen voor xlsx."]})
        # The chunks are produced after this view returns, on a connection of their own.
        chunks = record_export(read_engine(), entity, query["format"], period, scope, query["buurt"],
                               reporting.theme_labels())
        response = Response(chunks, mimetype=MIMETYPES[query["format"]])
        name = "_".join([FILE_NAMES[entity], *(d.isoformat() for d in (period.start, period.end) if d)])
        if query["buurt"]:
            name += "_" + query["buurt"]
        response.headers["Content-Disposition"] = attachment_disposition(f"{name}.{query['format']}")
        response.headers["X-Record-Count"] = str(count)
        response.headers["Cache-Control"] = "no-store"
        return response
