"""Sign in and out, who am I, device tokens."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from flask import current_app, g, session
from flask.views import MethodView
from flask_login import current_user, login_user, logout_user
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.accounts.auth import (
    check_credentials,
    csrf_token,
    deactivated_problem,
    end_web_session,
    issue_device_token,
    login_required,
    start_web_session,
)
from app.accounts.schemas import DeviceTokenOut, UserOut
from app.database import write_transaction, writes_late
from app.errors import PROBLEM_JSON, ApiError, ProblemOut
from app.extensions import db, limiter
from app.models import DeviceToken, utcnow
from offline_sync.messages_nl import DutchSchema

blp = Blueprint("auth", __name__, url_prefix="/api/v1", description="Aanmelden en apparaattokens")


class LoginIn(DutchSchema):
    email = fields.Email(required=True)
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    token = fields.Boolean(load_default=False)
    device_name = fields.String(load_default="", validate=validate.Length(max=200))


class MeOut(UserOut):
    must_change_password = fields.Boolean(
        metadata={"description": "true: choose a new password (POST /api/v1/auth/password) before anything else"})
    csrf_token = fields.String()
    token = fields.Nested(DeviceTokenOut)
    notify_email = fields.Boolean()


class MeIn(DutchSchema):
    """What a user may change about themselves."""

    notify_email = fields.Boolean(required=True)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _me(user, token=None) -> SimpleNamespace:
    """Return what MeOut dumps: the user, this session's CSRF token and a new device token if any."""
    fields_ = ("id", "email", "name", "role", "organisation", "buurten", "must_change_password", "notify_email")
    me = SimpleNamespace(**{f: getattr(user, f) for f in fields_}, csrf_token=csrf_token())
    if token is not None:
        me.token = token
    return me


@blp.route("/auth/login")
class Login(MethodView):
    decorators = [limiter.limit(_login_limit, methods=["POST"])]

    @writes_late  # the password check (scrypt) runs before, not under, the write lock
    @blp.arguments(LoginIn)
    @blp.response(200, MeOut)
    @blp.alt_response(401, schema=ProblemOut, content_type=PROBLEM_JSON, description="Wrong credentials")
    @blp.alt_response(403, schema=ProblemOut, content_type=PROBLEM_JSON,
                      description="Account deactivated (type urn:muurtje:problem:account-deactivated)")
    def post(self, body):
        """Sign in with e-mail and password; optionally get a device token."""
        user = check_credentials(body["email"], body["password"])
        if user is None:
            raise ApiError(401, "E-mailadres of wachtwoord klopt niet.")
        if not user.active:
            raise deactivated_problem()
        token = None
        with write_transaction(db.session()):
            user.last_seen_at = utcnow()
            end_web_session()  # signing in again in this browser ends the session it had
            session.clear()  # no session fixation: a fresh session and CSRF token per sign-in
            start_web_session(user)
            login_user(user)
            if body["token"]:
                row, clear = issue_device_token(user, body["device_name"] or "apparaat")
                db.session.flush()
                token = {"id": row.id, "token": clear, "expires_at": row.expires_at, "name": row.name}
        return _me(user, token)


@blp.route("/auth/logout")
class Logout(MethodView):
    @blp.response(204)
    def post(self):
        """Sign out: end this browser's session (a saved cookie no longer works) and revoke the token used."""
        # Touching current_user runs the Bearer loader, which notes the token used (if any).
        token_id = g.get("device_token_id") if current_user.is_authenticated else None
        if token_id is not None:
            token = db.session.get(DeviceToken, token_id)
            token.revoked_at = utcnow()
        end_web_session()
        db.session.commit()
        logout_user()
        session.clear()


@blp.route("/me")
class Me(MethodView):
    @login_required
    @blp.response(200, MeOut)
    def get(self):
        """Return the signed-in user and this session's CSRF token."""
        return _me(current_user)

    @login_required
    @blp.arguments(MeIn)
    @blp.response(200, MeOut)
    def patch(self, body):
        """Change my own settings: `notify_email` switches my colleague e-mails on or off."""
        current_user.notify_email = body["notify_email"]
        db.session.commit()
        return _me(current_user)


@blp.route("/auth/tokens")
class Tokens(MethodView):
    @login_required
    @blp.response(200, DeviceTokenOut(many=True))
    def get(self):
        """List my active device tokens."""
        now = utcnow()
        return [
            t
            for t in db.session.scalars(
                db.select(DeviceToken)
                .where(DeviceToken.user_id == current_user.id, DeviceToken.revoked_at.is_(None))
                .order_by(DeviceToken.created_at)
            )
            if t.expires_at > now
        ]


@blp.route("/auth/tokens/<uuid:token_id>")
class TokenById(MethodView):
    @login_required
    @blp.response(204)
    def delete(self, token_id: uuid.UUID):
        """Revoke a device token (mine, or anyone's for an admin)."""
        token = db.session.get(DeviceToken, token_id)
        if token is None or (token.user_id != current_user.id and current_user.role != "admin"):
            raise ApiError(404, "Dit token bestaat niet.")
        if token.revoked_at is None:
            token.revoked_at = utcnow()
            db.session.commit()
