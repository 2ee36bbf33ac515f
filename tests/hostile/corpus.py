"""The hostile mutations: values no phone should send, each of which must reject only its own mutation.

Each case is (name, builder); a builder gets the ids of records that exist before the push (`Known`)
and returns one mutation. The tests push it between two good mutations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tests.sync.helpers import conversation_fields, idea_fields, new_id, signal_fields, upsert


@dataclass
class Known:
    """Records that exist before the hostile push, and who is pushing."""

    signal: str
    idea: str
    self_id: str
    team_other_org: str


def nested(depth: int, leaf=1):
    """Return a list nested `depth` levels deep."""
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def _signal(**extra) -> Callable[[Known], dict]:
    return lambda _k: upsert(2, "signal", new_id(), signal_fields(**extra))


def _idea(**extra) -> Callable[[Known], dict]:
    return lambda _k: upsert(2, "idea", new_id(), idea_fields(**extra))


def _conversation(**extra) -> Callable[[Known], dict]:
    return lambda _k: upsert(2, "conversation", new_id(), conversation_fields(**extra))


def _raw(mutation: dict) -> Callable[[Known], dict]:
    return lambda _k: {"mutation_id": 2, **mutation}


def _future(minutes: int) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).isoformat()


def _location(**values) -> dict:
    return {"lat": 52.99, "lon": 6.56, "accuracy_m": 5.0, **values}


CASES: list[tuple[str, Callable[[Known], dict]]] = [
    # text a database cannot store
    ("nul-in-title", _signal(title="Hek\x00kapot")),
    ("nul-in-description", _signal(description="a\x00b")),
    ("nul-in-summary", _conversation(summary="\x00")),
    ("nul-in-theme-list", _conversation(themes=["groen", "a\x00"])),
    ("nul-in-field-name", _raw({"entity": "signal", "op": "upsert", "id": new_id(), "base_version": None,
                                "fields": {**signal_fields(), "ti\x00tle": "x"}})),
    ("lone-high-surrogate", _signal(title="Hek \ud800")),
    ("lone-low-surrogate", _idea(description="\udc00 idee")),
    ("surrogate-in-contact", _signal(resident_contact={"name": "\ud83d", "consent": True})),
    ("nul-in-contact-phone", _conversation(resident_contact={"phone": "06\x00", "consent": True})),
    # numbers a database cannot store
    ("nan-latitude", _signal(location=_location(lat=float("nan")))),
    ("infinite-longitude", _idea(location=_location(lon=float("inf")))),
    ("minus-infinite-accuracy", _conversation(location=_location(accuracy_m=float("-inf")))),
    ("huge-float-latitude", _signal(location=_location(lat=1e308))),
    ("budget-beyond-64-bits", _idea(budget_requested_cents=10**20)),
    ("budget-1e20-float", _idea(budget_requested_cents=1e20)),
    ("budget-2-pow-63", _idea(budget_requested_cents=2**63)),
    ("residents-count-beyond-64-bits", _conversation(residents_count=2**64 + 1)),
    ("initiators-below-int64", _idea(initiators_count=-(2**63) - 1)),
    ("nan-in-unknown-field", _raw({"entity": "signal", "op": "upsert", "id": new_id(), "base_version": None,
                                   "fields": {**signal_fields(), "extra": float("nan")}})),
    # dates outside 1900-2200, and the future
    ("occurred-at-year-1", _conversation(occurred_at="0001-01-01T00:00:00+01:00")),
    ("occurred-at-year-9999", _signal(occurred_at="9999-12-31T23:59:59-01:00")),
    ("occurred-at-1899", _idea(occurred_at="1899-12-31T12:00:00+00:00")),
    # (built when the case runs: a time computed at import would drift into the allowed 10 minutes)
    ("occurred-at-next-week", lambda _k: upsert(2, "signal", new_id(), signal_fields(occurred_at=_future(7 * 1440)))),
    ("occurred-at-15-minutes-ahead", lambda _k: upsert(2, "conversation", new_id(),
                                                       conversation_fields(occurred_at=_future(15)))),
    ("due-date-year-1", _signal(due_date="0001-01-01")),
    ("due-date-year-9999", _signal(due_date="9999-12-31")),
    ("client-time-year-1", lambda _k: {**upsert(2, "signal", new_id(), signal_fields()),
                                       "client_time": "0001-01-01T00:30:00+01:00"}),
    ("occurred-at-not-a-time", _signal(occurred_at="vrijdagmiddag")),
    # nesting
    ("nested-33-in-themes", _conversation(themes=nested(33, "groen"))),
    ("nested-500-in-description", _signal(description=nested(500))),
    ("nested-40-in-unknown-field", _raw({"entity": "idea", "op": "upsert", "id": new_id(), "base_version": None,
                                         "fields": {**idea_fields(), "x": nested(40)}})),
    ("nested-location", _signal(location=nested(60))),
    ("fields-not-an-object", _raw({"entity": "signal", "op": "upsert", "id": new_id(), "base_version": None,
                                   "fields": ["title", "x"]})),
    # resident contact without consent (item 1)
    ("contact-without-consent", _signal(resident_contact={"name": "Mevr. Jansen", "phone": "0612345678"})),
    ("contact-empty-object", _conversation(resident_contact={})),
    ("contact-consent-false", _idea(resident_contact={"name": "Dhr. Bakker", "consent": False})),
    ("contact-consent-null", _signal(resident_contact={"email": "a@example.org", "consent": None})),
    ("contact-consent-string", _signal(resident_contact={"name": "B", "consent": "true"})),
    ("contact-null", _signal(resident_contact=None)),
    ("contact-on-update-without-consent", lambda k: upsert(
        2, "signal", k.signal, {"resident_contact": {"name": "Mevr. Jansen"}}, base_version=1)),
    # assigning (item 2)
    ("field-worker-assigns-self-on-create", lambda k: upsert(2, "signal", new_id(), signal_fields(assignee=k.self_id))),
    ("field-worker-assigns-self-on-update", lambda k: upsert(2, "signal", k.signal, {"assignee": k.self_id},
                                                             base_version=1)),
    ("field-worker-assigns-team-member", lambda k: upsert(2, "signal", k.signal, {"assignee": k.team_other_org},
                                                          base_version=1)),
    # the mutation head
    ("entity-too-long", _raw({"entity": "s" * 100, "op": "upsert", "id": new_id(), "fields": {}})),
    ("entity-with-nul", _raw({"entity": "signal\x00", "op": "upsert", "id": new_id(), "fields": {}})),
    ("id-with-nul", _raw({"entity": "signal", "op": "upsert", "id": "\x00" * 3, "fields": signal_fields()})),
    ("id-lone-surrogate", _raw({"entity": "signal", "op": "delete", "id": "\udfff"})),
    ("base-version-beyond-64-bits", lambda k: {**upsert(2, "signal", k.signal, {"title": "x"}), "base_version": 2**70}),
    ("op-unknown", _raw({"entity": "signal", "op": "DROP TABLE signals", "id": new_id()})),
    # references and codes
    ("buurt-code-sql", lambda _k: upsert(2, "signal", new_id(), {**signal_fields(), "location": None,
                                                                 "buurt_code": "'; DROP TABLE--"})),
    ("photo-not-a-hash", _signal(photos=["../../etc/passwd"])),
    ("organisation-not-a-uuid", _signal(organisation="Actium")),
    ("status-with-nul", lambda k: upsert(2, "signal", k.signal, {"status": "done\x00"}, base_version=1)),
]
