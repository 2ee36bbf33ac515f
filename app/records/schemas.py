"""Response and request shapes of the record and sync API, for the OpenAPI document.

The views build their answers with `offline_sync` (records as pull shows them); these schemas only
describe them (declared with `alt_response(..., success=True)` / `doc(requestBody=...)`, so nothing is
re-serialised). Field sets per entity are in docs/sync-protocol.md; records carry every field of their
entity besides the common ones listed here.
"""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields


class RecordOut(Schema):
    """A record in its wire shape; the entity's own fields (docs/sync-protocol.md) come on top."""

    class Meta:
        unknown = INCLUDE

    id = fields.UUID(required=True)
    version = fields.Integer(required=True)
    created_at = fields.String(allow_none=True)
    updated_at = fields.String(allow_none=True)
    created_by = fields.String(allow_none=True)
    buurt_code = fields.String(allow_none=True)
    location = fields.Dict(allow_none=True, metadata={"description": "{lat, lon, accuracy_m} or null"})
    has_conflict = fields.Boolean()
    deleted = fields.Boolean()


class RecordWithConflictsOut(RecordOut):
    conflicts = fields.List(fields.Raw(), metadata={"description": "Fields where this edit met a later one"})


class FollowupsOut(Schema):
    followups = fields.List(fields.Nested(RecordOut), required=True)


class ConflictOut(Schema):
    field = fields.String()
    server_value = fields.Raw(allow_none=True)
    client_value = fields.Raw(allow_none=True)
    version = fields.Integer(allow_none=True)
    user = fields.String(allow_none=True)
    created_at = fields.String(allow_none=True)
    resolved_at = fields.String(allow_none=True)


class ConflictsOut(Schema):
    conflicts = fields.List(fields.Nested(ConflictOut), required=True)


class ChangeOut(Schema):
    version = fields.Integer()
    user = fields.String(allow_none=True)
    changed_at = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    changes = fields.Dict(keys=fields.String(), values=fields.Raw(),
                          metadata={"description": "{field: [old, new]}"})


class HistoryOut(Schema):
    history = fields.List(fields.Nested(ChangeOut), required=True)


class ContactOut(Schema):
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    consent_at = fields.String(allow_none=True)
    purge_after = fields.String(allow_none=True)


class ContactsOut(Schema):
    contacts = fields.List(fields.Nested(ContactOut), required=True)


class RecordPatchIn(Schema):
    """PATCH body: `base_version` plus the fields to change (the entity's fields, docs/sync-protocol.md)."""

    class Meta:
        unknown = INCLUDE

    base_version = fields.Integer(required=True, metadata={"minimum": 0})
