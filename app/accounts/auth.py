"""Who is calling: session cookies, device tokens, CSRF protection and role checks."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import Flask, current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from app.errors import ApiError
from app.extensions import db, login_manager
from app.models import DeviceToken, User, WebSession, utcnow

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_HEADER = "X-CSRF-Token"
#: The session cookie's key for the web session id (its SHA-256 is the row's key in web_sessions).
SESSION_KEY = "sid"
#: last_seen_at of sessions and tokens is written at most this often, to avoid a write per request.
TOUCH_EVERY = timedelta(minutes=5)
# A dummy hash so that a login for an unknown e-mail costs as much time as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))


def hash_password(password: str) -> str:
    """Hash a password with scrypt (werkzeug's default, memory-hard)."""
    return generate_password_hash(password)


#: Problem types the field app recognises (RFC 9457 `type`).
ACCOUNT_DEACTIVATED = "urn:muurtje:problem:account-deactivated"
MUST_CHANGE_PASSWORD = "urn:muurtje:problem:must-change-password"


def check_credentials(email: str, password: str) -> User | None:
    """Return the user (active or not) with these credentials, or None."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password):
        return None
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None."""
    user = check_credentials(email, password)
    return user if user is not None and user.active else None


def deactivated_problem() -> ApiError:
    """The answer to a deactivated person: signing in is no longer possible, and whom to ask."""
    admins = db.session.scalars(
        select(User.name).where(User.role == "admin", User.active.is_(True)).order_by(User.name).limit(3)
    ).all()
    ask = f"Vraag een beheerder ({', '.join(admins)})" if admins else "Vraag de beheerder van Muurtje"
    return ApiError(
        403 if request.endpoint == "auth.Login" else 401,
        f"Uw account is gedeactiveerd; aanmelden is niet meer mogelijk. {ask} als u weer toegang nodig hebt.",
        title="Account gedeactiveerd", type_=ACCOUNT_DEACTIVATED,
    )


def generate_password() -> str:
    """Return a random password that is easy to type from a terminal."""
    return secrets.token_urlsafe(12)


def token_digest(token: str) -> str:
    """Return the stored form of a device token."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_device_token(user: User, name: str) -> tuple[DeviceToken, str]:
    """Create a device token for a user; the clear token is returned once and never stored."""
    clear = "mtj_" + secrets.token_urlsafe(32)
    days = current_app.config["DEVICE_TOKEN_DAYS"]
    token = DeviceToken(
        user_id=user.id,
        name=name[:200],
        token_hash=token_digest(clear),
        expires_at=utcnow() + timedelta(days=days),
    )
    db.session.add(token)
    return token, clear


def start_web_session(user: User) -> WebSession:
    """Open a server-side session for a browser sign-in; its random id goes into the signed cookie."""
    clear = secrets.token_urlsafe(32)
    row = WebSession(id=token_digest(clear), user_id=user.id)
    db.session.add(row)
    session[SESSION_KEY] = clear
    return row


def end_web_session() -> None:
    """Revoke the web session of this request's cookie, if any (the caller commits)."""
    clear = session.get(SESSION_KEY)
    if clear:
        db.session.execute(update(WebSession).where(WebSession.id == token_digest(clear),
                                                    WebSession.revoked_at.is_(None)).values(revoked_at=utcnow()))


def revoke_sessions(user_id) -> int:
    """End every web session and device token of a user at once; their next request is 401.

    For deactivating a user or resetting a password. The caller commits. Returns how many were revoked.
    """
    now = utcnow()
    count = 0
    for model in (WebSession, DeviceToken):
        result = db.session.execute(update(model).where(model.user_id == user_id, model.revoked_at.is_(None))
                                    .values(revoked_at=now))
        count += result.rowcount or 0
    return count


def csrf_token() -> str:
    """Return this session's CSRF token, creating it when missing."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def role_required(*roles: str):
    """Allow a view only to signed-in users with one of these roles (401/403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                if g.get("auth_refusal") == "deactivated":
                    raise deactivated_problem()
                raise ApiError(401, "Log eerst in.")
            if roles and current_user.role not in roles:
                raise ApiError(403, "Uw rol heeft geen toegang tot deze functie.")
            return view(*args, **kwargs)

        return wrapped

    return decorator


def login_required(view):
    """Allow a view to every signed-in user."""
    return role_required()(view)


def _bearer(req) -> str | None:
    header = req.headers.get("Authorization", "")
    return header[7:].strip() if header.startswith("Bearer ") else None


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """Load the user of a session cookie, only while its web session is open and the user active.

    A request that carries a Bearer header is authenticated by that token alone (the request
    loader), never by a cookie it also happens to carry.
    """
    if _bearer(request) is not None:
        return None
    clear = session.get(SESSION_KEY)
    if not clear:
        return None
    web_session = db.session.get(WebSession, token_digest(clear))
    if web_session is None or str(web_session.user_id) != user_id:
        return None
    user = db.session.get(User, web_session.user_id)
    if user is not None and not user.active:  # checked on every request: deactivation ends sessions at once
        g.auth_refusal = "deactivated"
        return None
    if user is None or web_session.revoked_at is not None:
        return None
    now = utcnow()
    if now - web_session.last_seen_at > TOUCH_EVERY:
        from app.database import write_transaction  # noqa: PLC0415

        session_id = web_session.id
        with write_transaction(db.session()):
            db.session.execute(update(WebSession).where(WebSession.id == session_id).values(last_seen_at=now))
        user = db.session.get(User, user.id)
    return user


@login_manager.request_loader
def _load_user_from_bearer(req) -> User | None:
    clear = _bearer(req)
    if clear is None:
        return None
    g.auth_via_token = True
    token = db.session.scalar(select(DeviceToken).where(DeviceToken.token_hash == token_digest(clear)))
    now = utcnow()
    if token is not None and not token.user.active:
        g.auth_refusal = "deactivated"
        return None
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        # Coarse, to avoid a write on every request. In a write transaction of its own: on SQLite a
        # read transaction that later writes fails at once (SQLITE_BUSY) when another worker committed.
        from app.database import write_transaction  # noqa: PLC0415

        token_id, user = token.id, token.user
        with write_transaction(db.session()):
            db.session.execute(update(DeviceToken).where(DeviceToken.id == token_id).values(last_used_at=now))
        g.device_token_id = token_id
        return user
    g.device_token_id = token.id
    return token.user


@login_manager.unauthorized_handler
def _unauthorized():
    if request.path.startswith("/api/"):
        if g.get("auth_refusal") == "deactivated":
            raise deactivated_problem()
        raise ApiError(401, "Log eerst in.")
    return redirect(url_for("web.login_page", next=request.full_path))


class ApiSessionInterface(SecureCookieSessionInterface):
    """Never set a session cookie on a response to a Bearer-token request."""

    def should_set_cookie(self, app, session_):
        if g.get("auth_via_token"):
            return False
        return super().should_set_cookie(app, session_)


def origin_allowed(origin: str) -> bool:
    own = urlsplit(request.host_url)
    parts = urlsplit(origin)
    if (parts.scheme, parts.netloc) == (own.scheme, own.netloc):
        return True
    return origin.rstrip("/") in current_app.config["TRUSTED_ORIGINS"]


def _check_csrf() -> None:
    """Refuse cookie-authenticated writes that lack our CSRF token or come from another origin.

    Requests authenticated by a valid Bearer token carry no ambient credentials and need no token; an
    invalid Bearer header earns nothing (such a request is not authenticated by its cookie either).
    The login endpoint has no session yet; it is protected by the Origin check alone.
    """
    if request.method not in UNSAFE_METHODS or not request.path.startswith("/api/"):
        return
    if _bearer(request) is not None and current_user.is_authenticated and g.get("device_token_id"):
        return
    origin = request.headers.get("Origin") or request.headers.get("Referer")
    if origin and not origin_allowed(origin):
        raise ApiError(403, "Verzoek van een andere website geweigerd (Origin).")
    if request.endpoint == "auth.Login":
        return
    expected = session.get("csrf")
    sent = request.headers.get(CSRF_HEADER, "")
    if current_user.is_authenticated and not (expected and hmac.compare_digest(expected, sent)):
        raise ApiError(403, f"CSRF-token ontbreekt of klopt niet (header {CSRF_HEADER}).")


def init_app(app: Flask) -> None:
    """Wire flask-login, the cookie session interface and the CSRF check into the app."""
    login_manager.init_app(app)
    app.session_interface = ApiSessionInterface()
    app.before_request(_check_csrf)
