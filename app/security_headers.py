"""Security headers on every response: a strict Content-Security-Policy and friends.

Scripts and styles come only from this server (no CDN, no inline script); images may also come from
the configured map tile server, and `blob:`/`data:` for photo previews and Leaflet.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app


def content_security_policy(tile_url: str) -> str:
    """Return the CSP for pages that may show map tiles from `tile_url`."""
    parts = urlsplit(tile_url)
    tiles = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        # Leaflet positions tiles and markers with style attributes.
        "style-src 'self' 'unsafe-inline'",
        f"img-src 'self' data: blob: {tiles}".rstrip(),
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def _add_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response


def init_app(app: Flask) -> None:
    """Compute the policy once from the tile URL and add the headers to every response."""
    app.config.setdefault("CONTENT_SECURITY_POLICY", content_security_policy(app.config["TILE_URL"]))
    app.after_request(_add_headers)
