"""Two managers grant from one budget at the same moment, in two processes against gunicorn (2 workers).

Each round has a budget of € 500,00 and two applications of € 300,00: together they would overspend,
so exactly one grant must be applied and the other refused, and the budget never goes below zero.
"""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

from tests.sync.helpers import BUURT_A, conversation_fields, idea_fields, new_id, upsert
from tests.sync.http import HttpApi

ROUNDS = 4
AMOUNT = 50_000
EACH = 30_000


def _grant_at(api: HttpApi, idea: str, budget: str, start_at: float, via_push: bool) -> tuple[int, dict]:
    """Wait for the common start time, then grant (PATCH or a sync push); return (HTTP status, body)."""
    while time.time() < start_at:
        time.sleep(0.001)
    fields = {"status": "granted", "budget_id": budget, "budget_granted_cents": EACH}
    if via_push:
        status, body = api.request("POST", "/api/v1/sync/push", {
            "client_id": new_id(), "schema_version": 1, "mutations": [upsert(1, "idea", idea, fields, base_version=4)]})
        result = body["results"][0]
        return (200 if result["status"] == "applied" else 400), result
    return api.request("PATCH", f"/api/v1/ideas/{idea}", {"base_version": 4, **fields})


def _application(worker: HttpApi, client: str, n: int) -> str:
    conversation, idea = new_id(), new_id()
    status, body = worker.request("POST", "/api/v1/sync/push", {"client_id": client, "schema_version": 1, "mutations": [
        upsert(n, "conversation", conversation, conversation_fields()),
        upsert(n + 1, "idea", idea, idea_fields(conversation_id=conversation, budget_requested_cents=EACH)),
        upsert(n + 2, "idea", idea, {"status": "in_conversation"}, base_version=1),
        upsert(n + 3, "idea", idea, {"status": "application_submitted"}, base_version=2)]})
    assert status == 200 and {r["status"] for r in body["results"]} == {"applied"}, body
    return idea


def test_concurrent_grants_never_overspend(live_server, make_user):
    users = [make_user("field_worker", buurten=[BUURT_A]), make_user("manager"), make_user("manager")]
    worker, *managers = [HttpApi(live_server.url).login(*_credentials(u)) for u in users]
    client = new_id()
    pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn"))
    try:
        pool.submit(time.sleep, 0).result()  # start the processes before the first round
        for round_ in range(ROUNDS):
            status, budget = managers[0].request("POST", "/api/v1/budgets", {
                "year": 2026, "name": f"Ronde {round_}", "amount_cents": AMOUNT})
            assert status == 201, budget
            ideas = [_application(worker, client, 1 + round_ * 8 + i * 4) for i in range(2)]
            start_at = time.time() + 1.0
            via_push = round_ % 2 == 1
            futures = [pool.submit(_grant_at, managers[i], ideas[i], budget["id"], start_at, via_push)
                       for i in range(2)]
            outcomes = [f.result() for f in futures]
            assert sorted(status for status, _ in outcomes) == [200, 400], outcomes
            refused = next(body for status, body in outcomes if status == 400)
            assert "budget_granted_cents" in refused["errors"], refused
            status, after = managers[0].request("GET", f"/api/v1/budgets/{budget['id']}")
            assert (after["granted_cents"], after["remaining_cents"]) == (EACH, AMOUNT - EACH), after
            statuses = sorted(managers[0].request("GET", f"/api/v1/ideas/{i}")[1]["status"] for i in ideas)
            assert statuses == ["application_submitted", "granted"]
    finally:
        pool.shutdown()


def _credentials(made) -> tuple[str, str]:
    user, password = made
    return user.email, password
