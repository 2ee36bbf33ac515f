"""Marshmallow schemas of the sync messages: the push envelope, one mutation and each entity's fields.

Loading returns values in wire form (see `offline_sync.records`): UUIDs and dates as strings,
datetimes as ISO 8601 in UTC, so they compare equal to what pull returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, post_load, pre_load, validate, validates_schema

from offline_sync import vocabulary
from offline_sync.messages_nl import DutchSchema
from offline_sync.records import ENTITY_FIELDS, to_wire
from offline_sync.values import YEAR, in_years, problems_by_field

SCHEMA_VERSION = 1
MAX_MUTATIONS = 500
MAX_PUSH_BYTES = 2 * 1024 * 1024
MAX_MUTATION_ID = 2**62
ENTITIES = tuple(ENTITY_FIELDS)
OPS = ("upsert", "delete")
#: Fields the server owns; a client may echo them back in `fields`, they are ignored.
SERVER_FIELDS = frozenset({"id", "version", "created_at", "updated_at", "created_by", "has_conflict", "deleted",
                           "status_from", "done_at", "status_changed_at", "status_changed_by_name"})
SHA256 = validate.Regexp(r"^[0-9a-f]{64}$", error="Geen SHA-256 (64 kleine hexadecimale tekens).")
LIMITS_TEXT = f"hoogstens {MAX_MUTATIONS} mutaties en {MAX_PUSH_BYTES // (1024 * 1024)} MB per push"


def within_years(value: date | datetime) -> None:
    """Refuse a date or time the databases cannot store or compare (docs/API.md "Trust rules")."""
    if not in_years(value):
        raise ValidationError(YEAR)


class WireSchema(DutchSchema):
    """The fields of one entity: only storable values, returned in wire form.

    Every entity's schema derives from this one, so every value of every entity passes the same
    storability check (offline_sync.values) before anything else looks at it.
    """

    class Meta:
        unknown = RAISE

    @pre_load
    def _storable(self, data, **_kw):
        if isinstance(data, dict) and (errors := problems_by_field(data)):
            raise ValidationError(errors)
        return data

    @post_load
    def _wire(self, data: dict, **_kw) -> dict:
        errors = {k: [YEAR] for k, v in data.items() if isinstance(v, date | datetime) and not in_years(v)}
        if errors:
            raise ValidationError(errors)
        return {k: to_wire(k, v) if k not in ("location", "resident_contact") else v for k, v in data.items()}


class LocationSchema(DutchSchema):
    lat = fields.Float(required=True, allow_nan=False, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, allow_nan=False, validate=validate.Range(-180, 180))
    accuracy_m = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                              validate=validate.Range(0, 100_000))


class ContactSchema(DutchSchema):
    """Resident contact details; only accepted with the resident's explicit consent."""

    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    phone = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=320))
    consent = fields.Boolean(required=True, validate=validate.Equal(
        True, error="Contactgegevens alleen met toestemming van de bewoner (consent: true)."))
    #: The resident wants to hear back (status e-mails); needs an e-mail address.
    updates = fields.Boolean(load_default=False)

    @validates_schema
    def _updates_need_email(self, data: dict, **_kw) -> None:
        if data.get("updates") and not data.get("email"):
            raise ValidationError("Op de hoogte houden kan alleen met een e-mailadres.", "email")

    @pre_load
    def _consent_is_a_boolean(self, data, **_kw):
        # Consent is given explicitly: `true`, not "true", 1 or "ja".
        if isinstance(data, dict) and "consent" in data and not isinstance(data["consent"], bool):
            raise ValidationError({"consent": ["Toestemming is true of false."]})
        return data


CONSENT_REQUIRED = "Contactgegevens alleen met toestemming van de bewoner (consent: true)."


class LocatedFields(WireSchema):
    occurred_at = fields.AwareDateTime()
    location = fields.Nested(LocationSchema, allow_none=True)
    buurt_code = fields.String(allow_none=True, validate=validate.Length(max=16))
    resident_contact = fields.Nested(ContactSchema)

    @validates_schema
    def _consent(self, data: dict, **_kw) -> None:
        # Loading with partial=True (edits) makes nested fields partial too, so `required` on
        # `consent` alone does not hold: check it here, for every kind of load.
        contact = data.get("resident_contact")
        if contact is not None and contact.get("consent") is not True:
            raise ValidationError(CONSENT_REQUIRED, field_name="resident_contact")


def _text(max_len: int, **kw) -> fields.String:
    return fields.String(validate=validate.Length(max=max_len), **kw)


