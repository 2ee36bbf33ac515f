"""Third-party assets served from pip packages (no CDN): Leaflet from xstatic-leaflet."""

from __future__ import annotations

import xstatic.pkg.leaflet as xleaflet
from flask import Blueprint, send_from_directory

blp = Blueprint("vendor", __name__)


def leaflet_version() -> str:
    """Leaflet's release as packaged (xstatic's own packaging number included), e.g. "1.9.3.0"."""
    return xleaflet.VERSION + "." + str(xleaflet.BUILD)


@blp.get("/vendor/leaflet/<path:filename>")
def leaflet(filename: str):
    """Serve Leaflet's JS, CSS and marker images from the installed package (cache headers: app.serving)."""
    return send_from_directory(xleaflet.BASE_DIR, filename)
