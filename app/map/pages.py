"""The team pages: the signal map (/kaart) and the detail of one signal."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.models import Buurt, Followup, Organisation, RecordChange, Signal, Theme, User
from app.sync import service as sync_service
from offline_sync import vocabulary
from offline_sync.workflow import TRANSITIONS

blp = Blueprint("team", __name__)

TEAM_ROLES = ("team", "manager", "admin")


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
        "statuses": list(vocabulary.STATUS["signal"].items()),
        "urgencies": list(vocabulary.URGENCY.items()),
        "domains": list(vocabulary.DOMAIN.items()),
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
        idea_statuses=list(vocabulary.STATUS["idea"].items()),
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
        "status_labels": vocabulary.STATUS["signal"],
        "action_labels": vocabulary.SIGNAL_ACTION,
        "moved_labels": vocabulary.SIGNAL_MOVED,
        "urgency_labels": vocabulary.URGENCY,
        "domain_labels": vocabulary.DOMAIN,
        "theme_labels": dict(labels["themes"]),
        "setting_labels": vocabulary.SETTING,
        # Names only for a signal this user may see (the API answers the rest).
        **(_names_for(signal_id) if sync_service.visible_record(current_user, "signal", signal_id) else
           {"buurt_names": {}, "people": {}}),
    }
    return render_template("team_signal.html", signal_id=str(signal_id), workflow=workflow)


def _names_for(signal_id: uuid.UUID) -> dict:
    """Return the names the page shows instead of ids and codes.

    `buurt_names`: {code: "name (wijk)"} for every buurt the signal has been in. `people`: {user id:
    {name, organisation}} for everyone in its history and follow-up log, so the log says who did what
    even when that person is no team member (a field worker, a manager).
    """
    history = db.session.execute(select(RecordChange.changed_by_id, RecordChange.changes).where(
        RecordChange.entity == "signal", RecordChange.record_id == signal_id)).all()
    codes = {code for _, changes in history for code in (changes or {}).get("buurt_code", []) if code}
    user_ids = {user_id for user_id, _ in history if user_id}
    user_ids |= set(db.session.scalars(select(Followup.created_by_id).where(
        Followup.parent_entity == "signal", Followup.parent_id == signal_id)))
    user_ids |= set(db.session.scalars(select(Signal.created_by_id).where(Signal.id == signal_id)))
    codes |= {c for c in db.session.scalars(select(Signal.buurt_code).where(Signal.id == signal_id)) if c}
    buurten = db.session.execute(select(Buurt.code, Buurt.name, Buurt.wijk_name).where(Buurt.code.in_(codes))).all()
    users = db.session.scalars(select(User).where(User.id.in_([u for u in user_ids if u]))).all()
    return {
        "buurt_names": {b.code: f"{b.name} ({b.wijk_name})" if b.wijk_name else b.name for b in buurten},
        "people": {str(u.id): {"name": u.name, "organisation": u.organisation.name if u.organisation else None}
                   for u in users},
    }