def _status(entity: str, **kw) -> fields.String:
    return fields.String(validate=validate.OneOf(tuple(vocabulary.STATUS[entity])), **kw)


class PublicFields(Schema):
    """What staff write for the resident and the buurt: a note, and whether the buurt page shows it."""

    public_note = fields.String(allow_none=True, validate=validate.Length(max=1000))
    public = fields.Boolean()


class ConversationFields(LocatedFields):
    setting = fields.String(required=True, validate=validate.OneOf(vocabulary.SETTINGS))
    residents_count = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))
    themes = fields.List(fields.String(validate=validate.Length(min=1, max=64)), validate=validate.Length(max=50))
    summary = _text(4000)
    follow_up_needed = fields.Boolean()
    gathering_id = fields.UUID(allow_none=True)


class SignalFields(LocatedFields, PublicFields):
    conversation_id = fields.UUID(allow_none=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = _text(20_000)
    theme = fields.String(allow_none=True, validate=validate.Length(max=64))
    domain = fields.String(validate=validate.OneOf(vocabulary.DOMAINS))
    urgency = fields.String(validate=validate.OneOf(vocabulary.URGENCIES))
    status = _status("signal")
    organisation = fields.UUID(allow_none=True)
    assignee = fields.UUID(allow_none=True)
    due_date = fields.Date(allow_none=True)
    photos = fields.List(fields.String(validate=SHA256), validate=validate.Length(max=50))


class IdeaFields(LocatedFields, PublicFields):
    conversation_id = fields.UUID(allow_none=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    description = _text(20_000)
    theme = fields.String(allow_none=True, validate=validate.Length(max=64))
    initiators_count = fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000))
    support = fields.List(fields.String(validate=validate.OneOf(vocabulary.SUPPORT_KINDS)))
    budget_requested_cents = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0))
    budget_granted_cents = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0))
    status = _status("idea")
    photos = fields.List(fields.String(validate=SHA256), validate=validate.Length(max=50))
    budget_id = fields.UUID(allow_none=True)
    budget_spent_cents = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0))
    requirements = fields.List(fields.String(validate=validate.OneOf(vocabulary.REQUIREMENTS)),
                               validate=validate.Length(max=2))


class GatheringFields(LocatedFields):
    class Meta:
        unknown = RAISE
        exclude = ("resident_contact",)  # a bijeenkomst keeps no resident's contact details

    occurred_at = fields.AwareDateTime(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(vocabulary.GATHERING_KINDS))
    title = _text(200)
    attendance_count = fields.Integer(strict=True, validate=validate.Range(min=0, max=100_000))
    organisations = fields.List(fields.UUID(), validate=validate.Length(max=50))
    notes = _text(20_000)
    idea_id = fields.UUID(allow_none=True)
    ended_at = fields.AwareDateTime(allow_none=True)


class FollowupFields(WireSchema):
    parent_entity = fields.String(required=True, validate=validate.OneOf(("signal", "idea")))
    parent_id = fields.UUID(required=True)
    text = _text(20_000)
    status_to = fields.String(allow_none=True, validate=validate.Length(max=32))
    #: Optional: the parent's version the author saw; lets a stale status change become a conflict.
    parent_version = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=0))


FIELD_SCHEMAS: dict[str, Schema] = {
    "conversation": ConversationFields(),
    "signal": SignalFields(),
    "idea": IdeaFields(),
    "gathering": GatheringFields(),
    "followup": FollowupFields(),
}


class MutationSchema(DutchSchema):
    """One mutation in a push; `fields` are checked per entity by `load_mutation`."""

    class Meta:
        unknown = EXCLUDE

    mutation_id = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=MAX_MUTATION_ID))
    entity = fields.String(required=True, validate=validate.OneOf(ENTITIES))
    op = fields.String(required=True, validate=validate.OneOf(OPS))
    id = fields.UUID(required=True)
    base_version = fields.Integer(strict=True, load_default=None, allow_none=True, validate=validate.Range(min=0))
    fields_ = fields.Dict(data_key="fields", keys=fields.String(), load_default=dict)
    client_time = fields.AwareDateTime(load_default=None, allow_none=True, validate=within_years)


class EnvelopeSchema(DutchSchema):
    """The push envelope; each mutation only needs an integer `mutation_id` here."""

    class Meta:
        unknown = EXCLUDE

    client_id = fields.UUID(required=True)
    schema_version = fields.Integer(strict=True, required=True)
    mutations = fields.List(fields.Raw(), required=True)


