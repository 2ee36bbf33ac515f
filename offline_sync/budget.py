"""The buurtbudget rules of docs/API.md "The programme", on their own (no Flask, no database).

An idea becomes an application on the phone; managers and admins decide on it. Granting takes the
granted amount from a budget, which must have that much left; realising an idea records what was
spent. The engine calls `check_idea` with the idea before and after a change and, when the change
commits money, the state of the budget as read under a lock inside the write transaction.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Roles that decide on applications: grant, decline, ask for more.
DECIDING_ROLES = frozenset({"manager", "admin"})
#: Statuses in which an idea's granted amount is taken from its budget.
COMMITTED_STATUSES = ("granted", "realised")
#: The status of an idea that waits for a decision.
APPLICATION = "application_submitted"


@dataclass(frozen=True)
class BudgetState:
    """A budget as the rules need it: its amount and what other ideas were granted from it."""

    id: str
    amount_cents: int
    granted_elsewhere_cents: int

    @property
    def remaining_cents(self) -> int:
        """What is left for this idea: the amount minus what every other idea was granted."""
        return self.amount_cents - self.granted_elsewhere_cents


def euro(cents: int) -> str:
    """Return cents as Dutch euro notation: 145000 -> '€ 1.450,00', -500 -> '€ -5,00'."""
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(int(cents)), 100)
    return f"€ {sign}{whole:,}".replace(",", ".") + f",{part:02d}"


_EURO = re.compile(r"^(?P<whole>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<cents>\d{1,2}))?$")
MAX_EURO_CENTS = 10**13


def parse_euro(text: str) -> int:
    """Return the cents of an amount in Dutch notation ("1.500", "€ 1.500,00", "450,5"); ValueError in Dutch.

    The thousands separator is a dot, the decimal separator a comma (also "1500" and "1500,-").
    """
    value = text.strip().replace("\u00a0", " ").removeprefix("€").strip().replace(" ", "")
    value = value.removesuffix(",-").removesuffix(",--")
    match = _EURO.match(value)
    if not match:
        raise ValueError(f"'{text.strip()}' is geen bedrag; schrijf het als 1.500,00.")
    cents = int(match["whole"].replace(".", "")) * 100 + int((match["cents"] or "0").ljust(2, "0"))
    if cents > MAX_EURO_CENTS:
        raise ValueError("Dat bedrag is te groot.")
    return cents


def commits_budget(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Return whether a change takes money from a budget: a grant, or a granted idea's amount or budget."""
    if after.get("status") not in COMMITTED_STATUSES or after.get("deleted"):
        return False
    if before.get("status") not in COMMITTED_STATUSES:
        return True
    return any(before.get(k) != after.get(k) for k in ("budget_id", "budget_granted_cents"))


def check_idea(role: str, before: Mapping[str, Any], after: Mapping[str, Any],
               budget: BudgetState | None) -> dict[str, list[str]]:
    """Return the errors (per field, in Dutch) of changing an idea from `before` to `after`.

    `before` is empty for a new idea. `budget` is the state of `after["budget_id"]` (None when that
    budget does not exist); it is only looked at when `commits_budget(before, after)`.
    """
    old, new = before.get("status"), after.get("status")
    decides = role in DECIDING_ROLES
    if old == APPLICATION and new != old and not decides:
        return {"status": ["Alleen een programmamanager of beheerder beslist over een aanvraag "
                           "(toekennen, afwijzen of om meer informatie vragen)."]}
    if new == APPLICATION and old != new and after.get("budget_requested_cents") is None:
        return {"budget_requested_cents": ["Een aanvraag heeft een gevraagd bedrag nodig (0 mag)."]}
    if before.get("budget_granted_cents") != after.get("budget_granted_cents") and not decides:
        return {"budget_granted_cents": ["Alleen een programmamanager of beheerder kent budget toe."]}
    if commits_budget(before, after):
        errors = _check_grant(decides, after, budget)
        if errors:
            return errors
    if new == "realised" and old != new and after.get("budget_spent_cents") is None:
        return {"budget_spent_cents": ["Vul bij 'gerealiseerd' in hoeveel er is besteed (0 mag)."]}
    spent, granted = after.get("budget_spent_cents"), after.get("budget_granted_cents")
    if spent is not None and spent != before.get("budget_spent_cents") and spent > (granted or 0):
        return {"budget_spent_cents": [f"Besteed ({euro(spent)}) is meer dan toegekend ({euro(granted or 0)})."]}
    return {}


def _check_grant(decides: bool, after: Mapping[str, Any], budget: BudgetState | None) -> dict[str, list[str]]:
    if not decides:
        return {"status": ["Alleen een programmamanager of beheerder kent budget toe."]}
    if after.get("budget_id") is None:
        return {"budget_id": ["Kies het budget waaruit wordt toegekend."]}
    if budget is None:
        return {"budget_id": ["Onbekend budget."]}
    granted = after.get("budget_granted_cents")
    if granted is None:
        return {"budget_granted_cents": ["Vul het toegekende bedrag in."]}
    if granted > budget.remaining_cents:
        return {"budget_granted_cents": [
            f"Toegekend bedrag ({euro(granted)}) is meer dan er over is in dit budget "
            f"({euro(budget.remaining_cents)})."]}
    return {}
