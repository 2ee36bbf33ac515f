"""The buurtbudget and bijeenkomst rules on their own, without Flask or a database."""

from __future__ import annotations

import pytest

from offline_sync.budget import BudgetState, check_idea, commits_budget, euro, parse_euro
from offline_sync.schemas import Mutation, Rejection, load_mutation, missing_required
from offline_sync.workflow import Transition, check_transition

BUDGET = "0b7c4a7e-2222-4222-8222-222222222222"
IDEA = "0b7c4a7e-1111-4111-8111-111111111111"


def application(**extra) -> dict:
    return {"id": IDEA, "status": "application_submitted", "budget_requested_cents": 50_000,
            "budget_granted_cents": None, "budget_id": None, "budget_spent_cents": None, "deleted": False, **extra}


def test_euro_notation():
    assert euro(145_000) == "€ 1.450,00"
    assert euro(45_000) == "€ 450,00"
    assert euro(5) == "€ 0,05"
    assert euro(123_456_789) == "€ 1.234.567,89"
    assert euro(-500) == "€ -5,00"


def test_ask_for_more_is_a_transition_with_a_note():
    assert check_transition("idea", "application_submitted", "in_conversation") is Transition.NEEDS_TEXT
    assert check_transition("idea", "application_submitted", "declined") is Transition.NEEDS_TEXT
    assert check_transition("idea", "application_submitted", "granted") is Transition.ALLOWED
    assert check_transition("idea", "granted", "realised") is Transition.ALLOWED


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_grant_within_remaining(role):
    before = application()
    after = application(status="granted", budget_id=BUDGET, budget_granted_cents=40_000)
    budget = BudgetState(BUDGET, amount_cents=100_000, granted_elsewhere_cents=60_000)
    assert budget.remaining_cents == 40_000
    assert commits_budget(before, after)
    assert check_idea(role, before, after, budget) == {}


def test_grant_above_remaining_is_refused_with_the_amounts():
    after = application(status="granted", budget_id=BUDGET, budget_granted_cents=40_001)
    errors = check_idea("manager", application(), after, BudgetState(BUDGET, 100_000, 60_000))
    assert errors == {"budget_granted_cents": [
        "Toegekend bedrag (€ 400,01) is meer dan er over is in dit budget (€ 400,00)."]}


@pytest.mark.parametrize("role", ["field_worker", "team"])
def test_only_managers_and_admins_decide(role):
    budget = BudgetState(BUDGET, 100_000, 0)
    granted = application(status="granted", budget_id=BUDGET, budget_granted_cents=1)
    assert "status" in check_idea(role, application(), granted, budget)
    assert "status" in check_idea(role, application(), application(status="declined"), None)
    assert "status" in check_idea(role, application(), application(status="in_conversation"), None)
    # A coordinator may still decline an idea that never became an application.
    assert check_idea(role, application(status="idea"), application(status="declined"), None) == {}
    # ... and may not set a granted amount at all.
    assert "budget_granted_cents" in check_idea(role, application(status="idea"),
                                                application(status="idea", budget_granted_cents=5), None)


def test_grant_needs_a_budget_that_exists_and_an_amount():
    granted = application(status="granted", budget_granted_cents=100)
    assert "budget_id" in check_idea("manager", application(), granted, None)
    assert check_idea("manager", application(), {**granted, "budget_id": BUDGET}, None) == {
        "budget_id": ["Onbekend budget."]}
    no_amount = application(status="granted", budget_id=BUDGET)
    assert "budget_granted_cents" in check_idea("manager", application(), no_amount, BudgetState(BUDGET, 10, 0))


def test_changing_a_granted_amount_is_checked_again():
    granted = application(status="granted", budget_id=BUDGET, budget_granted_cents=40_000)
    more = {**granted, "budget_granted_cents": 70_000}
    assert commits_budget(granted, more)
    assert not commits_budget(granted, {**granted, "budget_spent_cents": 100})
    assert "budget_granted_cents" in check_idea("manager", granted, more, BudgetState(BUDGET, 100_000, 40_000))
    assert check_idea("manager", granted, more, BudgetState(BUDGET, 110_000, 40_000)) == {}
    assert not commits_budget(application(), application(status="declined"))


