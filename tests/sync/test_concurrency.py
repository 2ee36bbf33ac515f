"""Two devices push while a third pages through the feed, against gunicorn with 2 workers.

The change sequence is allocated in commit order, so the puller, paging with a small limit while
the pushes commit, receives every change exactly once. Pushes are sometimes sent twice (a lost
response), which must not add anything.
"""

from __future__ import annotations

import random
import threading

from tests.sync.helpers import BUURT_A, new_id, signal_fields, upsert
from tests.sync.http import HttpApi

BATCHES = 12
BATCH_SIZE = 15


def _pusher(api: HttpApi, created: list, errors: list, seed: int) -> None:
    rng = random.Random(seed)
    client, mutation_id = new_id(), 0
    try:
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
    except AssertionError as exc:
        errors.append(exc)


def test_puller_sees_every_change_exactly_once(live_server, make_user):
    users = [make_user(role, buurten=[BUURT_A]) for role in ("field_worker", "field_worker", "team")]
    apis = [HttpApi(live_server.url).login(user.email, password) for user, password in users]
    created: list[str] = []
    errors: list[Exception] = []
    threads = [threading.Thread(target=_pusher, args=(apis[i], created, errors, i)) for i in range(2)]
    for t in threads:
        t.start()
    seen: list[tuple[str, int]] = []
    cursor = None

    def page() -> bool:
        nonlocal cursor
        status, body = apis[2].request("GET", "/api/v1/sync/pull?limit=7" + (f"&cursor={cursor}" if cursor else ""))
        assert status == 200 and body["reset"] is False, body
        seen.extend((c["id"], c["version"]) for c in body["changes"])
        cursor = body["cursor"]
        return body["has_more"]

    while any(t.is_alive() for t in threads):
        page()
    for t in threads:
        t.join()
    while page():
        pass
    assert not errors, errors
    assert len(created) == 2 * BATCHES * BATCH_SIZE
    assert len(seen) == len(set(seen)), "a change was delivered twice"
    assert sorted(seen) == sorted((record_id, 1) for record_id in created), "a change was skipped"
