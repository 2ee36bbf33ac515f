"""The push engine: apply mutations to records by the rules of docs/API.md "Offline sync".

A batch is processed in three steps inside the caller's write transaction:

1. `_Batch.preload` reads, in one query per table, everything the batch touches: the records and
   followup parents, the change history that merges need, the client's bookkeeping and earlier results
   of repeated mutation ids, and the organisations and users that fields refer to.
2. Each mutation is applied in order to an in-memory copy of those records. All checks happen here,
   and a mutation only touches the copy once it has passed all of them, so a rejected mutation leaves
   no trace and never undoes the others (no per-mutation SAVEPOINT is needed).
3. `_Batch.write` allocates the change sequence numbers for the whole batch at once and writes the
   final rows with one executemany per table: records, history, conflicts, results, quarantine.

The counter row of the change sequence is locked (`allocate_change_seq(session, 0)`) before step 1,
so concurrent pushes of several workers are serialised: what step 1 read cannot change before the
batch commits, and sequence numbers become visible in commit order.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import bindparam

from offline_sync import budget as budget_rules
from offline_sync.merge import HistoryEntry, changed_since, merge_fields
from offline_sync.records import (
    COLUMNS,
    DEFAULTS,
    ENTITY_FIELDS,
    EXTRA_FIELDS,
    LOCATED,
    location_ewkt,
    record_dict,
    to_column,
)
from offline_sync.schemas import Mutation, Rejection, missing_required
from offline_sync.sequence import allocate_change_seq
from offline_sync.values import REDACTED, storable
from offline_sync.workflow import INITIAL_STATUS, TRANSITIONS, Transition, check_transition

Key = tuple[str, str]
#: How far ahead of the server's clock a typed `occurred_at` may lie (phone clocks drift).
MAX_CLOCK_AHEAD = timedelta(minutes=10)
#: Roles that may assign a signal (team members only within the owning organisation).
ASSIGNING_ROLES = ("team", "manager", "admin")


@dataclass(frozen=True)
class Registry:
    """The models the engine reads and writes, given by the caller."""

    records: Mapping[str, type]
    change: type
    conflict: type
    client: type
    mutation: type
    quarantine: type
    organisation: type
    #: Users: the engine reads `id`, `role` and `organisation_id` (for the assignee rule).
    user: type
    #: Which records name which photo (entity, record_id, sha256, linked_by_id, vouched, linked_at).
    photo_link: type | None = None
    #: The budgets ideas are granted from (not synced); None: no budget rules can be checked.
    budget: type | None = None


@dataclass(frozen=True)
class Actor:
    """Who is writing, and what they may see."""

    user_id: str
    role: str
    buurten: frozenset[str] = frozenset()
    organisation_id: str | None = None
    #: Shown as who changed a status (`status_changed_by_name`).
    name: str = ""

    def may_see(self, record: Mapping[str, Any], parent: Mapping[str, Any] | None = None) -> bool:
        """Apply the pull scope: field workers see their buurten and their own records."""
        if self.role != "field_worker":
            return True
        if record.get("buurt_code") in self.buurten or record.get("created_by") == self.user_id:
            return True
        return parent is not None and parent.get("created_by") == self.user_id


@dataclass(frozen=True)
class RecordEvent:
    """One accepted change, for whoever reacts to changes (notifications): the record as it became.

    `changes` is {field: [old, new]} as in the change history; a create has old = None everywhere.
    """

    entity: str
    record: dict
    changes: dict
    created: bool
    actor: Actor


@dataclass
class SyncContext:
    """Everything the engine needs from its caller."""

    session: Session
    registry: Registry
    actor: Actor
    locate: Callable[[float, float, float | None], str | None]
    store_contact: Callable[[str, uuid.UUID, dict, uuid.UUID | None], Any]
    is_buurt: Callable[[str], bool]
    #: Optional batch form of `locate`, for many points at once: [(lon, lat, accuracy_m)] -> codes.
    locate_many: Callable[[list[tuple[float, float, float | None]]], list[str | None]] | None = None
    #: Theme codes that are no longer offered: kept on old records, refused on new ones.
    retired_themes: frozenset[str] = frozenset()
    #: Of these photo hashes, the ones the actor already holds or may see (see docs/security.md).
    vouch_photos: Callable[[set[str]], set[str]] | None = None
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    #: Called at the end of a batch's write, inside the caller's transaction, with every accepted
    #: change: what it writes (an outbox row) commits or rolls back together with the changes.
    on_changes: Callable[[list[RecordEvent]], None] | None = None


class Rejected(Exception):
    """A mutation is invalid; `errors` per field."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors


@dataclass
class _Record:
    """A record of the batch in wire form, plus whether it must be inserted or updated."""

    entity: str
    wire: dict
    exists: bool
    dirty: bool = False
    #: The photos the record named when the batch read it, to write only the links that changed.
    photos_before: tuple = ()


@dataclass
class Outcome:
    """The result of one mutation or web edit."""

    result: dict
    record: dict | None = None


