"""Dutch messages for marshmallow, so every validation error a user sees is in Dutch.

Every schema of the app derives from `DutchSchema`: when a schema binds its fields, each field (and
its inner fields and validators) gets the Dutch text for every message still at marshmallow's English
default. Marshmallow itself is left alone, so nothing depends on import order.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

FIELD_MESSAGES: dict[type, dict[str, str]] = {
    fields.Field: {
        "required": "Verplicht veld ontbreekt.",
        "null": "Dit veld mag niet leeg (null) zijn.",
        "validator_failed": "Ongeldige waarde.",
    },
    fields.String: {"invalid": "Geen geldige tekst.", "invalid_utf8": "Geen geldige UTF-8-tekst."},
    fields.Integer: {"invalid": "Geen geldig geheel getal."},
    fields.Number: {"invalid": "Geen geldig getal.", "too_large": "Getal te groot."},
    fields.Float: {"special": "NaN en oneindig zijn niet toegestaan."},
    fields.Boolean: {"invalid": "Geen geldige ja/nee-waarde (true of false)."},
    fields.DateTime: {
        "invalid": "Geen geldig tijdstip (ISO 8601).",
        "invalid_awareness": "Tijdstip zonder tijdzone; geef een offset mee (bijv. +01:00).",
        "format": '"{input}" kan niet als tijdstip worden geschreven.',
    },
    fields.Date: {"invalid": "Geen geldige datum (JJJJ-MM-DD).", "format": '"{input}" is geen datum.'},
    fields.Email: {"invalid": "Geen geldig e-mailadres."},
    fields.UUID: {"invalid_uuid": "Geen geldige UUID."},
    fields.List: {"invalid": "Geen geldige lijst."},
    fields.Nested: {"type": "Ongeldig type; een object verwacht."},
    fields.Dict: {"invalid": "Geen geldig object."},
    fields.Url: {"invalid": "Geen geldige URL."},
}

VALIDATOR_MESSAGES: dict[type, dict[str, str]] = {
    validate.Length: {
        "message_all": "Lengte moet tussen {min} en {max} liggen.",
        "message_equal": "Lengte moet {equal} zijn.",
        "message_max": "Langer dan de maximale lengte {max}.",
        "message_min": "Korter dan de minimale lengte {min}.",
    },
    validate.Range: {
        "message_all": "Moet {min_op} {{min}} en {max_op} {{max}} zijn.",
        "message_gt": "groter dan",
        "message_gte": "minstens",
        "message_lt": "kleiner dan",
        "message_lte": "hoogstens",
        "message_max": "Moet {max_op} {{max}} zijn.",
        "message_min": "Moet {min_op} {{min}} zijn.",
    },
    validate.OneOf: {"default_message": "Moet een van deze zijn: {choices}."},
    validate.Equal: {"default_message": "Moet gelijk zijn aan {other}."},
    validate.Regexp: {"default_message": "Heeft niet de verwachte vorm."},
    validate.Email: {"default_message": "Geen geldig e-mailadres."},
    validate.ContainsOnly: {"default_message": "Een of meer keuzes zijn niet toegestaan: {choices}."},
}


SCHEMA_MESSAGES = {"type": "Ongeldig invoertype.", "unknown": "Onbekend veld."}


def _english_field_defaults(field: fields.Field) -> dict[str, str]:
    """Return marshmallow's own messages for a field's class (what a field gets when nobody chose one)."""
    messages: dict[str, str] = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def _dutch_field_defaults(field: fields.Field) -> dict[str, str]:
    messages: dict[str, str] = {}
    for cls in reversed(type(field).__mro__):
        messages.update(FIELD_MESSAGES.get(cls, {}))
    return messages


def _localise_validator(validator) -> None:
    """Give a validator Dutch messages where it still has marshmallow's English defaults."""
    for cls, messages in VALIDATOR_MESSAGES.items():
        if type(validator) is not cls:
            continue
        if isinstance(validator, validate.Range):
            _localise_range(validator, messages)
            return
        for name, text in messages.items():
            if getattr(validator, name) == getattr(cls, name):
                setattr(validator, name, text)
        if getattr(validator, "error", None) == getattr(cls, "default_message", object()):
            validator.error = messages["default_message"]


def _localise_range(validator: validate.Range, nl: dict[str, str]) -> None:
    """Range formats its messages when it is made (with "at least" or "greater than"); do the same in Dutch."""
    min_word = "message_gte" if validator.min_inclusive else "message_gt"
    max_word = "message_lte" if validator.max_inclusive else "message_lt"

    def formatted(messages, name: str) -> str:
        get = messages.get if isinstance(messages, dict) else lambda key: getattr(messages, key)
        return get(name).format(min_op=get(min_word), max_op=get(max_word))

    for name in ("message_min", "message_max", "message_all"):
        if getattr(validator, name) == formatted(validate.Range, name):
            setattr(validator, name, formatted(nl, name))


def localise(field: fields.Field) -> None:
    """Give a field, its inner fields and their validators Dutch messages where they have English defaults."""
    english = _english_field_defaults(field)
    for key, text in _dutch_field_defaults(field).items():
        if field.error_messages.get(key) == english.get(key):
            field.error_messages[key] = text
    for validator in field.validators:
        _localise_validator(validator)
    for inner in _inner_fields(field):
        localise(inner)


def _inner_fields(field: fields.Field) -> list[fields.Field]:
    inner = [getattr(field, "inner", None), getattr(field, "key_field", None), getattr(field, "value_field", None)]
    return [f for f in inner + list(getattr(field, "tuple_fields", ())) if isinstance(f, fields.Field)]


class DutchSchema(Schema):
    """The base of every schema: marshmallow's messages in Dutch, for the schema, its fields and validators.

    Only messages nobody chose are replaced; a field or validator with its own `error` keeps it.
    """

    error_messages = SCHEMA_MESSAGES

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        localise(field_obj)
