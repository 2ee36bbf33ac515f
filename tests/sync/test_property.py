"""Property: devices that edit offline and sync in any order, with lost responses, end up agreeing.

Several simulated devices edit the same signals while offline, then push and pull in random
interleavings; some push responses are lost, so the device retries the same mutations later.
At the end every device has the server's records, every mutation has exactly one outcome
(applied, duplicate, conflict or rejected), and every value a device sent is either in the
record's history or in its conflict history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models import RecordChange, RecordConflict, SyncMutation
from tests.sync.helpers import BUURT_A, new_id, pull_all, push, signal_fields, upsert

FIELD_VALUES = {
    "title": st.sampled_from(["Hek kapot", "Hek nog steeds kapot", "Hek gerepareerd?"]),
    "urgency": st.sampled_from(["low", "normal", "high"]),
    "description": st.text(alphabet="abcdeë ", min_size=0, max_size=8),
    "status": st.sampled_from(["picked_up", "in_progress", "done"]),
}
OUTCOMES = {"applied", "conflict", "rejected"}


@dataclass
class Device:
    api: object
    client_id: str = field(default_factory=new_id)
    next_id: int = 1
    outbox: list = field(default_factory=list)
    copies: dict = field(default_factory=dict)
    cursor: str | None = None
    outcomes: dict = field(default_factory=dict)
    sent: dict = field(default_factory=dict)

    def edit(self, record_id: str, name: str, value) -> None:
        base = self.copies[record_id]["version"] if record_id in self.copies else None
        mutation = upsert(self.next_id, "signal", record_id, {name: value}, base_version=base)
        self.sent[self.next_id] = mutation
        self.outbox.append(mutation)
        self.next_id += 1

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
            assert self.outcomes[result["mutation_id"]] == status  # a replay never changes the outcome
        self.outbox = [m for m in self.outbox if m["mutation_id"] > body["last_mutation_id"]]

    def pull(self, ids: set[str]) -> None:
        changes, self.cursor, reset = pull_all(self.api, self.cursor, limit=2)
        if reset:
            self.copies = {}
        for change in changes:
            if change["id"] in ids:
                self.copies[change["id"]] = change["record"]


actions = st.lists(st.one_of(
    st.tuples(st.just("edit"), st.integers(0, 2), st.integers(0, 2),
              st.sampled_from(sorted(FIELD_VALUES)).flatmap(lambda n: st.tuples(st.just(n), FIELD_VALUES[n]))),
    st.tuples(st.just("push"), st.integers(0, 2), st.booleans()),
    st.tuples(st.just("pull"), st.integers(0, 2)),
), min_size=4, max_size=24)


def test_devices_converge(api):
    users = [api("field_worker", buurten=[BUURT_A]), api("field_worker", buurten=[BUURT_A]), api("team")]

    @settings(max_examples=12, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
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
                SyncMutation.client_id == _uuid(device.client_id))).all())
            assert stored == device.outcomes
        _assert_nothing_lost(devices, ids)

    run()


def _uuid(value):
    import uuid

    return uuid.UUID(value)


def _assert_nothing_lost(devices, ids) -> None:
    record_ids = [_uuid(i) for i in ids]
    written = {(str(r), name, repr(new)) for r, changes in db.session.execute(
        select(RecordChange.record_id, RecordChange.changes).where(RecordChange.record_id.in_(record_ids)))
        for name, (_old, new) in changes.items()}
    kept = {(str(r), name, repr(value)) for r, name, server, client in db.session.execute(
        select(RecordConflict.record_id, RecordConflict.field, RecordConflict.server_value,
               RecordConflict.client_value).where(RecordConflict.record_id.in_(record_ids)))
        for value in (server, client)}
    for device in devices:
        for mutation_id, mutation in device.sent.items():
            if device.outcomes[mutation_id] == "rejected":
                continue
            for name, value in mutation["fields"].items():
                assert (mutation["id"], name, repr(value)) in written | kept, (mutation, device.outcomes[mutation_id])
