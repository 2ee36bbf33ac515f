"""Validation messages are Dutch through the base schema, without patching marshmallow itself."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from marshmallow import Schema, ValidationError, fields, validate

import app
import offline_sync
from offline_sync.messages_nl import DutchSchema


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_schema_of_the_app_is_a_dutch_schema():
    for package in (app, offline_sync):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(info.name)
    ours = [c for c in _subclasses(Schema) if c.__module__.split(".")[0] in ("app", "offline_sync")]
    assert len(ours) > 15
    assert [c.__qualname__ for c in ours if not issubclass(c, DutchSchema)] == []


def test_marshmallow_itself_keeps_its_english_messages():
    assert fields.Integer().error_messages["invalid"] == "Not a valid integer."
    assert validate.Length(max=3)(("a", "b")) == ("a", "b")
    with pytest.raises(ValidationError, match="Longer than maximum length 3."):
        validate.Length(max=3)("abcd")

    class Plain(Schema):
        n = fields.Integer(required=True)

    assert Plain().validate({"x": 1}) == {"n": ["Missing data for required field."], "x": ["Unknown field."]}


class Sample(DutchSchema):
    count = fields.Integer(required=True, validate=validate.Range(min=1, max=10))
    above = fields.Float(validate=validate.Range(min=0, min_inclusive=False))
    name = fields.String(validate=validate.Length(max=3))
    kind = fields.String(validate=validate.OneOf(("a", "b")))
    tags = fields.List(fields.String(validate=validate.Length(min=2)))
    when = fields.AwareDateTime()
    day = fields.Date()
    id = fields.UUID()
    own = fields.String(validate=validate.Length(max=1, error="Eigen melding."))
    code = fields.String(validate=validate.Regexp(r"^\d+$"))


def test_fields_inner_fields_and_validators_speak_dutch():
    errors = Sample().validate({
        "above": 0, "name": "abcd", "kind": "c", "tags": ["x", 3], "when": "2026-01-01T10:00:00",
        "day": "gisteren", "id": "nee", "own": "ab", "code": "x1", "extra": True,
    })
    assert errors == {
        "count": ["Verplicht veld ontbreekt."],
        "above": ["Moet groter dan 0 zijn."],
        "name": ["Langer dan de maximale lengte 3."],
        "kind": ["Moet een van deze zijn: a, b."],
        "tags": {0: ["Korter dan de minimale lengte 2."], 1: ["Geen geldige tekst."]},
        "when": ["Tijdstip zonder tijdzone; geef een offset mee (bijv. +01:00)."],
        "day": ["Geen geldige datum (JJJJ-MM-DD)."],
        "id": ["Geen geldige UUID."],
        "own": ["Eigen melding."],
        "code": ["Heeft niet de verwachte vorm."],
        "extra": ["Onbekend veld."],
    }
    assert Sample().validate({"count": 11}) == {"count": ["Moet minstens 1 en hoogstens 10 zijn."]}
    assert Sample().validate({"count": "veel"}) == {"count": ["Geen geldig geheel getal."]}
    assert Sample().validate([]) == {"_schema": ["Ongeldig invoertype."]}
