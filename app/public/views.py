"""`GET /api/v1/public/buurten/<code>`: the public buurt overview as JSON, no sign-in, cached."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import fields

from app.errors import ApiError
from app.public.overview import cached_overview
from offline_sync.messages_nl import DutchSchema

blp = Blueprint("public", __name__, url_prefix="/api/v1/public",
                description="Openbaar, zonder aanmelden: wat er in een buurt gebeurde")

CACHE_CONTROL = "public, max-age=300"


class PeriodOut(DutchSchema):
    from_ = fields.String(data_key="from", attribute="from", metadata={"format": "date"})
    to = fields.String(metadata={"format": "date"})


class FiguresOut(DutchSchema):
    """Counts of the period; null where fewer than 5 (suppressed)."""

    conversations = fields.Integer(allow_none=True)
    residents_reached = fields.Integer(allow_none=True)
    signals_total = fields.Integer(allow_none=True)
    signals_done = fields.Integer(allow_none=True)
    median_days_to_done = fields.Float(allow_none=True)
    ideas_total = fields.Integer(allow_none=True)
    ideas_granted = fields.Integer(allow_none=True)
    top_themes = fields.List(fields.String())


class DoneOut(DutchSchema):
    title = fields.String()
    public_note = fields.String()
    done_on = fields.String(allow_none=True, metadata={"format": "date"})


class RealisedOut(DutchSchema):
    title = fields.String()
    public_note = fields.String()
    realised_on = fields.String(allow_none=True, metadata={"format": "date"})


class GatheringOut(DutchSchema):
    kind = fields.String()
    title = fields.String()
    starts_at = fields.String()


class PublicBuurtOut(DutchSchema):
    buurt_code = fields.String()
    buurt_name = fields.String()
    wijk_name = fields.String(allow_none=True)
    period = fields.Nested(PeriodOut)
    suppressed_below = fields.Integer()
    figures = fields.Nested(FiguresOut)
    done = fields.List(fields.Nested(DoneOut))
    realised_ideas = fields.List(fields.Nested(RealisedOut))
    gatherings = fields.List(fields.Nested(GatheringOut))


@blp.route("/buurten/<code>")
class PublicBuurt(MethodView):
    @blp.response(200, PublicBuurtOut)
    @blp.alt_response(304, description="Niet gewijzigd (ETag)")
    @blp.alt_response(404, description="Onbekende buurt")
    def get(self, code: str):
        """Return a buurt's figures of the last 12 months, what was done and coming bijeenkomsten."""
        data = cached_overview(code)
        if data is None:
            raise ApiError(404, f"Onbekende buurtcode {code}.")
        return data, 200, {"Cache-Control": CACHE_CONTROL}


@blp.after_request
def _conditional(response):
    """Answer 304 to a matching If-None-Match (the ETag is the body's hash)."""
    if response.status_code == 200 and request.method == "GET":
        response.add_etag()
        response.make_conditional(request)
    return response
