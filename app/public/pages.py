"""`GET /buurten/<code>`: the public buurt page (no sign-in), from the same cached overview as the JSON."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, abort, render_template

from app.notifications.messages import dutch_date
from app.public.overview import cached_overview
from app.public.views import CACHE_CONTROL

blp = Blueprint("public_pages", __name__, template_folder="templates", static_folder="static",
                static_url_path="/static/public")

FIGURE_LABELS = {
    "conversations": "Gesprekken met bewoners", "residents_reached": "Bewoners gesproken",
    "signals_total": "Signalen gemeld", "signals_done": "Signalen afgerond",
    "median_days_to_done": "Dagen tot afgerond (mediaan)", "ideas_total": "Ideeën van bewoners",
    "ideas_granted": "Ideeën met steun uit het buurtbudget",
}
GATHERING_KINDS = {"stamppot": "Stamppotavond", "bbq": "Barbecue", "buurtfeest": "Buurtfeest",
                   "inloop": "Inloop", "other": "Bijeenkomst"}


@blp.get("/buurten/<code>")
def buurt_page(code: str):
    """Show what happened in a buurt, for residents and wijkreporters."""
    data = cached_overview(code)
    if data is None:
        abort(404)
    page = render_template("public/buurt.html", data=data, labels=FIGURE_LABELS, kinds=GATHERING_KINDS,
                           day=_day, moment=_moment)
    return page, 200, {"Cache-Control": CACHE_CONTROL}


def _day(iso: str | None) -> str:
    return dutch_date(date.fromisoformat(iso)) if iso else ""


def _moment(iso: str) -> str:
    value = datetime.fromisoformat(iso)
    return f"{dutch_date(value.date())}, {value:%H.%M} uur"
