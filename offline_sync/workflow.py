"""The status workflows of signals and ideas (the table in docs/API.md), as data."""

from __future__ import annotations

from enum import Enum

#: entity -> from-status -> {to-status: needs a followup text}
TRANSITIONS: dict[str, dict[str, dict[str, bool]]] = {
    "signal": {
        "new": {"picked_up": False, "referred": True, "not_actionable": True},
        "picked_up": {"in_progress": False, "done": False, "referred": True, "not_actionable": True},
        "in_progress": {"done": False, "referred": True, "not_actionable": True},
        "referred": {"picked_up": False, "in_progress": False},
        "done": {"in_progress": True},
        "not_actionable": {"new": True},
    },
    "idea": {
        "idea": {"in_conversation": False, "declined": True},
        "in_conversation": {"idea": False, "application_submitted": False, "declined": True},
        "application_submitted": {"granted": False, "declined": True, "in_conversation": True},
        "granted": {"realised": False},
        "declined": {"in_conversation": True},
        "realised": {},
    },
}

#: Signal statuses in which nobody has to act any more; every other signal status is open.
CLOSED_SIGNAL_STATUSES = ("done", "not_actionable")
OPEN_SIGNAL_STATUSES = tuple(s for s in TRANSITIONS["signal"] if s not in CLOSED_SIGNAL_STATUSES)

#: The status a new record starts in.
INITIAL_STATUS = {"signal": "new", "idea": "idea"}


class Transition(Enum):
    """How a status change relates to the workflow."""

    SAME = "same"
    ALLOWED = "allowed"
    NEEDS_TEXT = "needs_text"
    INVALID = "invalid"


def check_transition(entity: str, from_status: str, to_status: str) -> Transition:
    """Classify a status change of an entity against the workflow table."""
    if from_status == to_status:
        return Transition.SAME
    allowed = TRANSITIONS.get(entity, {}).get(from_status, {})
    if to_status not in allowed:
        return Transition.INVALID
    return Transition.NEEDS_TEXT if allowed[to_status] else Transition.ALLOWED
