"""Property: whatever JSON a push carries in `fields`, the server answers 200 with exactly one result per
mutation, the good mutations around it apply, and nothing outside the pushed mutations changes.

The values are the ones databases choke on: text with NUL and lone surrogates, integers of any size,
NaN and infinities, dates of any year, nesting far beyond 32 levels, and unknown field names.
Examples per run: the hypothesis profile (`ci`: 25, `thorough`: 500; tests/conftest.py).
"""

from __future__ import annotations

import json
import os
import uuid
from collections import Counter
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.models import ENTITIES, RecordChange, ResidentContact
from offline_sync.records import ENTITY_FIELDS
from tests.sync.helpers import BUURT_A, conversation_fields, new_id, signal_fields, upsert

#: What the runs saw: printed at the end of a run (`-s`) and appended to $MUURTJE_FUZZ_TALLY if set.
TALLY: Counter = Counter()

_characters = st.characters(categories=["Cs", "Cc", "L", "N", "P", "S", "Zs"])  # Cs: lone surrogates
nasty_text = st.text(alphabet=_characters, max_size=12) | st.sampled_from(
    ["\x00", "a\x00b", "\ud800", "\udfff x", "'; DROP TABLE signals;--", "NaN", "", " " * 3])
dates = (st.datetimes(timezones=st.just(UTC)).map(datetime.isoformat) | st.dates().map(str)
         | st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-02-30", "morgen"]))
numbers = (st.integers() | st.integers(min_value=2**62, max_value=2**70) | st.floats(allow_nan=True,
                                                                                       allow_infinity=True))
scalars = st.none() | st.booleans() | numbers | nasty_text | dates
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    nasty_text, inner, max_size=3), max_leaves=8)


def _deep(depth: int, leaf) -> object:
    for _ in range(depth):
        leaf = [leaf]
    return leaf


deep_values = st.builds(_deep, st.integers(20, 400), scalars)
any_value = json_values | deep_values | scalars
ALL_FIELDS = sorted({name for names in ENTITY_FIELDS.values() for name in names}
                    | {"location", "buurt_code", "resident_contact", "parent_version"})
field_names = st.sampled_from(ALL_FIELDS) | nasty_text
fuzzed_fields = st.dictionaries(field_names, any_value, max_size=5)


@st.composite
def mutations(draw, victim: str) -> list[dict]:
    out = []
    for _ in range(draw(st.integers(1, 3))):
        entity = draw(st.sampled_from(["conversation", "signal", "idea", "followup"]))
        base = {"signal": signal_fields(), "conversation": conversation_fields()}.get(entity, {})
        fields = {**(base if draw(st.booleans()) else {}), **draw(fuzzed_fields)}
        target = draw(st.sampled_from([new_id(), victim]))
        mutation = upsert(0, entity, target, fields, base_version=draw(st.none() | st.integers(0, 3)))
        if draw(st.booleans()):
            mutation["client_time"] = draw(dates | st.none())
        out.append(mutation)
    return out


def _rows() -> dict:
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in
            (*ENTITIES.values(), RecordChange, ResidentContact)}


def test_fuzzed_fields_never_break_a_push(api):
    worker = api("field_worker", buurten=[BUURT_A])
    sentinel, victim = new_id(), new_id()
    seed = [upsert(1, "signal", sentinel, signal_fields(title="Blijft zoals het is")),
            upsert(2, "signal", victim, signal_fields(title="Mag veranderen"))]
    _push(worker, new_id(), seed)
    untouched = worker.get(f"/api/v1/signals/{sentinel}").get_json()

    @given(mutations(victim))
    def run(fuzzed):
        client_id = new_id()
        good_before, good_after = new_id(), new_id()
        batch = [upsert(1, "signal", good_before, signal_fields()), *fuzzed,
                 upsert(0, "conversation", good_after, conversation_fields())]
        for number, mutation in enumerate(batch, start=1):
            mutation["mutation_id"] = number
        rows_before = _rows()
        response = _push(worker, client_id, batch)
        TALLY["requests"] += 1
        TALLY[f"http_{response.status_code}"] += 1
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        results = response.get_json()["results"]
        assert [r["mutation_id"] for r in results] == list(range(1, len(batch) + 1))
        assert results[0]["status"] == "applied" and results[-1]["status"] == "applied"
        for result in results[1:-1]:
            assert result["status"] in {"applied", "conflict", "rejected", "duplicate"}
            TALLY[result["status"]] += 1
        # Nothing outside the pushed mutations changed: the sentinel, and no more rows than they can explain.
        assert worker.get(f"/api/v1/signals/{sentinel}").get_json() == untouched
        grew = {k: v - rows_before[k] for k, v in _rows().items()}
        written = sum(1 for r in results if r["status"] in ("applied", "conflict"))
        assert grew["record_changes"] <= written + len(fuzzed)  # followups also change their parent
        stored = db.session.scalar(select(func.count()).select_from(ENTITIES["signal"]).where(
            ENTITIES["signal"].id == uuid.UUID(good_before)))
        assert stored == 1

    run()
    report = f"fuzz tally ({db.engine.dialect.name}): {dict(TALLY)}"
    print("\n" + report)
    if path := os.environ.get("MUURTJE_FUZZ_TALLY"):
        with open(path, "a", encoding="utf-8") as out:
            out.write(report + "\n")


def _push(client, client_id: str, mutations: list[dict]):
    body = json.dumps({"client_id": client_id, "schema_version": 1, "mutations": mutations}, allow_nan=True)
    return client.post("/api/v1/sync/push", data=body, content_type="application/json")
