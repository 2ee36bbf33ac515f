"""Choosing one's own password: the /wachtwoord page, and nothing else until a generated one is replaced."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from app.accounts.auth import MUST_CHANGE_PASSWORD, csrf_token
from app.accounts.pages import HOME_BY_ROLE
from app.beheer.guard import check_form_post
from app.beheer.people import MIN_PASSWORD_LENGTH, change_own_password
from app.errors import ApiError
from app.extensions import db

blp = Blueprint("password", __name__)

#: What a person with a generated password may still reach (sign-in, this page, the field app's files).
ALLOWED_PREFIXES = ("/api/v1/auth/", "/api/v1/me", "/api/v1/openapi.json", "/wachtwoord", "/login", "/static/",
                    "/vendor/", "/app/", "/healthz")


@blp.before_app_request
def must_change_password_first():
    """Until a generated password is replaced: pages go to /wachtwoord, the API answers 403."""
    if request.path.startswith(ALLOWED_PREFIXES) or request.path == "/":
        return None
    if not (current_user.is_authenticated and current_user.must_change_password):
        return None
    if request.path.startswith("/api/"):
        raise ApiError(403, "Kies eerst een eigen wachtwoord (POST /api/v1/auth/password).",
                       title="Eigen wachtwoord kiezen", type_=MUST_CHANGE_PASSWORD)
    return redirect(url_for("password.choose", next=request.full_path.rstrip("?")))


@blp.route("/wachtwoord", methods=["GET", "POST"])
def choose():
    """Let a signed-in person choose a new password (required after a generated one)."""
    if not current_user.is_authenticated:
        return redirect(url_for("web.login_page", next="/wachtwoord"))
    errors: list[str] = []
    if request.method == "POST":
        check_form_post()
        new, repeat = request.form.get("new_password", ""), request.form.get("repeat_password", "")
        if new != repeat:
            errors.append("De twee nieuwe wachtwoorden zijn niet gelijk.")
        else:
            try:
                change_own_password(current_user, request.form.get("current_password", ""), new)
                db.session.commit()
                target = request.args.get("next", "")
                safe = target.startswith("/") and not target.startswith("//") and not target.startswith("/wachtwoord")
                return redirect(target if safe else HOME_BY_ROLE.get(current_user.role, "/"))
            except ApiError as exc:
                db.session.rollback()
                errors = [m for ms in (exc.errors or {"": [exc.description]}).values() for m in ms]
    return render_template("beheer/own_password.html", errors=errors, min_length=MIN_PASSWORD_LENGTH,
                           forced=current_user.must_change_password, csrf_token=csrf_token), 400 if errors else 200
