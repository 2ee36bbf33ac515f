"""Limits on what a request may carry, checked before any view: body size and unstorable query text.

Werkzeug caps a body without Content-Length (chunked) at the limit but silently: the view would get a
truncated body and answer "not valid JSON" or "hash mismatch". Reading one byte more than the limit
tells a too large body apart, so it gets 413 whether or not it declared its length.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from app.errors import ApiError
from offline_sync.values import text_problem

BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def read_body(limit: int, message: str) -> bytes:
    """Return the request body, or raise a 413 problem when it is longer than `limit` bytes."""
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, message)
    if "body_read" not in request.environ:
        request.max_content_length = limit + 1
    try:
        data = request.get_data(cache=True)
    except RequestEntityTooLarge as exc:
        raise ApiError(413, message) from exc
    if len(data) > limit:
        raise ApiError(413, message)
    return data


def _bounded_body() -> None:
    """Read a body of unknown length within MAX_CONTENT_LENGTH (+1 byte to notice more), else 413."""
    if request.method not in BODY_METHODS or request.content_length is not None:
        return
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    read_body(limit, f"Het verzoek is groter dan {limit // (1024 * 1024)} MB.")
    request.environ["body_read"] = True


def _storable_query() -> None:
    """Refuse query parameters and paths that no database can compare against (400, not 5xx)."""
    for name, value in request.args.items(multi=True):
        reason = text_problem(name) or text_problem(value)
        if reason:
            raise ApiError(400, f"Ongeldige parameter: {reason}", {_safe(name): [reason]})
    if reason := text_problem(request.path):
        raise ApiError(400, f"Ongeldig pad: {reason}")


def _safe(name: str) -> str:
    return name.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode()


def init_app(app: Flask) -> None:
    """Register the checks (after the write-lock hook, before authentication touches the body)."""
    app.before_request(_storable_query)
    app.before_request(_bounded_body)
