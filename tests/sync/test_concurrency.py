"""Two pushing processes and a third that pages through the feed, against gunicorn with 2 workers.

The change sequence is allocated in commit order, so the puller, paging with a small limit while
the pushes commit, receives every change exactly once. Pushes are sometimes sent twice (a lost
response), which must not add anything.
"""

from __future__ import annotations

import multiprocessing
import random
from concurrent.futures import ProcessPoolExecutor

from tests.sync.helpers import BUURT_A, new_id, signal_fields, upsert
from tests.sync.http import HttpApi

BATCHES = 12
BATCH_SIZE = 15


def _pusher(api: HttpApi, seed: int) -> list[str]:
    """Push BATCHES batches as one device (in a process of its own); return the ids created."""
    rng = random.Random(seed)
    client, mutation_id = new_id(), 0
    created: list[str] = []
    for _ in range(BATCHES):
        mutations = []
        for _ in range(BATCH_SIZE):
            mutation_id += 1
            record_id = new_id()
            mutations.append(upsert(mutation_id, "signal", record_id, signal_fields()))
            created.append(record_id)
        body = {"client_id": client, "schema_version": 1, "mutations": mutations}
        status, result = api.request("POST", "/api/v1/sync/push", body)
        assert status == 200 and {r["status"] for r in result["results"]} == {"applied"}, result
        if rng.random() < 0.3:
            status, again = api.request("POST", "/api/v1/sync/push", body)
            assert status == 200 and {r["status"] for r in again["results"]} == {"duplicate"}, again
    return created


def test_puller_sees_every_change_exactly_once(live_server, make_user):
    users = [make_user(role, buurten=[BUURT_A]) for role in ("field_worker", "field_worker", "team")]
    apis = [HttpApi(live_server.url).login(user.email, password) for user, password in users]
    # "spawn": the test process may already run other threads (the browser of the browser tests).
    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
    pushes = [pool.submit(_pusher, apis[i], i) for i in range(2)]
    seen: list[tuple[str, int]] = []
    cursor = None

    def page() -> bool:
        nonlocal cursor
        status, body = apis[2].request("GET", "/api/v1/sync/pull?limit=7" + (f"&cursor={cursor}" if cursor else ""))
        assert status == 200 and body["reset"] is False, body
        seen.extend((c["id"], c["version"]) for c in body["changes"])
        cursor = body["cursor"]
        return body["has_more"]

    while not all(p.done() for p in pushes):
        page()
    seen_while_pushing = len(seen)
    created = [record_id for p in pushes for record_id in p.result()]  # re-raises a pusher's failure
    pool.shutdown()
    while page():
        pass
    assert len(created) == 2 * BATCHES * BATCH_SIZE
    assert 0 < seen_while_pushing, "the puller must have paged while the pushes were committing"
    assert len(seen) == len(set(seen)), "a change was delivered twice"
    assert sorted(seen) == sorted((record_id, 1) for record_id in created), "a change was skipped"
