"""Property: devices that edit offline and sync in any order, with lost responses, end up agreeing.

Several simulated devices edit the same signals while offline (many values per field, status changes,
followups with and without a status change, deletes), then push and pull in random interleavings;
some push responses are lost, so the device retries the same mutations later. At the end:

- every device has the server's records, and every mutation has exactly one outcome, replayed
  unchanged and stored as the server answered it;
- nothing is lost: for every record and field, the value each device *last* sent (when accepted) is
  the record's final value, or a later accepted change replaced it and the history shows both — and
  when that later change had not seen it, the conflict history keeps it;
- every accepted followup exists with its text, and a deleted record takes no further edits.

Examples per run: the hypothesis profile (`ci`: 25, `thorough`: 500; see tests/conftest.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models import Followup, RecordChange, RecordConflict, SyncMutation
from tests.sync.helpers import BUURT_A, new_id, pull_all, push, signal_fields, upsert

FIELD_VALUES = {
    "title": st.sampled_from(["Hek kapot", "Hek nog steeds kapot", "Hek gerepareerd?", "Hek", "Poort kapot",
                              "Hek bij speeltuin"]),
    "urgency": st.sampled_from(["low", "normal", "high"]),
    "domain": st.sampled_from(["physical", "social", "both"]),
    "description": st.text(alphabet="abcdeë \n", min_size=0, max_size=12),
    "theme": st.sampled_from(["openbare_ruimte", "groen", "afval", "veiligheid", None]),
    "due_date": st.sampled_from([None, "2026-12-01", "2026-12-15", "2027-01-31"]),
    "status": st.sampled_from(["new", "picked_up", "in_progress", "referred", "done", "not_actionable"]),
}
STATUS_TO = st.sampled_from([None, "picked_up", "in_progress", "done", "referred", "not_actionable", "new"])
OUTCOMES = {"applied", "conflict", "rejected"}
ACCEPTED = {"applied", "conflict"}


@dataclass
class Device:
    api: object
    client_id: str = field(default_factory=new_id)
    next_id: int = 1
    outbox: list = field(default_factory=list)
    copies: dict = field(default_factory=dict)
    cursor: str | None = None
    outcomes: dict = field(default_factory=dict)
    versions: dict = field(default_factory=dict)
    sent: dict = field(default_factory=dict)

    def _queue(self, mutation: dict) -> None:
        mutation["mutation_id"] = self.next_id
        self.sent[self.next_id] = mutation
        self.outbox.append(mutation)
        self.next_id += 1

    def _base(self, record_id: str) -> int | None:
        return self.copies[record_id]["version"] if record_id in self.copies else None

    def edit(self, record_id: str, name: str, value) -> None:
        self._queue(upsert(0, "signal", record_id, {name: value}, base_version=self._base(record_id)))

    def follow_up(self, record_id: str, text: str, status_to: str | None) -> None:
        self._queue(upsert(0, "followup", new_id(), {"parent_entity": "signal", "parent_id": record_id, "text": text,
                                                     "status_to": status_to,
                                                     "parent_version": self._base(record_id)}))

    def delete(self, record_id: str) -> None:
        self._queue({"mutation_id": 0, "entity": "signal", "op": "delete", "id": record_id,
                     "base_version": self._base(record_id)})

    def push(self, lose_response: bool) -> None:
        if not self.outbox:
            return
        body = push(self.api, self.client_id, self.outbox)
        if lose_response:
            return
        for result in body["results"]:
            status = result["original_status"] if result["status"] == "duplicate" else result["status"]
            assert status in OUTCOMES, result
            self.outcomes.setdefault(result["mutation_id"], status)
            self.versions.setdefault(result["mutation_id"], result.get("version"))
            assert self.outcomes[result["mutation_id"]] == status  # a replay never changes the outcome
        self.outbox = [m for m in self.outbox if m["mutation_id"] > body["last_mutation_id"]]

    def pull(self, ids: set[str]) -> None:
        changes, self.cursor, reset = pull_all(self.api, self.cursor, limit=4)
        if reset:
            self.copies = {}
        for change in changes:
            if change["id"] in ids:
                self.copies[change["id"]] = change["record"]


_device = st.integers(0, 2)
_record = st.integers(0, 2)
actions = st.lists(st.one_of(
    st.tuples(st.just("edit"), _device, _record,
              st.sampled_from(sorted(FIELD_VALUES)).flatmap(lambda n: st.tuples(st.just(n), FIELD_VALUES[n]))),
    st.tuples(st.just("followup"), _device, _record, st.sampled_from(["Gebeld", "Langs geweest", ""]), STATUS_TO),
    st.tuples(st.just("delete"), _device, _record),
    st.tuples(st.just("push"), _device, st.booleans()),
    st.tuples(st.just("pull"), _device),
), min_size=4, max_size=24)


def test_devices_converge(api):
    # The first device's user creates the signals (so may delete them), the third is an admin.
    users = [api("field_worker", buurten=[BUURT_A]), api("field_worker", buurten=[BUURT_A]), api("admin")]

    @given(steps=actions)
    def run(steps):
        devices = [Device(user) for user in users]
        ids = [new_id() for _ in range(3)]
        seed = Device(users[0])
        push(seed.api, seed.client_id, [upsert(i + 1, "signal", rid, signal_fields()) for i, rid in enumerate(ids)])
        for device in devices:
            device.pull(set(ids))
        for step in steps:
            device = devices[step[1]]
            if step[0] == "edit":
                device.edit(ids[step[2]], *step[3])
            elif step[0] == "followup":
                device.follow_up(ids[step[2]], step[3], step[4])
            elif step[0] == "delete":
                device.delete(ids[step[2]])
            elif step[0] == "push":
                device.push(lose_response=step[2])
            else:
                device.pull(set(ids))
        for device in devices:
            device.push(lose_response=False)
            assert device.outbox == []
        for device in devices:
            device.pull(set(ids))
        server = {rid: users[2].get(f"/api/v1/signals/{rid}").get_json() for rid in ids}
        for device in devices:
            assert device.copies == server
            assert set(device.outcomes) == set(device.sent)
            stored = dict(db.session.execute(select(SyncMutation.mutation_id, SyncMutation.status).where(
                SyncMutation.client_id == uuid.UUID(device.client_id))).all())
            assert stored == device.outcomes
        _assert_last_values_kept(devices, ids, server)
        _assert_followups_kept(devices)
        _assert_deleted_stay_deleted(devices, server)

    run()


def _history(ids: list[str]) -> dict[str, list[tuple[int, dict]]]:
    history: dict[str, list[tuple[int, dict]]] = {}
    for record_id, version, changes in db.session.execute(
            select(RecordChange.record_id, RecordChange.version, RecordChange.changes)
            .where(RecordChange.record_id.in_([uuid.UUID(i) for i in ids])).order_by(RecordChange.version)):
        history.setdefault(str(record_id), []).append((version, changes))
    return history


def _assert_last_values_kept(devices: list[Device], ids: list[str], server: dict) -> None:
    """The value each device last sent for a field survives: final, or replaced later (and kept if unseen)."""
    history = _history(ids)
    kept = {(str(r), name, repr(value)) for r, name, server_value, client_value in db.session.execute(
        select(RecordConflict.record_id, RecordConflict.field, RecordConflict.server_value,
               RecordConflict.client_value).where(RecordConflict.record_id.in_([uuid.UUID(i) for i in ids])))
        for value in (server_value, client_value)}
    for device in devices:
        last: dict[tuple[str, str], tuple[object, int]] = {}
        for mutation_id in sorted(device.sent):
            mutation = device.sent[mutation_id]
            if mutation["entity"] != "signal" or mutation["op"] != "upsert" or (
                    device.outcomes[mutation_id] not in ACCEPTED):
                continue
            for name, value in mutation["fields"].items():
                last[(mutation["id"], name)] = (value, device.versions[mutation_id])
        for (record_id, name), (value, acknowledged) in last.items():
            # The server acknowledged version `acknowledged`: by then the value was written (by this
            # mutation, or earlier when it was already the record's value) — or, for a status change
            # that came too late, kept in the conflict history.
            written = any(name in changes and changes[name][1] == value
                          for version, changes in history.get(record_id, []) if version <= acknowledged)
            assert written or (record_id, name, repr(value)) in kept, (record_id, name, value)
            if server[record_id][name] != value and written:
                assert any(name in changes for version, changes in history[record_id] if version > 1), (
                    record_id, name, value)


def _assert_followups_kept(devices: list[Device]) -> None:
    for device in devices:
        for mutation_id, mutation in device.sent.items():
            if mutation["entity"] != "followup" or device.outcomes[mutation_id] not in ACCEPTED:
                continue
            row = db.session.get(Followup, uuid.UUID(mutation["id"]))
            assert row is not None and row.text == mutation["fields"]["text"]


def _assert_deleted_stay_deleted(devices: list[Device], server: dict) -> None:
    for device in devices:
        for mutation_id, mutation in device.sent.items():
            if mutation["op"] == "delete" and device.outcomes[mutation_id] == "applied":
                assert server[mutation["id"]]["deleted"] is True
