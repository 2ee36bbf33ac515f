"""Marshmallow schemas shared by several API modules."""

from __future__ import annotations

from marshmallow import fields

from offline_sync.messages_nl import DutchSchema


class UserOut(DutchSchema):
    """A user as the API shows it."""

    id = fields.UUID()
    email = fields.String()
    name = fields.String()
    role = fields.String()
    organisation = fields.Method("_organisation")
    buurten = fields.List(fields.String())

    def _organisation(self, user):
        org = user.organisation
        return None if org is None else {"id": str(org.id), "name": org.name, "kind": org.kind}


class DeviceTokenOut(DutchSchema):
    """A device token; `token` is only present right after it was issued."""

    id = fields.UUID()
    token = fields.String()
    name = fields.String()
    expires_at = fields.DateTime()
