"""Partner organisations and their people, for assigning signals."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import select

from app.accounts.auth import login_required
from app.extensions import db
from app.models import Organisation, User
from offline_sync import vocabulary
from offline_sync.messages_nl import DutchSchema

blp = Blueprint(
    "organisations", __name__, url_prefix="/api/v1/organisations", description="Partnerorganisaties"
)


class PersonOut(DutchSchema):
    id = fields.UUID()
    name = fields.String()
    role = fields.String()


class OrganisationOut(DutchSchema):
    id = fields.UUID()
    name = fields.String()
    kind = fields.String(validate=validate.OneOf(vocabulary.ORGANISATION_KINDS))
    users = fields.List(fields.Nested(PersonOut))


@blp.route("")
class Organisations(MethodView):
    @login_required
    @blp.response(200, OrganisationOut(many=True))
    def get(self):
        """Return all organisations sorted by name; for team roles each with its active users."""
        organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
        if current_user.role not in ("team", "manager", "admin"):
            return [{"id": o.id, "name": o.name, "kind": o.kind} for o in organisations]
        users = db.session.scalars(
            select(User).where(User.active.is_(True), User.organisation_id.is_not(None)).order_by(User.name)
        ).all()
        by_org: dict = {}
        for user in users:
            by_org.setdefault(user.organisation_id, []).append(user)
        return [
            {"id": o.id, "name": o.name, "kind": o.kind, "users": by_org.get(o.id, [])} for o in organisations
        ]
