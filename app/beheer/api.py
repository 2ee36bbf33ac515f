"""The administration API (role admin): people, organisations, themes and the audit logs."""

from __future__ import annotations

import uuid
from types import SimpleNamespace

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import fields, validate

from app.accounts.auth import login_required, role_required
from app.accounts.schemas import UserOut
from app.beheer import audit, catalogue, people
from app.errors import PROBLEM_JSON, ApiError, ProblemOut
from app.extensions import db
from app.models import ROLES_ORDER, Organisation, User
from offline_sync.messages_nl import DutchSchema
from offline_sync.vocabulary import ORGANISATION_KINDS, THEME_DOMAINS

blp = Blueprint("beheer_api", __name__, url_prefix="/api/v1", description="Beheer: mensen, organisaties, thema's")


def problems(*statuses: int):
    """Declare problem+json answers of a view in the OpenAPI document."""

    def decorate(view):
        for status in statuses:
            view = blp.alt_response(status, schema=ProblemOut, content_type=PROBLEM_JSON)(view)
        return view

    return decorate


admin_only = role_required("admin")


class PersonAdminOut(UserOut):
    active = fields.Boolean()
    must_change_password = fields.Boolean()
    last_seen_at = fields.DateTime(allow_none=True)
    password = fields.String(metadata={"description": "Only once, right after a password was generated"})


class PeopleOut(DutchSchema):
    items = fields.List(fields.Nested(PersonAdminOut))


class PeopleQuery(DutchSchema):
    q = fields.String(load_default="", validate=validate.Length(max=200))
    role = fields.String(load_default=None, validate=validate.OneOf(ROLES_ORDER))
    organisation = fields.UUID(load_default=None)
    active = fields.Boolean(load_default=None)


class PersonIn(DutchSchema):
    email = fields.Email(required=True, validate=validate.Length(max=320))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    role = fields.String(required=True, validate=validate.OneOf(ROLES_ORDER))
    organisation = fields.UUID(load_default=None, allow_none=True)
    buurten = fields.List(fields.String(validate=validate.Length(max=16)), load_default=list)
    password = fields.String(load_default=None, validate=validate.Length(min=people.MIN_PASSWORD_LENGTH, max=1024))


