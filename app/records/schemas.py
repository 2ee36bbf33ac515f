"""Response and request shapes of the record and sync API, for the OpenAPI document.

The views build their answers with `offline_sync` (records as pull shows them); these schemas only
describe them (declared with `alt_response(..., success=True)` / `doc(requestBody=...)`, so nothing is
re-serialised). Field sets per entity are in docs/sync-protocol.md; records carry every field of their
entity besides the common ones listed here.
"""

from __future__ import annotations

from marshmallow import INCLUDE, fields

from offline_sync.messages_nl import DutchSchema
from offline_sync.schemas import MutationSchema


class RecordOut(DutchSchema):
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


class FollowupsOut(DutchSchema):
    followups = fields.List(fields.Nested(RecordOut), required=True)


class ConflictOut(DutchSchema):
    field = fields.String()
    server_value = fields.Raw(allow_none=True)
    client_value = fields.Raw(allow_none=True)
    version = fields.Integer(allow_none=True)
    user = fields.String(allow_none=True)
    created_at = fields.String(allow_none=True)
    resolved_at = fields.String(allow_none=True)


class ConflictsOut(DutchSchema):
    conflicts = fields.List(fields.Nested(ConflictOut), required=True)


class ChangeOut(DutchSchema):
    version = fields.Integer()
    user = fields.String(allow_none=True)
    changed_at = fields.String(allow_none=True)
    source = fields.String(allow_none=True)
    changes = fields.Dict(keys=fields.String(), values=fields.Raw(),
                          metadata={"description": "{field: [old, new]}"})


class HistoryOut(DutchSchema):
    history = fields.List(fields.Nested(ChangeOut), required=True)


class ContactOut(DutchSchema):
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    consent_at = fields.String(allow_none=True)
    purge_after = fields.String(allow_none=True)


class ContactsOut(DutchSchema):
    contacts = fields.List(fields.Nested(ContactOut), required=True)


class RecordPatchIn(DutchSchema):
    """PATCH body: `base_version` plus the fields to change (the entity's fields, docs/sync-protocol.md)."""

    class Meta:
        unknown = INCLUDE

    base_version = fields.Integer(required=True, metadata={"minimum": 0})


class PushIn(DutchSchema):
    """The push envelope (docs/sync-protocol.md, "Push"): at most 500 mutations and 2 MB."""

    client_id = fields.UUID(required=True)
    schema_version = fields.Integer(required=True, metadata={"description": "1"})
    mutations = fields.List(fields.Nested(MutationSchema), required=True)


class PushResult(DutchSchema):
    """One mutation's outcome: applied, duplicate, conflict or rejected (all mean "the server has it")."""

    class Meta:
        unknown = INCLUDE

    mutation_id = fields.Integer(allow_none=True)
    status = fields.String(required=True)
    id = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)
    conflicts = fields.List(fields.Raw())
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())
    original_status = fields.String()


class PushOut(DutchSchema):
    results = fields.List(fields.Nested(PushResult), required=True)
    last_mutation_id = fields.Integer(allow_none=True)


class PullChange(DutchSchema):
    """A change in the feed: the whole current record."""

    entity = fields.String(required=True)
    id = fields.UUID(required=True)
    version = fields.Integer(required=True)
    deleted = fields.Boolean(required=True)
    record = fields.Nested(RecordOut, required=True)


class PullOut(DutchSchema):
    changes = fields.List(fields.Nested(PullChange), required=True)
    cursor = fields.String(required=True)
    has_more = fields.Boolean(required=True)
    reset = fields.Boolean(required=True)


class QuarantinedOut(DutchSchema):
    id = fields.Integer()
    client_id = fields.String()
    mutation_id = fields.Integer(allow_none=True)
    user_id = fields.String(allow_none=True)
    payload = fields.Raw(allow_none=True)
    errors = fields.Raw(allow_none=True)
    created_at = fields.String(allow_none=True)
    resolved_at = fields.String(allow_none=True)


class QuarantineOut(DutchSchema):
    items = fields.List(fields.Nested(QuarantinedOut), required=True)
    total = fields.Integer(required=True)


class QuarantineResolvedOut(DutchSchema):
    id = fields.Integer()
    resolved_at = fields.String(allow_none=True)
