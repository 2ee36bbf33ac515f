"""Dutch default messages for marshmallow, so every validation error a user sees is in Dutch.

Field and validator messages are copied into instances when schemas are defined, so this must run
before any schema module is imported; `offline_sync/__init__.py` installs it.
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


def install() -> None:
    """Replace marshmallow's English default messages with Dutch ones (idempotent)."""
    for cls, messages in FIELD_MESSAGES.items():
        cls.default_error_messages = {**cls.__dict__.get("default_error_messages", {}), **messages}
    for cls, messages in VALIDATOR_MESSAGES.items():
        for name, text in messages.items():
            setattr(cls, name, text)
    Schema._default_error_messages = {"type": "Ongeldig invoertype.", "unknown": "Onbekend veld."}
