"""What a database can store: the one check every incoming value passes (docs/API.md "Trust rules").

PostgreSQL refuses a NUL character in text and in jsonb, NaN and ±Infinity in jsonb, and integers
beyond 64 bits; SQLite refuses integers beyond 64 bits and text with lone surrogates; both refuse
or mangle dates far outside the calendar we work in. A phone resends its outbox in order, so such a
value must be a validation error of its own mutation, never a failed push.

`problem_of` finds the first such value in anything decoded from JSON (without recursion, so deep
nesting cannot overflow the stack); `storable` returns a copy in which every such value is replaced
by a readable stand-in, for the quarantine and the results that must be stored whatever was sent.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
#: Years a date or time may have (inclusive).
MIN_YEAR, MAX_YEAR = 1900, 2200
#: Deepest nesting of lists and objects accepted inside one mutation's `fields`.
MAX_DEPTH = 32
#: What `storable` writes in place of resident contact details and of too deep structures.
REDACTED = "[verwijderd]"
TOO_DEEP = "[te diep genest]"

NUL = "Tekst met een NUL-teken (\\u0000) kan niet worden opgeslagen."
SURROGATE = "Tekst met een los surrogaatteken (ongeldige Unicode) kan niet worden opgeslagen."
NOT_FINITE = "NaN en oneindig zijn geen getallen die kunnen worden opgeslagen."
TOO_BIG = "Getal buiten het bereik van 64 bits."
DEEP = f"Te diep genest (meer dan {MAX_DEPTH} niveaus)."
YEAR = f"Datum of tijdstip buiten de jaren {MIN_YEAR}–{MAX_YEAR}."


def text_problem(value: str) -> str | None:
    """Return why a text cannot be stored, or None."""
    if "\x00" in value:
        return NUL
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE
    return None


def scalar_problem(value: Any) -> str | None:
    """Return why a single (non-container) value cannot be stored, or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return text_problem(value)
    if isinstance(value, int):
        return None if INT64_MIN <= value <= INT64_MAX else TOO_BIG
    if isinstance(value, float):
        return None if math.isfinite(value) else NOT_FINITE
    if isinstance(value, date | datetime):
        return None if in_years(value) else YEAR
    return None


def problem_of(value: Any, max_depth: int = MAX_DEPTH) -> str | None:
    """Return why a JSON-like value (or anything in it, keys included) cannot be stored, or None."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= max_depth:
                return DEEP
            if isinstance(item, dict):
                for key, child in item.items():
                    if isinstance(key, str) and (reason := text_problem(key)):
                        return reason
                    stack.append((child, depth + 1))
            else:
                stack.extend((child, depth + 1) for child in item)
        elif reason := scalar_problem(item):
            return reason
    return None


def problems_by_field(values: dict) -> dict[str, list[str]]:
    """Return {field: [reason]} for every top-level field whose name or value cannot be stored."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        reason = (text_problem(name) if isinstance(name, str) else None) or problem_of(value)
        if reason:
            errors[_storable_text(str(name))] = [reason]
    return errors


def in_years(value: date | datetime) -> bool:
    """Return whether a date or time lies within MIN_YEAR..MAX_YEAR."""
    return MIN_YEAR <= value.year <= MAX_YEAR


def storable(value: Any, redact: frozenset[str] = frozenset()) -> Any:
    """Return a copy of a JSON-like value that any database stores, keys named in `redact` replaced.

    NUL and lone surrogates are written as their escape (`\\u0000`), NaN and infinities and integers
    beyond 64 bits as their text, structures deeper than MAX_DEPTH as TOO_DEEP: nothing readable is
    lost, and nothing is executed or decoded again.
    """
    return _storable(value, redact, 0)


def _storable(value: Any, redact: frozenset[str], depth: int) -> Any:
    if isinstance(value, dict | list) and depth >= MAX_DEPTH:
        return TOO_DEEP
    if isinstance(value, dict):
        return {_storable_text(str(k)): REDACTED if k in redact else _storable(v, redact, depth + 1)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_storable(v, redact, depth + 1) for v in value]
    if isinstance(value, str):
        return _storable_text(value)
    if scalar_problem(value) is not None:
        return str(value) if not isinstance(value, date | datetime) else value.isoformat()
    return value


def _storable_text(value: str) -> str:
    if text_problem(value) is None:
        return value
    value = value.replace("\x00", "\\u0000")
    return value.encode("utf-8", "backslashreplace").decode("utf-8")
