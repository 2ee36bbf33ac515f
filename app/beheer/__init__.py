"""Beheer: people, organisations, themes, buurten, quarantine, audits and retention, for admins."""

from flask import Flask


def init_app(app: Flask) -> None:
    """Register the administration API, the /beheer pages and the own-password page."""
    from app.beheer import api, pages, password_page  # noqa: PLC0415
    from app.extensions import api as smorest_api  # noqa: PLC0415

    smorest_api.register_blueprint(api.blp)
    app.register_blueprint(pages.blp)
    app.register_blueprint(password_page.blp)