class PersonPatch(DutchSchema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    role = fields.String(validate=validate.OneOf(ROLES_ORDER))
    organisation = fields.UUID(allow_none=True)
    buurten = fields.List(fields.String(validate=validate.Length(max=16)))
    active = fields.Boolean()


class PasswordOut(DutchSchema):
    password = fields.String()


class OwnPasswordIn(DutchSchema):
    current_password = fields.String(required=True, validate=validate.Length(max=1024))
    new_password = fields.String(required=True, validate=validate.Length(max=1024))


class DeviceOut(DutchSchema):
    id = fields.UUID()
    name = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime()
    expires_at = fields.DateTime()


def _person(user_id: uuid.UUID) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise ApiError(404, "Deze persoon bestaat niet.")
    return user


@blp.route("/users")
class People(MethodView):
    @admin_only
    @blp.arguments(PeopleQuery, location="query")
    @blp.response(200, PeopleOut)
    @problems(401, 403)
    def get(self, query):
        """List people, searched by name or e-mail and filtered by role, organisation and active."""
        users = people.list_people(people.PeopleFilter(query["q"], query["role"], query["organisation"],
                                                       query["active"]))
        last_seen = people.last_seen(users)
        return {"items": [_with_last_seen(u, last_seen) for u in users]}

    @admin_only
    @blp.arguments(PersonIn)
    @blp.response(201, PersonAdminOut)
    @problems(400, 401, 403, 409)
    def post(self, body):
        """Add a person; without `password` a generated one is returned once and must be changed."""
        user, generated = people.create_person(current_user, body["email"], body["name"], body["role"],
                                               body["organisation"], body["buurten"], body["password"])
        db.session.commit()
        out = _with_last_seen(user, {})
        if generated:
            out.password = generated
        return out, 201, {"Location": f"/api/v1/users/{user.id}", "Cache-Control": "no-store"}


PERSON_FIELDS = ("id", "email", "name", "role", "organisation", "buurten", "active", "must_change_password")


def _with_last_seen(user: User, last_seen: dict) -> SimpleNamespace:
    """Return what PersonAdminOut dumps: the user with the later of sign-in and device use."""
    return SimpleNamespace(**{f: getattr(user, f) for f in PERSON_FIELDS},
                           last_seen_at=last_seen.get(user.id, user.last_seen_at))


@blp.route("/users/<uuid:user_id>")
class Person(MethodView):
    @admin_only
    @blp.response(200, PersonAdminOut)
    @problems(401, 403, 404)
    def get(self, user_id: uuid.UUID):
        """Return one person."""
        user = _person(user_id)
        return _with_last_seen(user, people.last_seen([user]))

    @admin_only
    @blp.arguments(PersonPatch)
    @blp.response(200, PersonAdminOut)
    @problems(400, 401, 403, 404, 409)
    def patch(self, body, user_id: uuid.UUID):
        """Change name, role, organisation, buurten or active; `active: false` signs every device out."""
        user = people.update_person(current_user, _person(user_id), body)
        db.session.commit()
        return _with_last_seen(user, people.last_seen([user]))


@blp.route("/users/<uuid:user_id>/password")
class PersonPassword(MethodView):
    @admin_only
    @blp.response(200, PasswordOut, headers={"Cache-Control": {"schema": {"type": "string"}}})
    @problems(401, 403, 404)
    def post(self, user_id: uuid.UUID):
        """Generate a new password (shown once); every device of the person is signed out."""
        password = people.reset_password(current_user, _person(user_id))
        db.session.commit()
        return {"password": password}, 200, {"Cache-Control": "no-store"}


@blp.route("/users/<uuid:user_id>/devices")
class PersonDevices(MethodView):
    @admin_only
    @blp.response(200, DeviceOut(many=True))
    @problems(401, 403, 404)
    def get(self, user_id: uuid.UUID):
        """List the signed-in devices of a person, most recently used first."""
        return people.devices(_person(user_id))


@blp.route("/users/<uuid:user_id>/devices/<uuid:token_id>")
class PersonDevice(MethodView):
    @admin_only
    @blp.response(204)
    @problems(401, 403, 404)
    def delete(self, user_id: uuid.UUID, token_id: uuid.UUID):
        """Sign one device of a person out."""
        people.revoke_device(current_user, _person(user_id), token_id)
        db.session.commit()


@blp.route("/auth/password")
class OwnPassword(MethodView):
    @login_required
    @blp.arguments(OwnPasswordIn)
    @blp.response(204)
    @problems(400, 401, 403)
    def post(self, body):
        """Choose a new password (at least 12 characters); clears `must_change_password`."""
        people.change_own_password(current_user, body["current_password"], body["new_password"])
        db.session.commit()


class RecordRef(DutchSchema):
    entity = fields.String(required=True, validate=validate.OneOf(("conversation", "signal", "idea", "followup")))
    id = fields.UUID(required=True)


class HandoverIn(DutchSchema):
    from_user = fields.UUID(required=True, metadata={"description": "Who typed the items (the phone's previous user)"})
    records = fields.List(fields.Nested(RecordRef), required=True, validate=validate.Length(min=1, max=5000))


class HandoverOut(DutchSchema):
    recorded = fields.Integer()


@blp.route("/sync/handover")
class Handover(MethodView):
    @login_required
    @blp.arguments(HandoverIn)
    @blp.response(201, HandoverOut)
    @problems(400, 401, 403)
    def post(self, body):
        """Note that this phone's waiting items, typed by someone else, are sent under my name.

        Called by the field app before it pushes another person's outbox (e.g. a colleague who left);
        the original author is kept in the admin audit log (`sync.handover`).
        """
        author = db.session.get(User, body["from_user"])
        if author is None or author.id == current_user.id:
            raise ApiError(400, "De invoer is ongeldig.", {"from_user": ["Onbekende of eigen gebruiker."]})
        records = [f"{r['entity']}:{r['id']}" for r in body["records"]]
        audit.record_admin_action(current_user, "sync.handover", author, {"author": author.email},
                                  {"sent_by": current_user.email, "records": records})
        db.session.commit()
        return {"recorded": len(records)}, 201


class OrganisationIn(DutchSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    kind = fields.String(load_default="other", validate=validate.OneOf(ORGANISATION_KINDS))


class OrganisationPatch(DutchSchema):
    name = fields.String(validate=validate.Length(min=1, max=200))
    kind = fields.String(validate=validate.OneOf(ORGANISATION_KINDS))


class OrganisationAdminOut(DutchSchema):
    id = fields.UUID()
    name = fields.String()
    kind = fields.String()


@blp.route("/organisations")
class OrganisationCreate(MethodView):
    @admin_only
    @blp.arguments(OrganisationIn)
    @blp.response(201, OrganisationAdminOut)
    @problems(400, 401, 403, 409)
    def post(self, body):
        """Add an organisation (kind gemeente, woningcorporatie, welzijn or other)."""
        org = catalogue.create_organisation(current_user, body["name"], body["kind"])
        db.session.commit()
        return org, 201, {"Location": f"/api/v1/organisations/{org.id}"}


@blp.route("/organisations/<uuid:org_id>")
class OrganisationById(MethodView):
    @admin_only
    @blp.arguments(OrganisationPatch)
    @blp.response(200, OrganisationAdminOut)
    @problems(400, 401, 403, 404, 409)
    def patch(self, body, org_id: uuid.UUID):
        """Rename an organisation or change its kind."""
        org = db.session.get(Organisation, org_id)
        if org is None:
            raise ApiError(404, "Deze organisatie bestaat niet.")
        catalogue.update_organisation(current_user, org, body)
        db.session.commit()
        return org


class ThemeIn(DutchSchema):
    code = fields.String(required=True, validate=validate.Regexp(
        f"^{catalogue.THEME_CODE}$", error="Alleen kleine letters, cijfers en _, beginnend met een letter."))
    label = fields.String(required=True, validate=validate.Length(min=1, max=200))
    domain = fields.String(required=True, validate=validate.OneOf(THEME_DOMAINS))


class ThemePatch(DutchSchema):
    label = fields.String(validate=validate.Length(min=1, max=200))
    domain = fields.String(validate=validate.OneOf(THEME_DOMAINS))
    active = fields.Boolean()


class ThemeAdminOut(DutchSchema):
    code = fields.String()
    label = fields.String()
    domain = fields.String()
    active = fields.Boolean()


@blp.route("/themes")
class ThemeCreate(MethodView):
    @admin_only
    @blp.arguments(ThemeIn)
    @blp.response(201, ThemeAdminOut)
    @problems(400, 401, 403, 409)
    def post(self, body):
        """Add a theme; it is offered in the field app from the next reference refresh."""
        theme = catalogue.create_theme(current_user, body["code"], body["label"], body["domain"])
        db.session.commit()
        return theme, 201, {"Location": f"/api/v1/themes/{theme.code}"}


@blp.route("/themes/<string:code>")
class ThemeByCode(MethodView):
    @admin_only
    @blp.arguments(ThemePatch)
    @blp.response(200, ThemeAdminOut)
    @problems(400, 401, 403, 404)
    def patch(self, body, code: str):
        """Rename a theme, change its domain, or retire it (`active: false`: kept on old records)."""
        theme = catalogue.theme(code)
        catalogue.update_theme(current_user, theme, body)
        db.session.commit()
        return theme


class AuditQuery(DutchSchema):
    kind = fields.String(load_default="admin_action", validate=validate.OneOf(("contact_access", "admin_action")))
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=10_000_000))


class AuditOut(DutchSchema):
    items = fields.List(fields.Dict(), metadata={"description": "Newest first"})


@blp.route("/admin/audit")
class Audit(MethodView):
    @admin_only
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditOut)
    @problems(400, 401, 403)
    def get(self, query):
        """The admin audit log (`kind=admin_action`) or the contact access log (`kind=contact_access`)."""
        if query["kind"] == "admin_action":
            rows = audit.admin_actions(query["limit"], query["offset"])
            return {"items": [audit.action_item(r) for r in rows]}
        return {"items": audit.contact_access_items(query["limit"], query["offset"])}

