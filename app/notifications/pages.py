"""Pages: the unsubscribe link (no sign-in), my e-mail setting, the admins' list of failed e-mail."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from app.database import write_transaction
from app.extensions import db
from app.notifications.outbox import unsubscribe
from app.notifications.views import counts_by_status, listed
from offline_sync.vocabulary import NOTIFICATION_KIND

blp = Blueprint("notification_pages", __name__, template_folder="templates", static_folder="static",
                static_url_path="/static/notifications")


def _signed_in():
    if not current_user.is_authenticated:
        return redirect(url_for("web.login_page", next=request.full_path.rstrip("?")))
    return None


@blp.get("/afmelden/<token>")
def unsubscribe_page(token: str):
    """Stop e-mail about one signal or idea (the link in the resident's e-mail)."""
    with write_transaction(db.session()):
        entity = unsubscribe(token)
    page = render_template("notifications/unsubscribed.html", entity=entity)
    return page, 200 if entity else 404, {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


@blp.get("/instellingen")
def settings_page():
    """Let a signed-in member of staff switch their colleague e-mails on or off."""
    if (refused := _signed_in()) is not None:
        return refused
    return render_template("notifications/settings.html")


@blp.get("/meldingen")
def failed_page():
    """Show admins the e-mails the worker gave up on, with a button to send one again."""
    if (refused := _signed_in()) is not None:
        return refused
    if current_user.role != "admin":
        abort(403)
    return render_template("notifications/failed.html", items=listed("failed"), counts=counts_by_status(),
                           kinds=NOTIFICATION_KIND)
