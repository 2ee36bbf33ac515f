"""The wire form of records (docs/API.md "Records"): one serialisation for pull, GET, map and exports.

Values are kept in this JSON form inside the engine as well, so that merge comparisons and the
change history (`RecordChange.changes`) use exactly what clients send and receive.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from geoalchemy2.elements import WKBElement, WKTElement
from geoalchemy2.shape import to_shape

#: Writable fields per entity, in the order they are returned.
ENTITY_FIELDS: dict[str, tuple[str, ...]] = {
    "conversation": ("occurred_at", "setting", "residents_count", "themes", "summary", "follow_up_needed",
                     "gathering_id"),
    "signal": ("occurred_at", "conversation_id", "title", "description", "theme", "domain", "urgency", "status",
               "organisation", "assignee", "due_date", "photos", "public_note", "public"),
    "idea": ("occurred_at", "conversation_id", "title", "description", "theme", "initiators_count", "support",
             "budget_requested_cents", "budget_granted_cents", "status", "photos",
             "budget_id", "budget_spent_cents", "requirements", "public_note", "public"),
    "gathering": ("occurred_at", "kind", "title", "attendance_count", "organisations", "notes", "idea_id",
                  "ended_at"),
    "followup": ("parent_entity", "parent_id", "text", "status_from", "status_to"),
}
#: Values a new record gets for fields the client did not send.
DEFAULTS: dict[str, dict[str, Any]] = {
    "conversation": {"residents_count": 1, "themes": [], "summary": "", "follow_up_needed": False,
                     "gathering_id": None},
    "signal": {"conversation_id": None, "description": "", "theme": None, "domain": "both", "urgency": "normal",
               "status": "new", "organisation": None, "assignee": None, "due_date": None, "photos": [],
               "public_note": None, "public": False},
    "idea": {"conversation_id": None, "description": "", "theme": None, "initiators_count": 1, "support": [],
             "budget_requested_cents": None, "budget_granted_cents": None, "status": "idea", "photos": [],
             "budget_id": None, "budget_spent_cents": None, "requirements": [], "public_note": None,
             "public": False},
    "gathering": {"title": "", "attendance_count": 0, "organisations": [], "notes": "", "idea_id": None,
                  "ended_at": None},
    "followup": {"text": "", "status_from": None, "status_to": None},
}
LOCATED = {"conversation", "signal", "idea", "gathering"}
#: Wire name -> column name where they differ.
COLUMNS = {"organisation": "organisation_id", "assignee": "assignee_id", "created_by": "created_by_id"}
UUID_FIELDS = {"conversation_id", "organisation", "assignee", "parent_id", "created_by", "id", "gathering_id",
               "budget_id", "idea_id"}
#: Lists of UUIDs, kept as a JSON list of strings.
UUID_LIST_FIELDS = {"organisations"}
DATETIME_FIELDS = {"occurred_at", "created_at", "updated_at", "done_at", "ended_at", "status_changed_at"}
DATE_FIELDS = {"due_date"}
#: Read-only extras returned for some entities (not part of the merge).
#: `status_changed_at/_by_name` say when and by whom the status last changed (the field app's notice).
STATUS_CHANGE_FIELDS = ("status_changed_at", "status_changed_by_name")
EXTRA_FIELDS = {"signal": ("done_at", *STATUS_CHANGE_FIELDS), "idea": STATUS_CHANGE_FIELDS}
_EWKB_SRID = 0x20000000


def iso(value: datetime | None) -> str | None:
    """Return an aware datetime as ISO 8601 in UTC with offset."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def to_wire(name: str, value: Any) -> Any:
    """Convert one column value to its wire form."""
    if value is None:
        return None
    if name in UUID_FIELDS:
        return str(value)
    if name in UUID_LIST_FIELDS:
        return [str(v) for v in value]
    if name in DATETIME_FIELDS:
        return iso(value)
    if name in DATE_FIELDS:
        return value.isoformat()
    return value


def to_column(name: str, value: Any) -> Any:
    """Convert one wire value to what its column stores."""
    if value is None:
        return None
    if name in UUID_FIELDS:
        return uuid.UUID(str(value))
    if name in DATETIME_FIELDS:
        return datetime.fromisoformat(value)
    if name in DATE_FIELDS:
        return date.fromisoformat(value)
    return value


def _point_xy(element: WKBElement) -> tuple[float, float]:
    """Read (x, y) of a 2D point straight from its (E)WKB; any other geometry goes through shapely."""
    data = element.data
    if isinstance(data, str):
        data = bytes.fromhex(data)
    data = bytes(data)
    if len(data) in (21, 25) and data[0] in (0, 1):
        order = "<" if data[0] == 1 else ">"
        kind = struct.unpack_from(order + "I", data, 1)[0]
        offset = 9 if kind & _EWKB_SRID else 5
        if kind & 0xFFFF == 1 and len(data) == offset + 16:
            return struct.unpack_from(order + "dd", data, offset)
    point = to_shape(element)
    return point.x, point.y


def location_wire(geometry: Any, accuracy_m: float | None) -> dict | None:
    """Return `{"lat", "lon", "accuracy_m"}` for a stored point, or None."""
    if geometry is None:
        return None
    if isinstance(geometry, WKBElement):
        lon, lat = _point_xy(geometry)
    elif isinstance(geometry, WKTElement):
        point = to_shape(geometry)
        lon, lat = point.x, point.y
    else:
        lon, lat = geometry
    return {"lat": lat, "lon": lon, "accuracy_m": accuracy_m}


def location_ewkt(location: Mapping | None) -> str | None:
    """Return the EWKT a location is stored as."""
    if location is None:
        return None
    return f"SRID=4326;POINT({float(location['lon'])!r} {float(location['lat'])!r})"


def record_dict(record: Any, entity: str | None = None) -> dict:
    """Return a record (ORM object or row with the same attribute names) in its API shape.

    Never includes resident contact details: they live in another table.
    """
    entity = entity or record.entity_name
    out = {
        "id": str(record.id),
        "version": record.version,
        "created_at": iso(record.created_at),
        "updated_at": iso(record.updated_at),
        "created_by": to_wire("created_by", record.created_by_id),
        "buurt_code": record.buurt_code,
        "location": location_wire(record.location, record.accuracy_m) if entity in LOCATED else None,
        "has_conflict": bool(record.has_conflict),
        "deleted": bool(record.deleted),
    }
    for name, column, convert in _CONVERTERS[entity]:
        value = getattr(record, column)
        out[name] = value if value is None or convert is None else convert(value)
    return out


def _converter(name: str):
    """The function to_wire applies to a field's (non-None) value, or None when the value is its own wire form."""
    if name in UUID_FIELDS:
        return str
    if name in UUID_LIST_FIELDS:
        return lambda value: [str(v) for v in value]
    if name in DATETIME_FIELDS:
        return iso
    if name in DATE_FIELDS:
        return date.isoformat
    return None


#: Per entity: (wire name, column name, converter) of every field record_dict returns after the common ones.
_CONVERTERS = {entity: [(name, COLUMNS.get(name, name), _converter(name))
                        for name in ENTITY_FIELDS[entity] + EXTRA_FIELDS.get(entity, ())]
               for entity in ENTITY_FIELDS}


def change_dict(record: Any, entity: str | None = None) -> dict:
    """Return one entry of the pull feed for a record."""
    entity = entity or record.entity_name
    return {"entity": entity, "id": str(record.id), "version": record.version,
            "deleted": bool(record.deleted), "record": record_dict(record, entity)}
