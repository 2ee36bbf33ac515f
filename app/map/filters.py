"""The filters of the signal list, the signal map and the choropleth: one schema, one WHERE clause."""

from __future__ import annotations

import math
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_login import current_user
from marshmallow import ValidationError, fields, validate, validates_schema
from sqlalchemy import ColumnElement, false, func, literal_column, select, table
from sqlalchemy.sql import column
from webargs.fields import DelimitedList

from app.models import Signal, SignalGridCount
from offline_sync.messages_nl import DutchSchema
from offline_sync.schemas import within_years
from offline_sync.vocabulary import DOMAINS, SIGNAL_STATUSES, URGENCIES
from offline_sync.workflow import OPEN_SIGNAL_STATUSES

#: Statuses that still need someone to act; the choropleth and the "open" preset use these.
OPEN_STATUSES = OPEN_SIGNAL_STATUSES
#: Periods are calendar days as the coordinators live them.
LOCAL_TZ = ZoneInfo("Europe/Amsterdam")

#: SpatiaLite's R*Tree for signals.location (made by CreateSpatialIndex in the initial migration).
_SPATIALITE_RTREE = table("idx_signals_location", column("pkid"), column("xmin"), column("xmax"),
                          column("ymin"), column("ymax"))


class BBox(fields.Field):
    """`minLon,minLat,maxLon,maxLat` in WGS84, four finite numbers with min < max."""

    def _deserialize(self, value, attr, data, **kwargs):
        parts = str(value).split(",")
        if len(parts) != 4:
            raise ValidationError("Geef vier getallen: minLon,minLat,maxLon,maxLat.")
        try:
            numbers = [float(p) for p in parts]
        except ValueError as exc:
            raise ValidationError("bbox bevat iets anders dan getallen.") from exc
        if not all(math.isfinite(n) for n in numbers):
            raise ValidationError("bbox moet uit eindige getallen bestaan.")
        min_lon, min_lat, max_lon, max_lat = numbers
        if not (-180 <= min_lon < max_lon <= 180):
            raise ValidationError("Lengtegraden moeten tussen -180 en 180 liggen, minLon < maxLon.")
        if not (-90 <= min_lat < max_lat <= 90):
            raise ValidationError("Breedtegraden moeten tussen -90 en 90 liggen, minLat < maxLat.")
        return tuple(numbers)


class ValueList(DelimitedList):
    """A list given as `a,b`, as repeated parameters (`?x=a&x=b`), or both."""

    is_multiple = True

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, list):
            value = ",".join(str(v) for v in value)
        return super()._deserialize(value, attr, data, **kwargs)


def _codes(*choices: str) -> ValueList:
    return ValueList(fields.String(validate=validate.OneOf(choices)), load_default=list)


class SignalFilters(DutchSchema):
    """Query parameters that narrow down signals; lists accept `a,b` or repeated parameters."""

    bbox = BBox(load_default=None, metadata={"description": "minLon,minLat,maxLon,maxLat (WGS84)"})
    status = _codes(*SIGNAL_STATUSES)
    theme = ValueList(fields.String(validate=validate.Length(min=1, max=64)), load_default=list)
    domain = _codes(*DOMAINS)
    urgency = _codes(*URGENCIES)
    buurt = ValueList(fields.String(validate=validate.Length(min=1, max=16)), load_default=list)
    organisation = ValueList(fields.UUID(), load_default=list)
    mine = fields.Boolean(load_default=False, metadata={"description": "Alleen mijn organisatie"})
    assignee = fields.UUID(load_default=None)
    date_from = fields.Date(data_key="from", load_default=None, validate=within_years,
                            metadata={"description": "waargenomen (occurred_at) vanaf"})
    date_to = fields.Date(data_key="to", load_default=None, validate=within_years,
                          metadata={"description": "waargenomen (occurred_at) t/m"})

    @validates_schema
    def _period_in_order(self, data, **kwargs):
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError("'from' ligt na 'to'.", field_name="to")


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ)


def bbox_clause(bbox: tuple[float, float, float, float], dialect: str) -> ColumnElement[bool]:
    """Return a condition "location in bbox" that uses the spatial index of either database."""
    min_lon, min_lat, max_lon, max_lat = bbox
    if dialect == "postgresql":
        # For points the box test is the whole test (PostGIS compares the point itself with the box).
        return Signal.location.op("&&")(func.ST_MakeEnvelope(min_lon, min_lat, max_lon, max_lat, 4326))
    # The R*Tree keeps float32 boxes rounded outwards, so the exact test stays for the edges.
    exact = func.ST_X(Signal.location).between(min_lon, max_lon) & func.ST_Y(Signal.location).between(
        min_lat, max_lat
    )
    rtree = _SPATIALITE_RTREE.c
    candidates = select(rtree.pkid).where(
        rtree.xmin <= max_lon, rtree.xmax >= min_lon, rtree.ymin <= max_lat, rtree.ymax >= min_lat
    )
    return literal_column("signals.ROWID").in_(candidates) & exact


def signal_conditions(filters: dict, dialect: str) -> list[ColumnElement[bool]]:
    """Turn validated filters into WHERE conditions on Signal; tombstones are always left out."""
    conditions: list[ColumnElement[bool]] = [Signal.deleted.is_(False)]
    if filters.get("bbox"):
        conditions.append(bbox_clause(filters["bbox"], dialect))
    for name, col in (("status", Signal.status), ("theme", Signal.theme), ("domain", Signal.domain),
                      ("urgency", Signal.urgency), ("buurt", Signal.buurt_code),
                      ("organisation", Signal.organisation_id)):
        values = filters.get(name)
        if values:
            conditions.append(col.in_(sorted(set(values))))
    if filters.get("mine"):
        own = current_user.organisation_id
        # Someone without an organisation owns nothing: show nothing rather than everything.
        conditions.append(Signal.organisation_id == own if own else false())
    if filters.get("assignee"):
        conditions.append(Signal.assignee_id == filters["assignee"])
    if filters.get("date_from"):
        conditions.append(Signal.occurred_at >= _local_midnight(filters["date_from"]))
    if filters.get("date_to"):
        conditions.append(Signal.occurred_at < _local_midnight(filters["date_to"] + timedelta(days=1)))
    return conditions


#: The filters signal_grid_counts can answer (bbox is handled by the caller on whole cells).
GRID_FILTERS = frozenset({"bbox", "status", "organisation", "mine"})


def grid_conditions(filters: dict) -> list[ColumnElement[bool]] | None:
    """Turn filters into WHERE conditions on SignalGridCount, or None when it cannot answer them.

    Any filter of SignalFilters outside GRID_FILTERS (also one added later) means: use the signals.
    """
    if any(filters.get(name) for name in set(SignalFilters._declared_fields) - GRID_FILTERS):
        return None
    conditions: list[ColumnElement[bool]] = []
    if filters.get("status"):
        conditions.append(SignalGridCount.status.in_(sorted(set(filters["status"]))))
    if filters.get("organisation"):
        conditions.append(SignalGridCount.organisation_id.in_(sorted(set(filters["organisation"]))))
    if filters.get("mine"):
        own = current_user.organisation_id
        conditions.append(SignalGridCount.organisation_id == own if own else false())
    return conditions