class _Batch:
    def __init__(self, ctx: SyncContext, client_id: str | None, source: str):
        self.ctx = ctx
        self.client_id = client_id
        self.source = source
        self.records: dict[Key, _Record] = {}
        self.history: dict[Key, list[HistoryEntry]] = {}
        self.organisations: set[str] = set()
        #: user id -> (role, organisation id) of the users that fields refer to.
        self.users: dict[str, tuple[str, str | None]] = {}
        self.changes: list[dict] = []
        self.conflicts: list[dict] = []
        self.contacts: list[tuple[str, str, dict]] = []
        self.resolved: list[Key] = []
        self.buurt_of: dict[tuple, str | None] = {}
        #: Amounts of the budgets this batch read, each locked for the rest of the transaction.
        self.budget_amounts: dict[str, int | None] = {}
        self.events: list[RecordEvent] = []

    # -- step 1 --------------------------------------------------------------------------------

    def preload(self, mutations: Iterable[Mutation]) -> None:
        """Read the records, history and referenced rows that the mutations need."""
        mutations = list(mutations)
        wanted: dict[str, set[str]] = {}
        orgs, users = set(), set()
        for m in mutations:
            wanted.setdefault(m.entity, set()).add(m.id)
            if m.entity == "followup" and "parent_id" in m.fields:
                wanted.setdefault(m.fields["parent_entity"], set()).add(m.fields["parent_id"])
            if m.fields.get("organisation"):
                orgs.add(m.fields["organisation"])
            orgs.update(m.fields.get("organisations") or ())
            if m.fields.get("idea_id"):
                wanted.setdefault("idea", set()).add(m.fields["idea_id"])
            if m.fields.get("assignee"):
                users.add(m.fields["assignee"])
        for entity, ids in wanted.items():
            self._load_records(entity, ids)
        need_history: dict[str, set[str]] = {}
        for m in mutations:
            rec = self.records.get((m.entity, m.id))
            if rec is not None and (m.base_version or 0) < rec.wire["version"]:
                need_history.setdefault(m.entity, set()).add(m.id)
            parent_version = m.fields.get("parent_version")
            parent = self.records.get((m.fields.get("parent_entity"), m.fields.get("parent_id")))
            if parent is not None and parent_version is not None and parent_version < parent.wire["version"]:
                need_history.setdefault(parent.entity, set()).add(parent.wire["id"])
        self._load_history(need_history)
        self._locate_all([m.fields["location"] for m in mutations if m.fields.get("location")])
        self.organisations = self._existing(self.ctx.registry.organisation, orgs)
        self.users = self._user_roles(users)

    def _locate_all(self, locations: list[Mapping]) -> None:
        """Find the buurten of all locations of the batch in one call, when the caller can."""
        points = list({(loc["lon"], loc["lat"], loc.get("accuracy_m")) for loc in locations})
        if self.ctx.locate_many is not None and points:
            self.buurt_of = dict(zip(points, self.ctx.locate_many(points), strict=True))

    def _load_records(self, entity: str, ids: set[str]) -> None:
        model = self.ctx.registry.records[entity]
        missing = [uuid.UUID(i) for i in ids if (entity, i) not in self.records]
        if not missing:
            return
        for row in self.ctx.session.execute(select(model.__table__).where(model.__table__.c.id.in_(missing))):
            wire = record_dict(row, entity)
            self.records[(entity, wire["id"])] = _Record(entity, wire, exists=True,
                                                         photos_before=tuple(wire.get("photos") or ()))

    def _load_history(self, wanted: dict[str, set[str]]) -> None:
        table = self.ctx.registry.change.__table__
        for entity, ids in wanted.items():
            query = select(table.c.record_id, table.c.version, table.c.changes, table.c.client_id).where(
                table.c.entity == entity, table.c.record_id.in_([uuid.UUID(i) for i in ids]))
            for record_id, version, changes, client_id in self.ctx.session.execute(query):
                entry = HistoryEntry(version, changes, str(client_id) if client_id else None)
                self.history.setdefault((entity, str(record_id)), []).append(entry)

    def _existing(self, model: type, ids: set[str]) -> set[str]:
        valid = _uuids(ids)
        if not valid:
            return set()
        return {str(i) for i in self.ctx.session.scalars(select(model.id).where(model.id.in_(valid)))}

    def _user_roles(self, ids: set[str]) -> dict[str, tuple[str, str | None]]:
        valid = _uuids(ids)
        if not valid:
            return {}
        model = self.ctx.registry.user
        rows = self.ctx.session.execute(select(model.id, model.role, model.organisation_id).where(model.id.in_(valid)))
        return {str(i): (role, str(org) if org else None) for i, role, org in rows}

    # -- step 2 --------------------------------------------------------------------------------

    def apply(self, m: Mutation) -> Outcome:
        """Apply one validated mutation to the in-memory records, or raise Rejected."""
        if m.op == "delete":
            return self._delete(m)
        rec = self.records.get((m.entity, m.id))
        if rec is None:
            return self._create(m)
        if rec.wire["deleted"]:
            raise Rejected({"id": ["Dit record is verwijderd; de wijziging is niet toegepast."]})
        if not self._may_see(rec):
            raise Rejected({"id": ["U heeft geen toegang tot dit record."]})
        sent = {k: v for k, v in m.fields.items() if k not in ("resident_contact", "parent_version")}
        if self._identical(rec, sent) and m.base_version is None:
            self._keep_contact(m, rec)
            return self._outcome("duplicate", rec)
        if m.entity == "followup":
            raise Rejected({"id": ["Opvolgingen kunnen niet worden gewijzigd (alleen toegevoegd)."]})
        return self._update(m, rec, 0 if m.base_version is None else m.base_version)

    def _may_see(self, rec: _Record) -> bool:
        parent = None
        if rec.entity == "followup":
            parent_rec = self.records.get((rec.wire["parent_entity"], rec.wire["parent_id"]))
            parent = parent_rec.wire if parent_rec else None
        return self.ctx.actor.may_see(rec.wire, parent)

    @staticmethod
    def _identical(rec: _Record, sent: Mapping[str, Any]) -> bool:
        wire = rec.wire
        located = wire.get("location") is not None or sent.get("location") is not None
        return all(wire.get(k) == v for k, v in sent.items() if not (k == "buurt_code" and located))

    def _create(self, m: Mutation) -> Outcome:
        errors = missing_required(m.entity, m.fields)
        if errors:
            raise Rejected(errors)
        if m.entity == "followup":
            return self._create_followup(m)
        fields = dict(m.fields)
        contact = fields.pop("resident_contact", None)
        if m.entity in INITIAL_STATUS and fields.get("status", INITIAL_STATUS[m.entity]) != INITIAL_STATUS[m.entity]:
            raise Rejected({"status": [f"Een nieuw record begint met status '{INITIAL_STATUS[m.entity]}'."]})
        self._check_references(fields)
        self._check_themes(fields)
        if "assignee" in ENTITY_FIELDS[m.entity] and fields.get("assignee") is not None:
            self._check_assignee(fields.get("organisation"), fields["assignee"])
        if "occurred_at" in ENTITY_FIELDS[m.entity]:
            fields["occurred_at"] = self._occurred_at(fields.get("occurred_at"), m.client_time)
        buurt = self._buurt(fields.get("location"), fields.pop("buurt_code", None))
        wire = self._new_wire(m.entity, m.id, {**DEFAULTS[m.entity], **fields, "buurt_code": buurt})
        if m.entity == "idea":
            self._check_idea({}, wire)
        rec = _Record(m.entity, wire, exists=False)
        self._record_change(rec, {k: [None, v] for k, v in wire.items() if k in self._history_fields(m.entity)}, m)
        self.records[(m.entity, m.id)] = rec
        if contact:
            self.contacts.append((m.entity, m.id, contact))
        return self._outcome("applied", rec)

    def _new_wire(self, entity: str, record_id: str, values: dict) -> dict:
        now = self.ctx.now.isoformat()
        wire = {"id": record_id, "version": 1, "created_at": now, "updated_at": now,
                "created_by": self.ctx.actor.user_id, "buurt_code": values.get("buurt_code"),
                "location": values.get("location"), "has_conflict": False, "deleted": False}
        for name in ENTITY_FIELDS[entity] + EXTRA_FIELDS.get(entity, ()):
            wire[name] = values.get(name)
        return wire

    @staticmethod
    def _history_fields(entity: str) -> tuple[str, ...]:
        return ("buurt_code", "location") + ENTITY_FIELDS[entity] if entity in LOCATED else (
            ("buurt_code",) + ENTITY_FIELDS[entity])

    def _buurt(self, location: Mapping | None, sent_code: str | None) -> str | None:
        """Return the buurt of a record: from its location, else the one the client picked."""
        if location is not None:
            point = (location["lon"], location["lat"], location.get("accuracy_m"))
            if point not in self.buurt_of:
                self.buurt_of[point] = self.ctx.locate(*point)
            return self.buurt_of[point]
        if sent_code is not None and not self.ctx.is_buurt(sent_code):
            raise Rejected({"buurt_code": [f"Onbekende buurtcode {sent_code}."]})
        return sent_code

    def _check_references(self, fields: Mapping[str, Any]) -> None:
        errors = {}
        if fields.get("organisation") and fields["organisation"] not in self.organisations:
            errors["organisation"] = ["Onbekende organisatie."]
        if fields.get("assignee") and fields["assignee"] not in self.users:
            errors["assignee"] = ["Onbekende gebruiker."]
        if any(o not in self.organisations for o in fields.get("organisations") or ()):
            errors["organisations"] = ["Onbekende organisatie."]
        if fields.get("idea_id"):
            idea = self.records.get(("idea", fields["idea_id"]))
            if idea is None or idea.wire["deleted"]:
                errors["idea_id"] = ["Onbekend initiatief."]
            elif idea.wire["status"] not in budget_rules.COMMITTED_STATUSES:
                errors["idea_id"] = ["Alleen een toegekend of gerealiseerd initiatief kan met een bijeenkomst "
                                     "worden gerealiseerd."]
        if errors:
            raise Rejected(errors)

    def _check_themes(self, fields: Mapping[str, Any]) -> None:
        """A new record may not use a retired theme."""
        used = set(fields.get("themes") or ()) | ({fields["theme"]} if fields.get("theme") else set())
        if retired := sorted(used & self.ctx.retired_themes):
            name = "themes" if "themes" in fields else "theme"
            raise Rejected({name: [f"Thema {', '.join(retired)} wordt niet meer aangeboden."]})

    def _check_assignee(self, organisation: str | None, assignee: str | None) -> None:
        """Only team members of the owning organisation, managers and admins assign, and only to a
        team member of that organisation (or to nobody): assigning opens the resident's contact."""
        actor = self.ctx.actor
        if actor.role not in ASSIGNING_ROLES or (
                actor.role == "team" and (actor.organisation_id is None or actor.organisation_id != organisation)):
            raise Rejected({"assignee": ["Alleen teamleden van de organisatie van dit signaal, managers en "
                                         "beheerders wijzen een behandelaar aan."]})
        if assignee is None:
            return
        role, user_organisation = self.users.get(assignee, (None, None))
        if role != "team" or organisation is None or user_organisation != organisation:
            raise Rejected({"assignee": ["Alleen een teamlid van de organisatie van dit signaal kan behandelaar "
                                         "zijn."]})

    def _occurred_at(self, typed: str | None, client_time: str | None) -> str:
        """Return when it was seen or said: as typed, else the phone's clock, else receipt time.

        A typed time more than MAX_CLOCK_AHEAD ahead is refused; a phone clock that far ahead is
        not believed (receipt time is used), since nobody typed it.
        """
        limit = self.ctx.now + MAX_CLOCK_AHEAD
        if typed is not None:
            if datetime.fromisoformat(typed) > limit:
                raise Rejected({"occurred_at": ["Dit tijdstip ligt meer dan 10 minuten in de toekomst; "
                                                "controleer datum en tijd."]})
            return typed
        if client_time is not None and datetime.fromisoformat(client_time) <= limit:
            return client_time
        return self.ctx.now.isoformat()

    def _update(self, m: Mutation, rec: _Record, base_version: int) -> Outcome:
        fields = {k: v for k, v in m.fields.items() if k != "resident_contact"}
        changed = changed_since(self._history(rec), base_version, self.client_id)
        if "buurt_code" in fields:
            location = fields.get("location", rec.wire["location"])
            if location is not None:
                del fields["buurt_code"]
            else:
                self._buurt(None, fields["buurt_code"])
        kept = self._check_status(rec, fields, changed)
        if "occurred_at" in fields:
            if fields["occurred_at"] is None:
                del fields["occurred_at"]
            else:
                self._occurred_at(fields["occurred_at"], None)
        updates, conflicts = merge_fields(rec.wire, fields, changed)
        self._check_references(updates)
        if "assignee" in updates:
            self._check_assignee(updates.get("organisation", rec.wire.get("organisation")), updates["assignee"])
        if rec.entity == "idea" and updates:
            self._check_idea(rec.wire, {**rec.wire, **updates})
        if updates.get("location") is not None:
            buurt = self._buurt(updates["location"], None)
            if buurt != rec.wire["buurt_code"]:
                updates["buurt_code"] = buurt
        conflicts += kept
        self._keep_contact(m, rec)
        if not self._change(rec, updates, conflicts, m):
            return self._outcome("applied", rec)
        return self._outcome("conflict" if conflicts else "applied", rec, conflicts)

    def _check_status(self, rec: _Record, fields: dict, changed: Mapping[str, Any]) -> list[dict]:
        """Check a status change against the workflow; return the conflict of a stale one."""
        if "status" not in fields:
            return []
        current, wanted = rec.wire["status"], fields["status"]
        transition = check_transition(rec.entity, current, wanted)
        if transition in (Transition.SAME, Transition.ALLOWED):
            return []
        if transition is Transition.NEEDS_TEXT:
            raise Rejected({"status": [f"Van '{current}' naar '{wanted}' gaat alleen met een opvolging met "
                                       "toelichting (followup met text en status_to)."]})
        if "status" in changed and check_transition(rec.entity, changed["status"], wanted) is Transition.ALLOWED:
            del fields["status"]
            return [{"field": "status", "server_value": current, "client_value": wanted}]
        raise Rejected({"status": [f"Van '{current}' naar '{wanted}' is geen toegestane statuswijziging."]})

    def _check_idea(self, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
        """Apply the buurtbudget rules to a change of an idea; a grant reads its budget under a lock."""
        budget = None
        if budget_rules.commits_budget(before, after) and after.get("budget_id"):
            budget = self._budget_state(after["budget_id"], after["id"])
        errors = budget_rules.check_idea(self.ctx.actor.role, before, after, budget)
        if errors:
            raise Rejected(errors)

    def _budget_state(self, budget_id: str, idea_id: str) -> budget_rules.BudgetState | None:
        """Return a budget with what other ideas hold of it, this batch's changes included.

        The budget's row is read FOR UPDATE (PostgreSQL; SQLite holds its write lock already), so no
        other transaction can grant from it until this one commits.
        """
        model = self.ctx.registry.budget
        if model is None:
            return None
        table = model.__table__
        if budget_id not in self.budget_amounts:
            row = self.ctx.session.execute(
                select(table.c.amount_cents).where(table.c.id == uuid.UUID(budget_id)).with_for_update()).first()
            self.budget_amounts[budget_id] = None if row is None else int(row.amount_cents)
        amount = self.budget_amounts[budget_id]
        if amount is None:
            return None
        ideas = self.ctx.registry.records["idea"].__table__
        in_batch = [uuid.UUID(i) for (e, i) in self.records if e == "idea"]
        query = select(func.coalesce(func.sum(ideas.c.budget_granted_cents), 0)).where(
            ideas.c.budget_id == uuid.UUID(budget_id), ideas.c.status.in_(budget_rules.COMMITTED_STATUSES),
            ideas.c.deleted.is_(False))
        if in_batch:
            query = query.where(ideas.c.id.not_in(in_batch))
        elsewhere = int(self.ctx.session.scalar(query))
        for (entity, record_id), rec in self.records.items():
            wire = rec.wire
            if (entity == "idea" and record_id != idea_id and wire.get("budget_id") == budget_id
                    and wire["status"] in budget_rules.COMMITTED_STATUSES and not wire["deleted"]):
                elsewhere += wire.get("budget_granted_cents") or 0
        return budget_rules.BudgetState(budget_id, amount, elsewhere)

    def _keep_contact(self, m: Mutation, rec: _Record) -> None:
        contact = m.fields.get("resident_contact")
        if contact:
            self.contacts.append((rec.entity, rec.wire["id"], contact))

    def _history(self, rec: _Record) -> list[HistoryEntry]:
        return self.history.get((rec.entity, rec.wire["id"]), [])

    def _change(self, rec: _Record, updates: dict, conflicts: list[dict], m: Mutation | None) -> bool:
        """Write field updates (and the conflict flag) to a record as one new version."""
        if rec.entity == "signal" and "status" in updates:
            if updates["status"] == "done":
                updates["done_at"] = self.ctx.now.isoformat()
            elif rec.wire["status"] == "done":
                updates["done_at"] = None
        if "status" in updates and updates["status"] != rec.wire["status"]:
            updates["status_changed_at"] = self.ctx.now.isoformat()
            updates["status_changed_by_name"] = self.ctx.actor.name or None
        if conflicts and not rec.wire["has_conflict"]:
            updates["has_conflict"] = True
        if not updates:
            return False
        diff = {k: [rec.wire.get(k), v] for k, v in updates.items()}
        rec.wire.update(updates)
        rec.wire["version"] += 1
        rec.wire["updated_at"] = self.ctx.now.isoformat()
        self._record_change(rec, diff, m)
        self._keep_conflicts(rec, conflicts, m)
        return True

    def _keep_conflicts(self, rec: _Record, conflicts: list[dict], m: Mutation | None) -> None:
        for c in conflicts:
            self.conflicts.append({"entity": rec.entity, "record_id": uuid.UUID(rec.wire["id"]),
                                   "version": rec.wire["version"], "field": c["field"],
                                   "server_value": c["server_value"], "client_value": c["client_value"],
                                   "mutation_id": m.mutation_id if m and self.client_id else None})

    def _record_change(self, rec: _Record, diff: dict, m: Mutation | None) -> None:
        if self.ctx.on_changes is not None:
            self.events.append(RecordEvent(rec.entity, dict(rec.wire), diff, rec.wire["version"] == 1,
                                           self.ctx.actor))
        rec.dirty = True
        self.changes.append({"entity": rec.entity, "record_id": rec.wire["id"], "version": rec.wire["version"],
                             "changes": diff, "mutation_id": m.mutation_id if m and self.client_id else None})
        self.history.setdefault((rec.entity, rec.wire["id"]), []).append(
            HistoryEntry(rec.wire["version"], diff, self.client_id))

    def _delete(self, m: Mutation) -> Outcome:
        if m.entity == "followup":
            raise Rejected({"op": ["Opvolgingen kunnen niet worden verwijderd."]})
        rec = self.records.get((m.entity, m.id))
        if rec is None:
            return Outcome({"status": "applied", "id": m.id, "version": None})
        if rec.wire["deleted"]:
            return self._outcome("applied", rec)
        actor = self.ctx.actor
        if rec.wire["created_by"] != actor.user_id and actor.role != "admin":
            raise Rejected({"op": ["Alleen wie het record maakte of een beheerder mag het verwijderen."]})
        self._change(rec, {"deleted": True}, [], m)
        return self._outcome("applied", rec)

    def _create_followup(self, m: Mutation) -> Outcome:
        fields = m.fields
        parent = self.records.get((fields["parent_entity"], fields["parent_id"]))
        if parent is None or parent.wire["deleted"]:
            raise Rejected({"parent_id": ["Onbekend of verwijderd record."]})
        if not self.ctx.actor.may_see(parent.wire):
            raise Rejected({"parent_id": ["U heeft geen toegang tot dit record."]})
        text, wanted = fields.get("text") or "", fields.get("status_to")
        if wanted is None and not text.strip():
            raise Rejected({"text": ["Een opvolging heeft een tekst of een nieuwe status nodig."]})
        conflicts = []
        status_from = None
        if wanted is not None:
            conflicts = self._check_followup_status(parent, wanted, text, fields.get("parent_version"))
            if conflicts:
                wanted = None
            else:
                status_from = parent.wire["status"]
        values = {"parent_entity": parent.entity, "parent_id": parent.wire["id"], "text": text,
                  "status_from": status_from, "status_to": wanted, "buurt_code": parent.wire["buurt_code"]}
        rec = _Record("followup", self._new_wire("followup", m.id, values), exists=False)
        rec.wire["has_conflict"] = bool(conflicts)
        self._record_change(rec, {k: [None, rec.wire[k]] for k in self._history_fields("followup")}, m)
        self._keep_conflicts(rec, conflicts, m)
        self.records[("followup", m.id)] = rec
        if wanted is not None:
            self._change(parent, {"status": wanted}, [], m)
        return self._outcome("conflict" if conflicts else "applied", rec, conflicts)

    def _check_followup_status(self, parent: _Record, wanted: str, text: str, parent_version: int | None
                               ) -> list[dict]:
        entity, current = parent.entity, parent.wire["status"]
        if wanted not in TRANSITIONS[entity]:
            raise Rejected({"status_to": [f"Onbekende status '{wanted}'."]})
        transition = check_transition(entity, current, wanted)
        if transition is Transition.NEEDS_TEXT and not text.strip():
            raise Rejected({"text": [f"Van '{current}' naar '{wanted}' vraagt een toelichting."]})
        if transition in (Transition.ALLOWED, Transition.NEEDS_TEXT):
            if entity == "idea":
                self._check_idea(parent.wire, {**parent.wire, "status": wanted})
            return []
        if parent_version is not None:
            changed = changed_since(self._history(parent), parent_version, self.client_id)
            if "status" in changed and check_transition(entity, changed["status"], wanted) in (
                    Transition.ALLOWED, Transition.NEEDS_TEXT):
                return [{"field": "status_to", "server_value": current, "client_value": wanted}]
        raise Rejected({"status_to": [f"Van '{current}' naar '{wanted}' is geen toegestane statuswijziging."]})

    def resolve(self, rec: _Record) -> Outcome:
        """Clear the conflict flag of a record as a new version."""
        if rec.wire["has_conflict"]:
            self._change(rec, {"has_conflict": False}, [], None)
            self.resolved.append((rec.entity, rec.wire["id"]))
        return self._outcome("applied", rec)

    @staticmethod
    def _outcome(status: str, rec: _Record, conflicts: list[dict] | None = None) -> Outcome:
        result = {"status": status, "id": rec.wire["id"], "version": rec.wire["version"]}
        if conflicts:
            result["conflicts"] = conflicts
        return Outcome(result, rec.wire)

    # -- step 3 --------------------------------------------------------------------------------

    def write(self) -> None:
        """Write every dirty record and the history with sequence numbers in change order."""
        session, registry, actor = self.ctx.session, self.ctx.registry, self.ctx.actor
        self._write_photo_links()
        if self.changes:
            last = allocate_change_seq(session, len(self.changes))
            first = last - len(self.changes) + 1
            seq_of: dict[Key, int] = {}
            for offset, change in enumerate(self.changes):
                seq_of[(change["entity"], change["record_id"])] = first + offset
            for entity, model in registry.records.items():
                self._write_records(model, [(r, seq_of[(entity, r.wire["id"])]) for (e, _), r in
                                            self.records.items() if e == entity and r.dirty])
            user_id = uuid.UUID(actor.user_id)
            client_id = uuid.UUID(self.client_id) if self.client_id else None
            _insert_many(session, registry.change.__table__, [
                {**c, "record_id": uuid.UUID(c["record_id"]), "changed_by_id": user_id, "changed_at": self.ctx.now,
                 "source": self.source, "client_id": client_id} for c in self.changes])
            if self.conflicts:
                _insert_many(session, registry.conflict.__table__, [
                    {**c, "user_id": user_id, "client_id": client_id, "created_at": self.ctx.now}
                    for c in self.conflicts])
        for entity, record_id in self.resolved:
            table = registry.conflict.__table__
            session.execute(update(table).where(
                table.c.entity == entity, table.c.record_id == uuid.UUID(record_id), table.c.resolved_at.is_(None),
            ).values(resolved_at=self.ctx.now, resolved_by_id=uuid.UUID(actor.user_id)))
        for entity, record_id, contact in self.contacts:
            self.ctx.store_contact(entity, uuid.UUID(record_id), contact, uuid.UUID(actor.user_id))
        if self.events:
            self.ctx.on_changes(self.events)
            self.events = []

    def _write_photo_links(self) -> None:
        """Keep the photo -> record table in step with the `photos` lists this batch changed.

        A link remembers who named the photo and whether they held or could see it at that moment
        (`vouched`); the attachment view serves a photo only through links that are vouched or whose
        author uploaded the bytes themselves (docs/security.md "Photos").
        """
        model = self.ctx.registry.photo_link
        if model is None:
            return
        changed = [(rec, set(rec.photos_before), set(rec.wire.get("photos") or ())) for rec in self.records.values()
                   if rec.dirty and "photos" in rec.wire and set(rec.photos_before) != set(rec.wire["photos"] or ())]
        if not changed:
            return
        table = model.__table__
        added_all = set().union(*(after - before for _rec, before, after in changed))
        vouched = self.ctx.vouch_photos(added_all) if self.ctx.vouch_photos and added_all else set()
        rows = []
        for rec, before, after in changed:
            record_id = uuid.UUID(rec.wire["id"])
            if removed := before - after:
                self.ctx.session.execute(table.delete().where(
                    table.c.entity == rec.entity, table.c.record_id == record_id, table.c.sha256.in_(sorted(removed))))
            rows += [{"entity": rec.entity, "record_id": record_id, "sha256": sha,
                      "linked_by_id": uuid.UUID(self.ctx.actor.user_id), "vouched": sha in vouched,
                      "linked_at": self.ctx.now} for sha in sorted(after - before)]
            rec.photos_before = tuple(sorted(after))
        if rows:
            _insert_many(self.ctx.session, table, rows)

    def _write_records(self, model: type, dirty: list[tuple[_Record, int]]) -> None:
        if not dirty:
            return
        table = model.__table__
        new = [_columns(r, seq) for r, seq in dirty if not r.exists]
        old = [_columns(r, seq) for r, seq in dirty if r.exists]
        if new:
            _insert_many(self.ctx.session, table, new)
        if old:
            for row in old:
                row["b_id"] = row.pop("id")
                del row["created_at"], row["created_by_id"]
            self.ctx.session.execute(update(table).where(table.c.id == bindparam("b_id")), old)
        for rec, _ in dirty:
            rec.exists, rec.dirty = True, False


def _insert_many(session: Session, table, rows: list[dict]) -> None:
    """Insert rows with one executemany.

    psycopg sends the rows in one pipeline; measured faster for 200-row batches than SQLAlchemy's
    multi-row "insertmanyvalues" INSERT (whose long SQL psycopg re-parses on every call).
    """
    session.execute(insert(table), rows)


def _columns(rec: _Record, seq: int) -> dict:
    """Return the column values of a record for an INSERT or UPDATE."""
    wire, entity = rec.wire, rec.entity
    row = {"id": uuid.UUID(wire["id"]), "version": wire["version"], "change_seq": seq,
           "created_at": to_column("created_at", wire["created_at"]),
           "updated_at": to_column("updated_at", wire["updated_at"]),
           "created_by_id": to_column("created_by", wire["created_by"]), "buurt_code": wire["buurt_code"],
           "has_conflict": wire["has_conflict"], "deleted": wire["deleted"]}
    for name in ENTITY_FIELDS[entity] + EXTRA_FIELDS.get(entity, ()):
        row[COLUMNS.get(name, name)] = to_column(name, wire[name])
    if entity in LOCATED:
        location = wire["location"]
        row["location"] = location_ewkt(location)
        row["accuracy_m"] = location.get("accuracy_m") if location else None
    return row


# -- the public operations ---------------------------------------------------------------------


def apply_push(ctx: SyncContext, client_id: str, mutations: list[Mutation | Rejection]) -> dict:
    """Apply a push of validated mutations; return the response body. The caller commits.

    The caller runs this in a write transaction; results and the client's last_mutation_id are
    written in it, together with the changes.
    """
    session, registry = ctx.session, ctx.registry
    allocate_change_seq(session, 0)  # lock the feed counter first: pushes are serialised from here
    client = session.get(registry.client, uuid.UUID(client_id), populate_existing=True)
    last = client.last_mutation_id if client else 0
    earlier = _earlier_results(ctx, client_id, [m.mutation_id for m in mutations if m.mutation_id <= last])
    batch = _Batch(ctx, client_id, "sync")
    batch.preload(m for m in mutations if isinstance(m, Mutation) and m.mutation_id > last)
    results, stored, quarantined = [], [], []
    for m in mutations:
        if m.mutation_id <= last:
            results.append(_duplicate(m, earlier.get(m.mutation_id)))
            continue
        if isinstance(m, Rejection):
            outcome = Outcome({"status": "rejected", "id": m.id, "errors": m.errors})
        else:
            try:
                outcome = batch.apply(m)
            except Rejected as exc:
                outcome = Outcome({"status": "rejected", "id": m.id, "errors": exc.errors})
        # Whatever was sent, what is stored (and echoed) must be storable: see offline_sync.values.
        result = storable({"mutation_id": m.mutation_id, **outcome.result})
        results.append(result)
        earlier[m.mutation_id] = result
        last = m.mutation_id
        entity = m.entity if m.entity in registry.records else None
        stored.append({"client_id": uuid.UUID(client_id), "mutation_id": m.mutation_id, "entity": entity,
                       "record_id": _uuid_or_none(m.id), "status": result["status"], "result": result,
                       "created_at": ctx.now})
        if result["status"] == "rejected":
            quarantined.append({"client_id": uuid.UUID(client_id), "mutation_id": m.mutation_id,
                                "user_id": uuid.UUID(ctx.actor.user_id), "payload": quarantine_payload(m.payload),
                                "errors": result["errors"], "created_at": ctx.now})
    batch.write()
    if stored:
        _insert_many(session, registry.mutation.__table__, stored)
    if quarantined:
        _insert_many(session, registry.quarantine.__table__, quarantined)
    _save_client(ctx, client, client_id, last)
    return {"results": results, "last_mutation_id": last}


def _earlier_results(ctx: SyncContext, client_id: str, mutation_ids: list[int]) -> dict[int, dict]:
    if not mutation_ids:
        return {}
    table = ctx.registry.mutation.__table__
    rows = ctx.session.execute(select(table.c.mutation_id, table.c.result).where(
        table.c.client_id == uuid.UUID(client_id), table.c.mutation_id.in_(set(mutation_ids))))
    return {mutation_id: result for mutation_id, result in rows}


def _duplicate(m: Mutation | Rejection, original: dict | None) -> dict:
    """Replay the first outcome of a mutation id as a duplicate."""
    if original is None:
        # An id below the client's high-water mark that was never sent: nothing to replay.
        return {"mutation_id": m.mutation_id, "status": "duplicate", "id": m.id, "version": None,
                "original_status": None}
    return {**original, "status": "duplicate", "original_status": original["status"]}


def _save_client(ctx: SyncContext, client: Any, client_id: str, last: int) -> None:
    if client is None:
        ctx.session.execute(insert(ctx.registry.client.__table__), [{
            "client_id": uuid.UUID(client_id), "user_id": uuid.UUID(ctx.actor.user_id), "last_mutation_id": last,
            "created_at": ctx.now, "last_seen_at": ctx.now}])
    else:
        client.last_mutation_id = last
        client.last_seen_at = ctx.now
        client.user_id = uuid.UUID(ctx.actor.user_id)


def quarantine_payload(payload: Any) -> Any:
    """Return a rejected mutation as the quarantine keeps it: storable, resident contact removed."""
    kept = storable(payload)
    if isinstance(kept, dict) and isinstance(kept.get("fields"), dict) and "resident_contact" in kept["fields"]:
        kept["fields"]["resident_contact"] = REDACTED
    return kept


def _uuids(ids: Iterable[str]) -> list[uuid.UUID]:
    valid = []
    for i in ids:
        try:
            valid.append(uuid.UUID(i))
        except ValueError:
            continue
    return valid


def _uuid_or_none(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


def apply_change(ctx: SyncContext, mutation: Mutation, source: str = "web") -> Outcome:
    """Apply one edit that does not come from a phone (PATCH, a followup from the web).

    Same rules as a pushed mutation; raises Rejected instead of quarantining.
    """
    allocate_change_seq(ctx.session, 0)
    batch = _Batch(ctx, None, source)
    batch.preload([mutation])
    outcome = batch.apply(mutation)
    batch.write()
    return outcome


def find_record(ctx: SyncContext, entity: str, record_id: str) -> dict | None:
    """Return a record in wire form if it exists and the actor may see it."""
    batch = _Batch(ctx, None, "web")
    batch._load_records(entity, {record_id})
    rec = batch.records.get((entity, record_id))
    if rec is None:
        return None
    if entity == "followup":
        batch._load_records(rec.wire["parent_entity"], {rec.wire["parent_id"]})
    return rec.wire if batch._may_see(rec) else None


def resolve(ctx: SyncContext, entity: str, record_id: str) -> Outcome | None:
    """Clear `has_conflict` of a record (the conflict history stays); None if not found."""
    allocate_change_seq(ctx.session, 0)
    batch = _Batch(ctx, None, "resolve")
    batch._load_records(entity, {record_id})
    rec = batch.records.get((entity, record_id))
    if rec is None or not batch._may_see(rec):
        return None
    outcome = batch.resolve(rec)
    batch.write()
    return outcome
