"""Three-way field merge of an edit against the version its author saw (`base_version`).

The change history of a record (`RecordChange.changes`, {field: [old, new]}) tells which fields
others changed after that version. A field both sides changed to different values is a conflict:
the later arrival wins and the overwritten value is reported so it can be kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HistoryEntry:
    """One accepted change of a record."""

    version: int
    changes: Mapping[str, list]
    client_id: str | None


def changed_since(history: Iterable[HistoryEntry], base_version: int, client_id: str | None) -> dict[str, Any]:
    """Return the fields others changed after `base_version`, each with the value it had before.

    Changes that came from the same client are not "others": an installation that edits a record
    twice while offline sends both edits against the same base_version.
    """
    changed: dict[str, Any] = {}
    for entry in sorted(history, key=lambda h: h.version):
        if entry.version <= base_version or (client_id is not None and entry.client_id == client_id):
            continue
        for name, (old, _new) in entry.changes.items():
            changed.setdefault(name, old)
    return changed


def merge_fields(current: Mapping[str, Any], sent: Mapping[str, Any], changed: Mapping[str, Any]
                 ) -> tuple[dict[str, Any], list[dict]]:
    """Return (fields to write, conflicts) for an edit of `current` with the values `sent`.

    Unchanged values are dropped; a value the server changed since the base and the edit sets to
    something else is written anyway (later arrival wins) and listed as a conflict.
    """
    updates: dict[str, Any] = {}
    conflicts: list[dict] = []
    for name, value in sent.items():
        if current.get(name) == value:
            continue
        if name in changed:
            conflicts.append({"field": name, "server_value": current.get(name), "client_value": value})
        updates[name] = value
    return updates, conflicts
