"""What the public may know about a buurt: figures of the last 12 months and what staff made public.

Never names, contact details, conversation summaries, descriptions or locations finer than the
buurt: the answer is built from an explicit list of fields, not from the records' wire form.
Counts below 5 are suppressed (`app.reporting.open_data`), and so is what derives from them.
"""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta
from datetime import time as clock

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import ENTITIES, Buurt, Idea, Signal
from app.reports.summary import (
    LOCAL_TZ,
    OPEN_DATA_THRESHOLD,
    Period,
    buurt_summary,
    local_today,
    open_data,
    theme_labels,
)

FIGURES = ("conversations", "residents_reached", "signals_total", "signals_done", "median_days_to_done",
           "ideas_total", "ideas_granted")
GATHERING_DAYS = 60
LIST_LIMIT = 50

_cache: dict[tuple[str, str], tuple[float, dict | None]] = {}
_cache_lock = threading.Lock()


def last_twelve_months(today: date | None = None) -> Period:
    """Return the 12 months up to and including today."""
    today = today or local_today()
    try:
        start = today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        start = today.replace(year=today.year - 1, day=28) + timedelta(days=1)
    return Period(start, today)


def cached_overview(code: str) -> dict | None:
    """Return `overview(code)`, computed at most once per PUBLIC_CACHE_SECONDS per process."""
    ttl = current_app.config["PUBLIC_CACHE_SECONDS"]
    key = (current_app.config["SQLALCHEMY_DATABASE_URI"], code)
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
        if ttl > 0 and hit is not None and hit[0] > now and hit[0] <= now + ttl:
            return hit[1]
    value = overview(code)
    db.session.rollback()  # end the read snapshot
    with _cache_lock:
        if len(_cache) > 1000:
            _cache.clear()
        _cache[key] = (now + ttl, value)
    return value


def overview(code: str, today: date | None = None) -> dict | None:
    """Return the public answer for a buurt, or None when there is no such buurt."""
    buurt = db.session.get(Buurt, code)
    if buurt is None:
        return None
    period = last_twelve_months(today)
    lower, upper = period.bounds()
    return {
        "buurt_code": buurt.code,
        "buurt_name": buurt.name,
        "wijk_name": buurt.wijk_name,
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "suppressed_below": OPEN_DATA_THRESHOLD,
        "figures": _figures(code, period),
        "done": _done_signals(code, lower, upper),
        "realised_ideas": _realised_ideas(code, lower, upper),
        "gatherings": _coming_gatherings(code, period.end),
    }


def _figures(code: str, period: Period) -> dict:
    row = open_data(buurt_summary(period, buurt_code=code)).rows[0]
    labels = theme_labels()
    figures = {name: row[name] for name in FIGURES}
    figures["top_themes"] = [labels.get(t, t) for t in row["top_themes"]]
    return figures


def _day(value: datetime | None) -> str | None:
    return value.astimezone(LOCAL_TZ).date().isoformat() if value else None


def _done_signals(code: str, lower: datetime, upper: datetime) -> list[dict]:
    when = func.coalesce(Signal.done_at, Signal.status_changed_at, Signal.updated_at)
    rows = db.session.execute(
        select(Signal.title, Signal.public_note, when.label("when"))
        .where(Signal.buurt_code == code, Signal.public.is_(True), Signal.deleted.is_(False),
               Signal.status == "done", when >= lower, when < upper)
        .order_by(when.desc(), Signal.title).limit(LIST_LIMIT))
    return [{"title": r.title, "public_note": r.public_note or "", "done_on": _day(r.when)} for r in rows]


def _realised_ideas(code: str, lower: datetime, upper: datetime) -> list[dict]:
    when = func.coalesce(Idea.status_changed_at, Idea.updated_at)
    rows = db.session.execute(
        select(Idea.title, Idea.public_note, when.label("when"))
        .where(Idea.buurt_code == code, Idea.public.is_(True), Idea.deleted.is_(False),
               Idea.status == "realised", when >= lower, when < upper)
        .order_by(when.desc(), Idea.title).limit(LIST_LIMIT))
    return [{"title": r.title, "public_note": r.public_note or "", "realised_on": _day(r.when)} for r in rows]


def _coming_gatherings(code: str, today: date) -> list[dict]:
    """Return the bijeenkomsten of the coming 60 days (kind, title, when): none until that entity exists."""
    model = ENTITIES.get("gathering")
    if model is None:
        return []
    start = datetime.combine(today, clock(), LOCAL_TZ)
    end = start + timedelta(days=GATHERING_DAYS + 1)
    rows = db.session.execute(
        select(model.kind, model.title, model.occurred_at)
        .where(model.buurt_code == code, model.deleted.is_(False), model.occurred_at >= start,
               model.occurred_at < end)
        .order_by(model.occurred_at).limit(LIST_LIMIT))
    return [{"kind": r.kind, "title": r.title, "starts_at": r.occurred_at.astimezone(LOCAL_TZ).isoformat()}
            for r in rows]
