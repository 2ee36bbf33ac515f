"""Who may use the /beheer pages, and the CSRF and Origin checks of their forms."""

from __future__ import annotations

import hmac

from flask import abort, redirect, request, session, url_for
from flask_login import current_user

from app.accounts.auth import csrf_token, origin_allowed


def admin_pages_only():
    """Before every /beheer request: sign-in page when signed out, 403 for other roles, CSRF on posts."""
    if not current_user.is_authenticated:
        return redirect(url_for("web.login_page", next=request.full_path.rstrip("?")))
    if current_user.role != "admin":
        abort(403)
    check_form_post()
    return None


def check_form_post() -> None:
    """Refuse a form post from another site or without this session's CSRF token (hidden field)."""
    if request.method != "POST":
        return
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if origin and not origin_allowed(origin):
        abort(403, "Verzoek van een andere website geweigerd (Origin).")
    expected = session.get("csrf")
    if not (expected and hmac.compare_digest(expected, request.form.get("csrf_token", ""))):
        abort(403, "Het formulier is verlopen of komt niet van deze site. Laad de pagina opnieuw.")


def template_globals() -> dict:
    """What every beheer template can use."""
    return {"csrf_token": csrf_token}
