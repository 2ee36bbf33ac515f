"""The themes a conversation, signal or idea can be about (for the chips in the field app)."""

from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from app.accounts.auth import login_required
from app.extensions import db
from app.models import DEFAULT_THEMES, Theme
from offline_sync import vocabulary

blp = Blueprint("themes", __name__, url_prefix="/api/v1/themes", description="Thema's")


class ThemeOut(Schema):
    code = fields.String()
    label = fields.String()
    domain = fields.String(validate=validate.OneOf(vocabulary.THEME_DOMAINS))


@blp.route("")
class Themes(MethodView):
    @login_required
    @blp.response(200, ThemeOut(many=True))
    def get(self):
        """List the active themes in their display order."""
        return db.session.scalars(select(Theme).where(Theme.active.is_(True)).order_by(Theme.sort_order, Theme.label))


def ensure_default_themes() -> None:
    """Add the default themes that are missing."""
    have = set(db.session.scalars(select(Theme.code)))
    for order, (code, label, domain) in enumerate(DEFAULT_THEMES):
        if code not in have:
            db.session.add(Theme(code=code, label=label, domain=domain, sort_order=order))