MUTATION_SCHEMA = MutationSchema()
ENVELOPE_SCHEMA = EnvelopeSchema()


@dataclass
class Mutation:
    """A validated mutation; `fields` in wire form."""

    mutation_id: int
    entity: str
    op: str
    id: str
    base_version: int | None
    fields: dict[str, Any]
    payload: dict = field(repr=False, default_factory=dict)
    #: When the phone made the change (ISO 8601, UTC), if it said so.
    client_time: str | None = None


@dataclass
class Rejection:
    """A mutation that failed validation before the engine looked at any record."""

    mutation_id: int
    id: str | None
    entity: str | None
    errors: dict
    payload: dict = field(repr=False, default_factory=dict)


class EnvelopeError(Exception):
    """The push as a whole is unacceptable: 400, 409 or 413."""

    def __init__(self, status: int, detail: str, errors: dict | None = None):
        super().__init__(detail)
        self.status, self.detail, self.errors = status, detail, errors


def load_envelope(body: Any) -> tuple[str, list[dict]]:
    """Check the envelope of a push and return (client_id, raw mutations)."""
    if not isinstance(body, dict):
        raise EnvelopeError(400, "De push moet een JSON-object zijn.")
    mutations = body.get("mutations")
    if isinstance(mutations, list) and len(mutations) > MAX_MUTATIONS:
        raise EnvelopeError(413, f"Te veel mutaties ({len(mutations)}): {LIMITS_TEXT}.")
    version = body.get("schema_version")
    if isinstance(version, int) and not isinstance(version, bool) and version != SCHEMA_VERSION:
        raise EnvelopeError(409, f"Onbekende schema_version {version}; deze server kent {SCHEMA_VERSION}.")
    try:
        envelope = ENVELOPE_SCHEMA.load(body)
    except ValidationError as exc:
        raise EnvelopeError(400, "De push is ongeldig.", exc.messages) from exc
    id_errors = {}
    for index, raw in enumerate(envelope["mutations"]):
        if not isinstance(raw, dict):
            id_errors[str(index)] = {"_schema": ["Een mutatie is een JSON-object."]}
            continue
        mutation_id = raw.get("mutation_id")
        if type(mutation_id) is not int or not 1 <= mutation_id <= MAX_MUTATION_ID:
            id_errors[str(index)] = {"mutation_id": ["Geheel getal >= 1 verplicht."]}
    if id_errors:
        raise EnvelopeError(400, "Elke mutatie heeft een geheel getal mutation_id >= 1 nodig.",
                            {"mutations": id_errors})
    return str(envelope["client_id"]), envelope["mutations"]


def load_mutation(raw: dict) -> Mutation | Rejection:
    """Validate one mutation (head and entity fields); never raises."""
    head_errors = problems_by_field({k: v for k, v in raw.items() if k != "fields"})
    if head_errors:
        return Rejection(raw["mutation_id"], _str_or_none(raw.get("id")), _str_or_none(raw.get("entity")),
                         head_errors, raw)
    try:
        head = MUTATION_SCHEMA.load(raw)
    except ValidationError as exc:
        return Rejection(raw["mutation_id"], _str_or_none(raw.get("id")), _str_or_none(raw.get("entity")),
                         exc.messages, raw)
    entity, op = head["entity"], head["op"]
    values = {}
    if op == "upsert":
        sent = {k: v for k, v in head["fields_"].items() if k not in SERVER_FIELDS}
        try:
            # Required fields are checked by the engine once it knows the record is new: an upsert
            # with base_version null may also be a repeat or a second edit of an existing record.
            values = FIELD_SCHEMAS[entity].load(sent, partial=True)
        except ValidationError as exc:
            return Rejection(head["mutation_id"], str(head["id"]), entity, exc.messages, raw)
    client_time = to_wire("occurred_at", head["client_time"])
    return Mutation(head["mutation_id"], entity, op, str(head["id"]), head["base_version"], values, raw, client_time)


def load_fields(entity: str, values: dict) -> dict:
    """Validate the fields of a web edit (PATCH) or followup; raises ValidationError."""
    sent = {k: v for k, v in values.items() if k not in SERVER_FIELDS}
    return FIELD_SCHEMAS[entity].load(sent, partial=True)


def missing_required(entity: str, values: dict) -> dict:
    """Return errors for required fields of a new record that are missing."""
    schema = FIELD_SCHEMAS[entity]
    return {name: ["Verplicht veld ontbreekt."] for name, f in schema.fields.items()
            if f.required and name not in values}


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None
