"""The printable report of one buurt: `GET /reports/buurten/<code>?from=&to=`."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required
from geoalchemy2.shape import to_shape
from marshmallow import ValidationError
from sqlalchemy import func, select

from app.budget.logic import gatherings_with_yield
from app.database import reads_from_replica
from app.errors import ApiError
from app.extensions import db
from app.models import Buurt, Idea, Organisation, Signal
from app.reports import summary as reporting
from app.reports.api import PeriodQuery
from app.reports.buurt_svg import buurt_svg
from offline_sync import vocabulary

blp = Blueprint("buurt_report", __name__)


@blp.get("/reports/buurten/<code>")
@login_required
@reads_from_replica
def buurt_report(code: str):
    """Render key figures, themes, open signals, ideas with budgets and a map of one buurt (A4 print)."""
    scope = reporting.scope_for(current_user)
    if scope is None:
        abort(403)
    buurt = db.session.get(Buurt, code)
    if buurt is None:
        abort(404)
    try:
        query = PeriodQuery().load(request.args, unknown="exclude")
    except ValidationError as exc:
        raise ApiError(400, "De periode is ongeldig.", errors=exc.messages) from exc
    period = reporting.Period(query["from_"], query["to"])
    summary = reporting.buurt_summary(period, scope, buurt_code=code)
    labels = reporting.theme_labels()
    themes = [(labels.get(t, t), n) for t, n in
              sorted(summary.buurt_themes.get(code, {}).items(), key=lambda kv: (-kv[1], kv[0]))[:8]]
    signals = _signals(code, period, scope)
    open_signals = [s for s in signals if s["status"] not in reporting.CLOSED_STATUSES]
    dots = [(s["lon"], s["lat"], "open" if s in open_signals else "closed") for s in signals if s["lon"] is not None]
    return render_template(
        "buurt_report.html",
        buurt=buurt,
        period=period,
        row=summary.rows[0],
        labels=reporting.COLUMN_LABELS,
        themes=themes,
        theme_labels=labels,
        open_signals=open_signals,
        ideas=_ideas(code, period, scope),
        gatherings=gatherings_with_yield(period, scope, code),
        gathering_kinds=vocabulary.GATHERING_KIND,
        svg=buurt_svg(to_shape(buurt.geom), dots, f"Kaart van {buurt.name} met signalen"),
        signal_status=vocabulary.STATUS["signal"],
        idea_status=vocabulary.STATUS["idea"],
        urgency=vocabulary.URGENCY,
        scope=scope,
    )


def _signals(code: str, period: reporting.Period, scope: reporting.Scope) -> list[dict]:
    """Return the live signals of the buurt in the period, due first."""
    stmt = (
        select(Signal.title, Signal.theme, Signal.status, Signal.urgency, Signal.due_date, Signal.occurred_at,
               Organisation.name, func.ST_X(Signal.location), func.ST_Y(Signal.location))
        .outerjoin(Organisation, Organisation.id == Signal.organisation_id)
        .where(Signal.buurt_code == code, Signal.deleted.is_(False), *period.conditions(Signal.occurred_at),
               *scope.conditions(Signal))
        .order_by(Signal.due_date.is_(None), Signal.due_date, Signal.occurred_at)
    )
    keys = ("title", "theme", "status", "urgency", "due_date", "occurred_at", "organisation", "lon", "lat")
    return [dict(zip(keys, row)) for row in db.session.execute(stmt)]


def _ideas(code: str, period: reporting.Period, scope: reporting.Scope) -> list[Idea]:
    """Return the live ideas of the buurt in the period, newest first."""
    stmt = (
        select(Idea)
        .where(Idea.buurt_code == code, Idea.deleted.is_(False), *period.conditions(Idea.occurred_at),
               *scope.conditions(Idea))
        .order_by(Idea.occurred_at.desc())
    )
    return list(db.session.scalars(stmt))
