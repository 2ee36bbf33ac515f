"""Per-buurt reports for managers: `GET /api/v1/reports/buurten` and the quarterly trend."""

from __future__ import annotations

from flask import Response, jsonify
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validate, validates_schema

from app.accounts.auth import login_required
from app.buurten.importer import buurten_feature_collection
from app.database import reads_from_replica
from app.errors import ApiError
from app.reports import summary as reporting
from app.reports.exports import attachment_disposition, csv_chunks, geojson_chunks
from app.reports.xlsx_stream import xlsx_stream
from offline_sync.messages_nl import DutchSchema
from offline_sync.schemas import within_years

blp = Blueprint("reports", __name__, url_prefix="/api/v1/reports", description="Rapportages per buurt")

FORMATS = ("json", "csv", "xlsx", "geojson")


class PeriodQuery(DutchSchema):
    """A period of two inclusive dates (Dutch local time), compared with each record's `occurred_at`."""

    from_ = fields.Date(data_key="from", load_default=None, validate=within_years,
                        metadata={"description": "Eerste dag (JJJJ-MM-DD), 1900–2200."})
    to = fields.Date(load_default=None, validate=within_years,
                     metadata={"description": "Laatste dag, inclusief (JJJJ-MM-DD), 1900–2200."})

    @validates_schema
    def _ordered(self, data, **_kwargs):
        if data["from_"] and data["to"] and data["from_"] > data["to"]:
            raise ValidationError("'from' ligt na 'to'.", field_name="from")


class SummaryQuery(PeriodQuery):
    format = fields.String(load_default="json", validate=validate.OneOf(FORMATS))
    open_data = fields.Boolean(
        load_default=False,
        metadata={"description": "Voor publicatie: aantallen onder 5 worden null, geen vrije tekst."},
    )


class TrendQuery(PeriodQuery):
    buurt = fields.String(load_default=None, validate=validate.Length(max=16))


def current_scope() -> reporting.Scope:
    """Return the caller's report scope or refuse with 403."""
    scope = reporting.scope_for(current_user)
    if scope is None:
        if current_user.role == "team":
            raise ApiError(403, "Uw account hoort bij geen organisatie; er zijn geen cijfers om te tonen.")
        raise ApiError(403, "Uw rol heeft geen toegang tot rapportages.")
    return scope


def period_of(query: dict) -> reporting.Period:
    """Return the Period of a validated PeriodQuery."""
    return reporting.Period(query["from_"], query["to"])


def _period_json(period: reporting.Period) -> dict:
    return {"from": period.start.isoformat() if period.start else None,
            "to": period.end.isoformat() if period.end else None}


@blp.route("/buurten")
class BuurtReport(MethodView):
    @login_required
    @blp.arguments(SummaryQuery, location="query")
    @blp.response(200)
    @reads_from_replica
    def get(self, query):
        """Return one row per buurt with the figures of the period (json, csv, xlsx or geojson).

        Team members get their organisation's figures: the signals it owns and the conversations and
        ideas its members created. Rows without a known buurt are summed in a row with buurt_code null.
        """
        scope = current_scope()
        period = period_of(query)
        summary = reporting.buurt_summary(period, scope)
        if query["open_data"]:
            summary = reporting.open_data(summary)
        name = _filename(period, query["open_data"])
        fmt = query["format"]
        if fmt == "csv":
            return _download(report_csv(summary), "text/csv; charset=utf-8", name + ".csv")
        if fmt == "xlsx":
            return _download(report_xlsx(summary, period), XLSX_MIME, name + ".xlsx")
        if fmt == "geojson":
            return _download(report_geojson(summary, period), "application/geo+json", name + ".geojson")
        labels = reporting.theme_labels()
        return jsonify({
            "period": _period_json(period),
            "open_data": query["open_data"],
            "scope": "all" if scope.everything else "organisation",
            "columns": list(reporting.COLUMNS),
            "buurten": summary.rows,
            "totals": summary.totals,
            "themes": [{"code": c, "label": labels.get(c, c), "count": n}
                       for c, n in sorted(summary.theme_counts.items(), key=lambda kv: (-kv[1], kv[0]))],
        })


@blp.route("/trend")
class Trend(MethodView):
    @login_required
    @blp.arguments(TrendQuery, location="query")
    @blp.response(200)
    @reads_from_replica
    def get(self, query):
        """Return figures per calendar quarter of the period (the last 8 quarters when it is open)."""
        scope = current_scope()
        period = period_of(query)
        return jsonify({"period": _period_json(period), "buurt": query["buurt"],
                        "quarters": reporting.quarterly_trend(period, scope, query["buurt"])})


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cells(row: dict) -> list:
    return ["; ".join(row[c]) if c == "top_themes" else row[c] for c in reporting.COLUMNS]


def report_csv(summary: reporting.Summary) -> bytes:
    """Return the summary as CSV: API column names, one row per buurt, `;`, UTF-8 with BOM."""
    return b"".join(csv_chunks(list(reporting.COLUMNS), (_cells(r) for r in summary.rows)))


def report_xlsx(summary: reporting.Summary, period: reporting.Period) -> bytes:
    """Return the summary as an xlsx sheet for people: the CSV's columns with Dutch headers, theme
    labels instead of codes and amounts as euro cells (the CSV keeps the API's names and cents)."""
    labels = reporting.theme_labels()
    euro = {c for c in reporting.COLUMNS if c.endswith("_cents")}
    header = [reporting.COLUMN_LABELS[c].replace("(eurocent)", "(€)") for c in reporting.COLUMNS]
    rows = ([("; ".join(labels.get(t, t) for t in row[c]) if c == "top_themes" else row[c])
             for c in reporting.COLUMNS] for row in summary.rows)
    return b"".join(xlsx_stream("Buurten", header, rows, kinds=["euro" if c in euro else None
                                                                 for c in reporting.COLUMNS]))


def report_geojson(summary: reporting.Summary, period: reporting.Period) -> bytes:
    """Return the summary as GeoJSON: each buurt's outline with its figures (Onbekend: no geometry)."""
    outlines = {f["id"]: f["geometry"] for f in buurten_feature_collection(None)["features"]}
    features = (
        {"type": "Feature", "id": r["buurt_code"], "geometry": outlines.get(r["buurt_code"]), "properties": r}
        for r in summary.rows
    )
    return b"".join(geojson_chunks(features, {"period": _period_json(period), "totals": summary.totals}))


def _filename(period: reporting.Period, open_data: bool) -> str:
    parts = ["buurtrapportage", period.start.isoformat() if period.start else "begin",
             period.end.isoformat() if period.end else "nu"]
    if open_data:
        parts.append("open-data")
    return "_".join(parts)


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = attachment_disposition(filename)
    return response
