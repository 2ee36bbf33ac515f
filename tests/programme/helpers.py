"""Helpers for programme tests: an idea brought to an application by a coordinator's pushes."""

from __future__ import annotations

from tests.sync.helpers import BUURT_A, conversation_fields, idea_fields, new_id, push, upsert

WIJK_A = "WK010602"  # the wijk of BUURT_A


def application(worker, requested: int = 50_000, code: str = BUURT_A, client: str | None = None,
                first_mutation: int = 1) -> tuple[str, str]:
    """Push a conversation and an idea from it, made into an application; return (idea id, conversation id)."""
    conversation, idea = new_id(), new_id()
    n = first_mutation
    body = push(worker, client or new_id(), [
        upsert(n, "conversation", conversation, conversation_fields(code)),
        upsert(n + 1, "idea", idea, idea_fields(code, conversation_id=conversation, budget_requested_cents=requested,
                                                 requirements=["collective", "physical_social"])),
        upsert(n + 2, "idea", idea, {"status": "in_conversation"}, base_version=1),
        upsert(n + 3, "idea", idea, {"status": "application_submitted"}, base_version=2),
    ])
    assert [r["status"] for r in body["results"]] == ["applied"] * 4, body
    return idea, conversation


def make_budget(manager, amount: int, year: int = 2026, wijk_code: str | None = None, name: str = "Buurtbudget"):
    response = manager.post("/api/v1/budgets", json={"year": year, "name": name, "amount_cents": amount,
                                                     "wijk_code": wijk_code})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def grant(manager, idea: str, budget: str, cents: int):
    version = manager.get(f"/api/v1/ideas/{idea}").get_json()["version"]
    return manager.patch(f"/api/v1/ideas/{idea}", json={"base_version": version, "status": "granted",
                                                        "budget_id": budget, "budget_granted_cents": cents})
