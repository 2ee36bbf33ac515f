"""RFC 9457 problem+json for every error under /api/ (and /healthz)."""

from __future__ import annotations

import logging

from flask import Flask, Response, json, request
from marshmallow import fields
from werkzeug.exceptions import HTTPException

from app.error_pages import error_page
from app.extensions import db
from offline_sync.messages_nl import DutchSchema

log = logging.getLogger(__name__)

PROBLEM_TYPE = "about:blank"
PROBLEM_JSON = "application/problem+json"


class ProblemOut(DutchSchema):
    """An RFC 9457 problem, for declaring error responses in the OpenAPI document."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class ApiError(HTTPException):
    """An HTTP error with a detail text and optional per-field errors, rendered as a problem."""

    def __init__(self, status: int, detail: str, errors: dict | None = None, title: str | None = None,
                 type_: str | None = None):
        super().__init__(description=detail)
        self.code = status
        self.errors = errors
        self.title = title
        self.type = type_


def problem(status: int, detail: str, errors: dict | None = None, title: str | None = None,
            type_: str | None = None) -> Response:
    """Build an application/problem+json response."""
    from werkzeug.http import HTTP_STATUS_CODES  # noqa: PLC0415

    body = {
        "type": type_ or PROBLEM_TYPE,
        "title": title or HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    return Response(json.dumps(body), status=status, mimetype="application/problem+json")


def wants_problem() -> bool:
    """Return whether this request gets problem+json instead of an HTML error page."""
    path = request.path
    return (
        path.startswith("/api/")
        or path == "/healthz"
        or request.accept_mimetypes.best
        in (
            "application/json",
            "application/problem+json",
        )
    )


def _errors_from(exc: HTTPException) -> dict | None:
    if isinstance(exc, ApiError):
        return exc.errors
    # webargs/flask-smorest put marshmallow messages on exc.data["messages"] = {location: {...}}.
    data = getattr(exc, "data", None) or {}
    messages = data.get("messages")
    if isinstance(messages, dict):
        merged: dict = {}
        for location_messages in messages.values():
            if isinstance(location_messages, dict):
                merged.update(location_messages)
        return merged or messages
    return None


def handle_http_exception(exc: HTTPException):
    """Render an HTTP error as problem+json under /api/, as the product's Dutch page elsewhere."""
    if not wants_problem():
        if (exc.code or 500) < 400:
            return exc  # routing redirects are responses, not errors
        kept = {k: v for k, v in exc.get_response().headers.items()
                if k in ("Allow", "Retry-After", "WWW-Authenticate")}
        return error_page(exc.code or 500, kept)
    status = exc.code or 500
    errors = _errors_from(exc)
    if status == 422:
        status = 400  # validation errors are 400 by the contract
    detail = exc.description or ""
    if errors and status == 400 and not isinstance(exc, ApiError):
        detail = "De invoer is ongeldig."
    title = exc.title if isinstance(exc, ApiError) else None
    response = problem(status, detail, errors, title, exc.type if isinstance(exc, ApiError) else None)
    for header, value in exc.get_response().headers.items() if status in (405, 429) else []:
        if header in ("Allow", "Retry-After") or header.startswith("X-RateLimit"):
            response.headers[header] = value
    return response


def handle_too_deep(exc: RecursionError):
    """JSON nested deeper than the parser goes (about 900 levels) is bad input, not a server error."""
    db.session.rollback()
    log.warning("input nested too deep on %s %s", request.method, request.path)
    return problem(400, "De invoer is te diep genest om te lezen (JSON).")


def handle_unexpected(exc: Exception):
    """Roll back, log and answer 500 without leaking internals."""
    db.session.rollback()
    log.exception("unhandled error on %s %s", request.method, request.path)
    if not wants_problem():
        return error_page(500)
    return problem(500, "Er ging iets mis op de server. De fout is gelogd.")


def init_app(app: Flask) -> None:
    """Register the error handlers (after flask-smorest so ours win)."""
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(RecursionError, handle_too_deep)
    app.register_error_handler(Exception, handle_unexpected)
