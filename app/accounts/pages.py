"""The sign-in page shared by the team, manager and admin pages."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

blp = Blueprint("web", __name__)

HOME_BY_ROLE = {"field_worker": "/app/", "team": "/kaart", "manager": "/dashboard", "admin": "/kaart"}


def _safe_next(target: str | None) -> str | None:
    """Only follow local paths after sign-in (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


@blp.get("/login")
def login_page():
    """Show the sign-in form; it posts to the JSON API and then follows `next`."""
    next_url = _safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or HOME_BY_ROLE.get(current_user.role, "/"))
    return render_template("login.html", next_url=next_url or "")


@blp.get("/")
def index():
    """Send people to the page for their role."""
    if not current_user.is_authenticated:
        return redirect(url_for("web.login_page"))
    return redirect(HOME_BY_ROLE.get(current_user.role, "/login"))
