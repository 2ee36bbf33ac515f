"""Third-party assets served from pip packages (no CDN): Leaflet from xstatic-leaflet."""

from __future__ import annotations

import xstatic.pkg.leaflet as xleaflet
from flask import Blueprint, send_from_directory

blp = Blueprint("vendor", __name__)


@blp.get("/vendor/leaflet/<path:filename>")
def leaflet(filename: str):
    """Serve Leaflet's JS, CSS and marker images from the installed package."""
    response = send_from_directory(xleaflet.BASE_DIR, filename, max_age=86400)
    return response
