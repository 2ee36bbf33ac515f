"""The sync rules on their own, without Flask or a database: workflow, merge, schemas, cursors."""

from __future__ import annotations

import pytest

from offline_sync.feed import Scope, decode_cursor, encode_cursor
from offline_sync.merge import HistoryEntry, changed_since, merge_fields
from offline_sync.schemas import (
    EnvelopeError,
    Mutation,
    Rejection,
    load_envelope,
    load_mutation,
    missing_required,
)
from offline_sync.workflow import Transition, check_transition
from tests.sync.helpers import old_style_cursor

CLIENT = "6f1c2b9e-0000-4000-8000-000000000001"
OTHER = "6f1c2b9e-0000-4000-8000-000000000002"
RECORD = "0b7c4a7e-1111-4111-8111-111111111111"


@pytest.mark.parametrize(("entity", "old", "new", "expected"), [
    ("signal", "new", "picked_up", Transition.ALLOWED),
    ("signal", "new", "referred", Transition.NEEDS_TEXT),
    ("signal", "new", "done", Transition.INVALID),
    ("signal", "done", "in_progress", Transition.NEEDS_TEXT),
    ("signal", "referred", "in_progress", Transition.ALLOWED),
    ("signal", "in_progress", "in_progress", Transition.SAME),
    ("idea", "application_submitted", "granted", Transition.ALLOWED),
    ("idea", "granted", "declined", Transition.INVALID),
    ("idea", "declined", "in_conversation", Transition.NEEDS_TEXT),
    ("idea", "in_conversation", "idea", Transition.ALLOWED),
])
def test_workflow_table(entity, old, new, expected):
    assert check_transition(entity, old, new) is expected


def test_changed_since_skips_own_client_and_old_versions():
    history = [
        HistoryEntry(1, {"title": [None, "a"], "status": [None, "new"]}, CLIENT),
        HistoryEntry(2, {"title": ["a", "b"]}, OTHER),
        HistoryEntry(3, {"status": ["new", "picked_up"]}, OTHER),
        HistoryEntry(4, {"urgency": ["normal", "high"]}, CLIENT),
    ]
    assert changed_since(history, 1, CLIENT) == {"title": "a", "status": "new"}
    assert changed_since(history, 2, CLIENT) == {"status": "new"}
    assert changed_since(history, 0, CLIENT) == {"title": "a", "status": "new"}
    assert changed_since(history, 0, None)["urgency"] == "normal"
    assert changed_since(history, 4, OTHER) == {}


def test_merge_reports_conflicts_only_for_fields_both_changed():
    current = {"title": "server", "urgency": "high", "description": "x"}
    updates, conflicts = merge_fields(current, {"title": "client", "description": "y", "urgency": "high"},
                                      {"title": "old", "urgency": "normal"})
    assert updates == {"title": "client", "description": "y"}
    assert conflicts == [{"field": "title", "server_value": "server", "client_value": "client"}]


def test_envelope_limits_and_version():
    with pytest.raises(EnvelopeError) as too_many:
        load_envelope({"client_id": CLIENT, "schema_version": 1, "mutations": [{"mutation_id": 1}] * 501})
    assert too_many.value.status == 413 and "500" in too_many.value.detail and "2 MB" in too_many.value.detail
    with pytest.raises(EnvelopeError) as version:
        load_envelope({"client_id": CLIENT, "schema_version": 2, "mutations": []})
    assert version.value.status == 409
    with pytest.raises(EnvelopeError) as malformed:
        load_envelope({"client_id": "nope", "schema_version": 1, "mutations": [{"mutation_id": "x"}]})
    assert malformed.value.status == 400 and "client_id" in malformed.value.errors
    with pytest.raises(EnvelopeError) as no_id:
        load_envelope({"client_id": CLIENT, "schema_version": 1, "mutations": [{"entity": "signal"}]})
    assert no_id.value.errors == {"mutations": {"0": {"mutation_id": ["Geheel getal >= 1 verplicht."]}}}
    assert load_envelope({"client_id": CLIENT, "schema_version": 1, "mutations": []}) == (CLIENT, [])


def test_mutation_fields_are_validated_per_field_in_wire_form():
    ok = load_mutation({"mutation_id": 1, "entity": "signal", "op": "upsert", "id": RECORD.upper(),
                        "base_version": None, "fields": {"title": "t", "due_date": "2026-12-01",
                                                         "organisation": None, "version": 9}})
    assert isinstance(ok, Mutation) and ok.id == RECORD
    assert ok.fields == {"title": "t", "due_date": "2026-12-01", "organisation": None}  # server fields dropped
    bad = load_mutation({"mutation_id": 2, "entity": "signal", "op": "upsert", "id": RECORD,
                         "fields": {"title": "x" * 201, "urgency": "asap", "colour": "red"}})
    assert isinstance(bad, Rejection)
    assert set(bad.errors) == {"title", "urgency", "colour"}
    unknown = load_mutation({"mutation_id": 3, "entity": "meeting", "op": "merge", "id": RECORD})
    assert isinstance(unknown, Rejection) and set(unknown.errors) == {"entity", "op"}
    contact = load_mutation({"mutation_id": 4, "entity": "conversation", "op": "upsert", "id": RECORD,
                             "fields": {"resident_contact": {"name": "Jan", "consent": False}}})
    assert isinstance(contact, Rejection) and "consent" in contact.errors["resident_contact"]
    when = load_mutation({"mutation_id": 5, "entity": "conversation", "op": "upsert", "id": RECORD,
                          "fields": {"occurred_at": "2026-11-27T10:02:00+01:00"}})
    assert when.fields["occurred_at"] == "2026-11-27T09:02:00+00:00"
    assert missing_required("conversation", when.fields) == {"setting": ["Verplicht veld ontbreekt."]}


def test_cursor_is_signed_and_bound_to_scope():
    scope = Scope("u1", "field_worker", 1, frozenset({"BU1"}))
    cursor = encode_cursor(42, scope, "secret")
    assert decode_cursor(cursor, scope, "secret") == 42
    assert decode_cursor(cursor, scope, "other secret") is None
    assert decode_cursor(cursor, Scope("u1", "field_worker", 2), "secret") is None
    assert decode_cursor(cursor, Scope("u2", "field_worker", 1), "secret") is None
    payload, _, signature = cursor.rpartition(".")
    forged = encode_cursor(0, scope, "secret").rpartition(".")[0] + "." + signature
    assert decode_cursor(forged, scope, "secret") is None
    assert decode_cursor("garbage", scope, "secret") is None
    assert decode_cursor(old_style_cursor(42, scope, "secret"), scope, "secret") is None

