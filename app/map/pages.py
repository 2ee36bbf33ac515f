"""The team pages: the signal map (/kaart) and the detail of one signal."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.models import DOMAINS, SIGNAL_STATUSES, URGENCIES, Buurt, Organisation, Signal, Theme
from offline_sync.workflow import TRANSITIONS

blp = Blueprint("team", __name__)

TEAM_ROLES = ("team", "manager", "admin")
STATUS_LABELS = {
    "new": "Nieuw", "picked_up": "Opgepakt", "in_progress": "In behandeling", "referred": "Doorverwezen",
    "done": "Afgerond", "not_actionable": "Niet uitvoerbaar",
}
#: The button for moving a signal *to* a status.
ACTION_LABELS = {
    "new": "Heropenen", "picked_up": "Oppakken", "in_progress": "In behandeling nemen",
    "referred": "Doorverwijzen", "done": "Afronden", "not_actionable": "Niet uitvoerbaar",
}
URGENCY_LABELS = {"low": "Laag", "normal": "Normaal", "high": "Hoog"}
DOMAIN_LABELS = {"physical": "Fysiek", "social": "Sociaal", "both": "Fysiek en sociaal"}


def _team_only():
    """Send visitors to the sign-in page and refuse other roles; None when the user may continue."""
    if not current_user.is_authenticated:
        return redirect(url_for("web.login_page", next=request.full_path.rstrip("?")))
    if current_user.role not in TEAM_ROLES:
        abort(403)
    return None


def _labels() -> dict:
    themes = db.session.scalars(select(Theme).where(Theme.active.is_(True)).order_by(Theme.sort_order,
                                                                                      Theme.label)).all()
    return {
        "statuses": [(s, STATUS_LABELS[s]) for s in SIGNAL_STATUSES],
        "urgencies": [(u, URGENCY_LABELS[u]) for u in URGENCIES],
        "domains": [(d, DOMAIN_LABELS[d]) for d in DOMAINS],
        "themes": [(t.code, t.label) for t in themes],
    }


@blp.get("/kaart")
def team_map():
    """Show the full-screen signal map with filters, the list in view and the choropleth toggle."""
    if (refused := _team_only()) is not None:
        return refused
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    return render_template(
        "team_map.html", **_labels(), organisations=organisations,
        tile_url=current_app.config["TILE_URL"], tile_attribution=current_app.config["TILE_ATTRIBUTION"],
    )


@blp.get("/kaart/signalen/<uuid:signal_id>")
def signal_detail(signal_id: uuid.UUID):
    """Show one signal with its history and the workflow actions its status allows."""
    if (refused := _team_only()) is not None:
        return refused
    labels = _labels()
    workflow = {
        "transitions": TRANSITIONS["signal"],
        "status_labels": STATUS_LABELS,
        "action_labels": ACTION_LABELS,
        "urgency_labels": URGENCY_LABELS,
        "domain_labels": DOMAIN_LABELS,
        "theme_labels": dict(labels["themes"]),
        "buurt_names": _buurt_name_of(signal_id),
    }
    return render_template("team_signal.html", signal_id=str(signal_id), workflow=workflow)


def _buurt_name_of(signal_id: uuid.UUID) -> dict[str, str]:
    """Return {code: "name (wijk)"} for the buurt of a signal, so the page shows a name, not a code."""
    row = db.session.execute(
        select(Buurt.code, Buurt.name, Buurt.wijk_name).join(Signal, Signal.buurt_code == Buurt.code)
        .where(Signal.id == signal_id)
    ).first()
    if row is None:
        return {}
    return {row.code: f"{row.name} ({row.wijk_name})" if row.wijk_name else row.name}
