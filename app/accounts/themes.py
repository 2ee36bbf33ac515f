"""The themes a conversation, signal or idea can be about (for the chips in the field app)."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import select, true

from app.accounts.auth import login_required
from app.extensions import db
from app.models import DEFAULT_THEMES, Theme
from offline_sync import vocabulary
from offline_sync.messages_nl import DutchSchema

blp = Blueprint("themes", __name__, url_prefix="/api/v1/themes", description="Thema's")


class ThemeOut(DutchSchema):
    code = fields.String()
    label = fields.String()
    domain = fields.String(validate=validate.OneOf(vocabulary.THEME_DOMAINS))
    active = fields.Boolean()


class ThemesQuery(DutchSchema):
    all = fields.Boolean(load_default=False, metadata={"description": "Admins: include retired themes"})


@blp.route("")
class Themes(MethodView):
    @login_required
    @blp.arguments(ThemesQuery, location="query")
    @blp.response(200, ThemeOut(many=True))
    def get(self, query):
        """List the active themes in their display order (`?all=true`, admins: retired ones too)."""
        include_retired = query["all"] and current_user.role == "admin"
        condition = true() if include_retired else Theme.active.is_(True)
        return db.session.scalars(select(Theme).where(condition).order_by(Theme.sort_order, Theme.label))


def ensure_default_themes() -> None:
    """Add the default themes that are missing."""
    have = set(db.session.scalars(select(Theme.code)))
    for order, (code, label, domain) in enumerate(DEFAULT_THEMES):
        if code not in have:
            db.session.add(Theme(code=code, label=label, domain=domain, sort_order=order))
