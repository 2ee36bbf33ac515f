"""Streaming writers (csv, xlsx, GeoJSON) and the record-level exports built on them.

Rows come from a server-side cursor in batches and leave as byte chunks, so memory stays flat
however many records there are. Columns are listed here explicitly, from the record tables (and
the names of buurt, organisation and assignee): resident contact details live in a separate table
that is never joined.

Three forms: CSV and GeoJSON are for machines and keep the contract's field names, codes, lists as
JSON and amounts in cents; xlsx is for people, with Dutch headers, labels instead of codes, ja/nee and
euro cells. CSV is UTF-8 with a byte-order mark and `;` as delimiter: Excel with Dutch regional
settings (list separator `;`) opens such a file straight into columns with accents intact.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Text, case, cast, func, select, type_coerce
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Select

from app.models import Budget, Buurt, Conversation, Followup, Gathering, Idea, Organisation, Signal, User
from app.reports.summary import LOCAL_TZ, Period, Scope
from offline_sync import vocabulary

CSV_DELIMITER = ";"
BATCH_ROWS = 5000
CHUNK_ROWS = 1000
XLSX_MAX_CELL = 32_767
# Characters XML 1.0 (and so xlsx) cannot hold.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

PARENT_LABELS = {code: vocabulary.ENTITY[code] for code in ("signal", "idea")}


@dataclass(frozen=True)
class Column:
    """One exported column: field name (CSV header, GeoJSON property), Dutch xlsx header, SQL expression, kind."""

    key: str
    header: str
    expr: Any
    kind: str = "value"  # value | text | uuid | datetime | date | bool | list | label | labels | cents
    labels: dict | None = None

    @property
    def xlsx_header(self) -> str:
        """The header in a spreadsheet, where amounts in cents become euro cells."""
        return self.header.replace("(eurocent)", "(€)") if self.kind == "cents" else self.header

    @property
    def xlsx_kind(self) -> str | None:
        return "euro" if self.kind == "cents" else None


# --- writers -------------------------------------------------------------------------------------


def csv_chunks(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """Yield a CSV file (BOM, `;`, LF line ends as PostgreSQL's COPY writes them) in chunks of CHUNK_ROWS rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\n")
    buffer.write("\ufeff")
    writer.writerow(header)
    pending = 0
    for row in rows:
        writer.writerow(row)
        pending += 1
        if pending == CHUNK_ROWS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue().encode("utf-8")


def geojson_chunks(features: Iterable[dict], members: dict | None = None) -> Iterator[bytes]:
    """Yield a GeoJSON FeatureCollection feature by feature (extra top-level members first)."""
    head = {"type": "FeatureCollection", **(members or {})}
    buffer = io.StringIO()
    buffer.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "features": [\n')
    pending = 0
    first = True
    for feature in features:
        if not first:
            buffer.write(",\n")
        first = False
        buffer.write(json.dumps(feature, ensure_ascii=False, separators=(",", ":"), default=str))
        pending += 1
        if pending == CHUNK_ROWS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    buffer.write("\n]}\n")
    yield buffer.getvalue().encode("utf-8")


def attachment_disposition(filename: str) -> str:
    """Return a Content-Disposition header for a download; only letters, digits, `.`, `_` and `-` pass."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    return f'attachment; filename="{safe}"'


def spreadsheet_text(value: str) -> str:
    """Make free text safe for a spreadsheet cell: no XML-illegal characters, never a formula."""
    value = _ILLEGAL_XML.sub("", value)
    if value.startswith(_FORMULA_START):
        value = "'" + value
    return value[:XLSX_MAX_CELL]


# --- record exports ------------------------------------------------------------------------------

ENTITY_MODELS = {"conversation": Conversation, "signal": Signal, "idea": Idea, "gathering": Gathering,
                 "followup": Followup}
SHEET_TITLES = vocabulary.ENTITY_PLURAL


def period_column(model):
    """Return the column a period filters on: occurred_at where a record kind has it (followups: created_at)."""
    return getattr(model, "occurred_at", model.created_at)


def export_columns(entity: str, theme_labels: dict[str, str]) -> list[Column]:
    """Return the exported columns of an entity, in order."""
    model = ENTITY_MODELS[entity]
    columns = [
        Column("id", "ID", model.id, "uuid"),
        Column("version", "Versie", model.version),
        Column("created_at", "Aangemaakt op", model.created_at, "datetime"),
        Column("updated_at", "Gewijzigd op", model.updated_at, "datetime"),
        Column("buurt_code", "Buurtcode", model.buurt_code),
        Column("buurt_name", "Buurt", Buurt.name),
    ]
    if hasattr(model, "location"):
        columns += [
            Column("lon", "Lengtegraad", func.ST_X(model.location)),
            Column("lat", "Breedtegraad", func.ST_Y(model.location)),
            Column("accuracy_m", "Nauwkeurigheid (m)", model.accuracy_m),
        ]
    columns += _ENTITY_COLUMNS[entity](theme_labels)
    columns.append(Column("has_conflict", "Conflict", model.has_conflict, "bool"))
    return columns


_Assignee = aliased(User)


def _conversation_columns(themes: dict) -> list[Column]:
    c = Conversation
    return [
        Column("occurred_at", "Datum en tijd gesprek", c.occurred_at, "datetime"),
        Column("setting", "Plek", c.setting, "label", vocabulary.SETTING),
        Column("residents_count", "Aantal bewoners", c.residents_count),
        Column("themes", "Thema's", c.themes, "labels", themes),
        Column("summary", "Samenvatting", c.summary, "text"),
        Column("follow_up_needed", "Vervolg nodig", c.follow_up_needed, "bool"),
    ]


def _raised_in_conversation(model, themes: dict) -> list[Column]:
    """Return the leading columns signals and ideas share: their conversation, title, text and theme."""
    return [
        Column("occurred_at", "Datum en tijd waargenomen", model.occurred_at, "datetime"),
        Column("conversation_id", "Gesprek (ID)", model.conversation_id, "uuid"),
        Column("title", "Titel", model.title, "text"),
        Column("description", "Omschrijving", model.description, "text"),
        Column("theme", "Thema", model.theme, "label", themes),
    ]


def _signal_columns(themes: dict) -> list[Column]:
    s = Signal
    return [
        *_raised_in_conversation(s, themes),
        Column("domain", "Domein", s.domain, "label", vocabulary.DOMAIN),
        Column("urgency", "Urgentie", s.urgency, "label", vocabulary.URGENCY),
        Column("status", "Status", s.status, "label", vocabulary.STATUS["signal"]),
        Column("organisation", "Organisatie", Organisation.name),
        Column("assignee", "Behandelaar", _Assignee.name),
        Column("due_date", "Streefdatum", s.due_date, "date"),
        Column("done_at", "Afgerond op", s.done_at, "datetime"),
        Column("photos", "Foto's (sha256)", s.photos, "list"),
    ]


def _idea_columns(themes: dict) -> list[Column]:
    i = Idea
    return [
        *_raised_in_conversation(i, themes),
        Column("initiators_count", "Aantal initiatiefnemers", i.initiators_count),
        Column("support", "Gevraagde steun", i.support, "labels", vocabulary.SUPPORT),
        Column("budget_requested_cents", "Gevraagd budget (eurocent)", i.budget_requested_cents, "cents"),
        Column("budget_granted_cents", "Toegekend budget (eurocent)", i.budget_granted_cents, "cents"),
        Column("status", "Status", i.status, "label", vocabulary.STATUS["idea"]),
        Column("photos", "Foto's (sha256)", i.photos, "list"),
        Column("budget_id", "Budget (ID)", i.budget_id, "uuid"),
        Column("budget_name", "Budget", Budget.name),
        Column("budget_spent_cents", "Besteed (eurocent)", i.budget_spent_cents, "cents"),
        Column("requirements", "Voorwaarden", i.requirements, "labels", vocabulary.REQUIREMENT),
    ]


def _gathering_columns(_themes: dict) -> list[Column]:
    g = Gathering
    return [
        Column("occurred_at", "Datum en tijd", g.occurred_at, "datetime"),
        Column("kind", "Soort", g.kind, "label", vocabulary.GATHERING_KIND),
        Column("title", "Naam", g.title, "text"),
        Column("attendance_count", "Aanwezigen", g.attendance_count),
        Column("organisations", "Organisaties (ID)", g.organisations, "list"),
        Column("notes", "Notities", g.notes, "text"),
        Column("idea_id", "Realiseert initiatief (ID)", g.idea_id, "uuid"),
        Column("ended_at", "Afgerond op", g.ended_at, "datetime"),
    ]


def _followup_columns(_themes: dict) -> list[Column]:
    f = Followup
    return [
        Column("parent_entity", "Hoort bij", f.parent_entity, "label", PARENT_LABELS),
        Column("parent_id", "Signaal of idee (ID)", f.parent_id, "uuid"),
        Column("text", "Tekst", f.text, "text"),
        Column("status_from", "Status van", f.status_from, "label", vocabulary.ANY_STATUS),
        Column("status_to", "Status naar", f.status_to, "label", vocabulary.ANY_STATUS),
    ]


_ENTITY_COLUMNS: dict[str, Callable[[dict], list[Column]]] = {
    "conversation": _conversation_columns, "signal": _signal_columns,
    "idea": _idea_columns, "gathering": _gathering_columns, "followup": _followup_columns,
}


def fetched_expression(column: Column, form: str):
    """Return the SQL expression to fetch for a column in a form (csv, xlsx, geojson), cheapest to convert.

    Times skip the UTCDateTime decorator (the converters normalise them) and JSON lists arrive as text
    (CSV writes that text as it is; the others parse only what is not the common empty list). For xlsx
    the database translates codes into Dutch labels and booleans into ja/nee, for CSV booleans into
    true/false. Together that halves the Python time per row.
    """
    if form == "xlsx" and column.kind == "label" and column.labels:
        return case(column.labels, value=column.expr, else_=column.expr)
    if form in ("csv", "xlsx") and column.kind == "bool":
        yes, no = ("ja", "nee") if form == "xlsx" else ("true", "false")
        return case((column.expr.is_(None), None), (column.expr, yes), else_=no)
    if column.kind == "datetime":
        return type_coerce(column.expr, DateTime(timezone=True))
    if column.kind in ("list", "labels"):
        return cast(column.expr, Text)
    return column.expr


def export_query(entity: str, columns: list[Column], period: Period, scope: Scope, buurt_code: str | None,
                 form: str = "geojson", select_as: Callable[[Column], Any] | None = None) -> Select:
    """Return the SELECT of an export: live records of the period, scope and buurt, oldest first.

    `select_as` overrides how each column is selected (the COPY path renders cells in SQL).
    """
    model = ENTITY_MODELS[entity]
    select_as = select_as or (lambda c: fetched_expression(c, form))
    stmt = select(*[select_as(c) for c in columns]).select_from(model)
    stmt = stmt.outerjoin(Buurt, Buurt.code == model.buurt_code)
    if model is Idea:
        stmt = stmt.outerjoin(Budget, Budget.id == Idea.budget_id)
    if model is Signal:
        stmt = stmt.outerjoin(Organisation, Organisation.id == Signal.organisation_id)
        stmt = stmt.outerjoin(_Assignee, _Assignee.id == Signal.assignee_id)
    return _filter(stmt, model, period, scope, buurt_code).order_by(period_column(model), model.id)


def export_count(entity: str, period: Period, scope: Scope, buurt_code: str | None) -> Select:
    """Return a SELECT counting the rows export_query yields."""
    model = ENTITY_MODELS[entity]
    return _filter(select(func.count()).select_from(model), model, period, scope, buurt_code)


def _filter(stmt: Select, model, period: Period, scope: Scope, buurt_code: str | None) -> Select:
    stmt = stmt.where(model.deleted.is_(False), *period.conditions(period_column(model)), *scope.conditions(model))
    if buurt_code is not None:
        stmt = stmt.where(model.buurt_code == buurt_code)
    return stmt


def stream_rows(engine: Engine, stmt: Select, batch: int = BATCH_ROWS) -> Iterator[tuple]:
    """Yield result rows from a server-side cursor (PostgreSQL) or SQLite's lazy cursor, in batches."""
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=batch).execute(stmt)
        for partition in result.partitions():
            yield from partition


def _table_converter(column: Column, for_csv: bool) -> Callable[[Any], Any] | None:
    """Return how a value becomes a csv/xlsx cell (None: as it is).

    CSV gets times as ISO 8601 with offset and lists as their JSON text; xlsx gets Dutch local time
    as a date cell (Excel has no time zones) and lists as labels joined by "; ".
    """
    kind, labels = column.kind, column.labels or {}
    if kind == "uuid":
        return lambda v: None if v is None else str(v)
    if for_csv:
        if kind == "datetime":
            return lambda v: None if v is None else _local(v).isoformat(timespec="seconds")
        if kind == "text":
            return lambda v: "'" + v if v is not None and v.startswith(_FORMULA_START) else v
        return None
    if kind == "text":
        return lambda v: None if v is None else spreadsheet_text(v)
    if kind == "datetime":
        return lambda v: None if v is None else _local(v).replace(tzinfo=None)
    if kind == "labels":
        return lambda v: "; ".join(labels.get(x, str(x)) for x in _list(v))
    if kind == "list":
        return lambda v: "; ".join(str(x) for x in _list(v))
    return None


def _local(value: datetime) -> datetime:
    """Return a fetched time in Dutch local time (SQLite hands back naive UTC)."""
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(LOCAL_TZ)


def _list(text: str | None) -> list:
    """Parse a JSON list fetched as text; empty lists, the common case, without the parser."""
    if not text or text == "[]":
        return []
    value = json.loads(text)
    return value if isinstance(value, list) else []


def _geo_converter(column: Column) -> Callable[[Any], Any] | None:
    """Return how a value becomes a GeoJSON property (codes stay codes; times ISO with offset)."""
    if column.kind == "uuid":
        return lambda v: None if v is None else str(v)
    if column.kind == "datetime":
        return lambda v: None if v is None else _local(v).isoformat(timespec="seconds")
    if column.kind == "date":
        return lambda v: None if v is None else v.isoformat()
    if column.kind in ("list", "labels"):
        return _list
    return None


def _converted(rows: Iterable[tuple], converters: list) -> Iterator[list]:
    steps = [(i, f) for i, f in enumerate(converters) if f is not None]
    for row in rows:
        values = list(row)
        for i, f in steps:
            values[i] = f(values[i])
        yield values


def table_rows(rows: Iterable[tuple], columns: list[Column], for_csv: bool) -> Iterator[list]:
    """Turn SQL rows into csv or xlsx rows."""
    return _converted(rows, [_table_converter(c, for_csv) for c in columns])


def features(rows: Iterable[tuple], columns: list[Column]) -> Iterator[dict]:
    """Turn SQL rows into GeoJSON Point features (geometry null for records without a location)."""
    keys = [c.key for c in columns]
    lon_i = keys.index("lon") if "lon" in keys else None
    lat_i = keys.index("lat") if "lat" in keys else None
    skip = {lon_i, lat_i}
    prop_keys = [(i, k) for i, k in enumerate(keys) if i not in skip]
    for values in _converted(rows, [_geo_converter(c) for c in columns]):
        geometry = None
        if lon_i is not None and values[lon_i] is not None:
            geometry = {"type": "Point", "coordinates": [values[lon_i], values[lat_i]]}
        yield {"type": "Feature", "id": values[0], "geometry": geometry,
               "properties": {k: values[i] for i, k in prop_keys}}