def test_realised_needs_the_amount_spent_and_not_more_than_granted():
    granted = application(status="granted", budget_id=BUDGET, budget_granted_cents=40_000)
    assert "budget_spent_cents" in check_idea("field_worker", granted, {**granted, "status": "realised"}, None)
    assert check_idea("field_worker", granted, {**granted, "status": "realised", "budget_spent_cents": 38_550},
                      None) == {}
    too_much = check_idea("manager", granted, {**granted, "status": "realised", "budget_spent_cents": 40_001}, None)
    assert too_much == {"budget_spent_cents": ["Besteed (€ 400,01) is meer dan toegekend (€ 400,00)."]}


def test_submitting_an_application_needs_a_requested_amount():
    idea = application(status="in_conversation", budget_requested_cents=None)
    assert "budget_requested_cents" in check_idea("field_worker", idea, {**idea, "status": "application_submitted"},
                                                  None)
    assert check_idea("field_worker", idea, {**idea, "status": "application_submitted",
                                             "budget_requested_cents": 0}, None) == {}


def _mutation(entity: str, fields: dict) -> Mutation | Rejection:
    return load_mutation({"mutation_id": 1, "entity": entity, "op": "upsert", "id": IDEA, "fields": fields})


def test_gathering_schema():
    ok = _mutation("gathering", {"kind": "stamppot", "occurred_at": "2026-11-27T18:00:00+01:00",
                                 "attendance_count": 0, "organisations": [BUDGET], "idea_id": None,
                                 "location": {"lat": 52.99, "lon": 6.56, "accuracy_m": 8}})
    assert isinstance(ok, Mutation)
    assert ok.fields["organisations"] == [BUDGET]
    assert ok.fields["occurred_at"] == "2026-11-27T17:00:00+00:00"
    assert missing_required("gathering", {}) == {"kind": ["Verplicht veld ontbreekt."],
                                                "occurred_at": ["Verplicht veld ontbreekt."]}
    for bad in ({"kind": "disco"}, {"attendance_count": -1}, {"organisations": ["x"]}, {"title": "x" * 201}):
        rejected = _mutation("gathering", {"kind": "bbq", "occurred_at": "2026-07-01T18:00:00+02:00", **bad})
        assert isinstance(rejected, Rejection), bad
        assert set(rejected.errors) == set(bad)


def test_conversation_and_idea_gain_programme_fields():
    conv = _mutation("conversation", {"gathering_id": BUDGET})
    assert isinstance(conv, Mutation) and conv.fields["gathering_id"] == BUDGET
    idea = _mutation("idea", {"budget_id": BUDGET, "budget_spent_cents": 0,
                              "requirements": ["collective", "physical_social"]})
    assert isinstance(idea, Mutation)
    bad = _mutation("idea", {"requirements": ["cheap"], "budget_spent_cents": -1})
    assert isinstance(bad, Rejection) and set(bad.errors) == {"requirements", "budget_spent_cents"}


@pytest.mark.parametrize(("text", "cents"), [
    ("1.500,00", 150_000), ("€ 1.500,00", 150_000), ("1500", 150_000), ("450", 45_000), ("450,5", 45_050),
    ("€\u00a0450,00", 45_000), ("1.234.567,89", 123_456_789), ("0,05", 5), ("25,-", 2_500), (" 12 ", 1_200),
])
def test_parse_euro(text, cents):
    assert parse_euro(text) == cents
    assert parse_euro(euro(cents)) == cents


@pytest.mark.parametrize("text", ["", "abc", "1,500.00", "1.50", "12,345", "-5", "1.5000", "10**20"])
def test_parse_euro_refuses(text):
    with pytest.raises(ValueError, match="bedrag"):
        parse_euro(text)
