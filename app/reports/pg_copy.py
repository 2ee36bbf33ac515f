"""CSV and GeoJSON exports written by PostgreSQL itself (`COPY (SELECT ...) TO STDOUT`).

The Python path (app.reports.exports) handles SQLite and xlsx. On PostgreSQL the same SELECT, with every
conversion the Python converters do expressed in SQL, is handed to COPY: the server renders the
rows in C and the app only forwards bytes, several times faster per row. The CSV matches the Python
writer byte for byte: `;`, UTF-8 with BOM, field names as headers, NULL as an empty field, times
ISO 8601 with the Dutch offset, codes as codes, lists as JSON, booleans true/false, amounts in cents,
free text that would start a formula prefixed with an apostrophe. The GeoJSON features are built
with json_build_object, one per line, and equal the Python writer's after parsing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from sqlalchemy import Text, case, cast, func, literal, literal_column
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select

from app.reports.exports import CSV_DELIMITER, Column, fetched_expression

CHUNK_BYTES = 1 << 16
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# to_char renders in the session's time zone, which the export sets to Dutch time.
_ISO_FORMAT = 'YYYY-MM-DD"T"HH24:MI:SSTZH:TZM'


def copy_expression(column: Column):
    """Return the SQL that renders a column's csv cell on PostgreSQL."""
    expr = column.expr
    if column.kind == "datetime":
        return func.to_char(expr, _ISO_FORMAT)
    if column.kind == "text":
        # NULLIF: COPY quotes an empty string ("") to tell it from NULL; the Python writer writes nothing.
        return func.nullif(
            case((func.left(expr, 1).in_(_FORMULA_START), literal("'", Text).concat(expr)), else_=expr), "")
    if column.kind in ("list", "labels", "uuid"):
        return cast(expr, Text)
    return fetched_expression(column, "csv")


def copy_csv_chunks(engine: Engine, stmt: Select, header: list[str]) -> Iterator[bytes]:
    """Yield a CSV file made by COPY for a SELECT, with a BOM and a header, in chunks of ~64 KB."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\n").writerow(header)
    yield buffer.getvalue().encode("utf-8")
    yield from _copy(engine, stmt, f"FORMAT csv, DELIMITER '{CSV_DELIMITER}', ENCODING 'UTF8'")


def geojson_feature(columns: list[Column]):
    """Return the SQL expression of one export row as GeoJSON Feature text (id, Point, properties)."""
    by_key = {c.key: c for c in columns}
    properties = []
    for column in columns:
        if column.key in ("lon", "lat"):
            continue
        properties += [literal(column.key, Text), _geo_property(column)]
    geometry = None
    if "lon" in by_key:
        lon, lat = by_key["lon"].expr, by_key["lat"].expr
        point = func.json_build_object("type", "Point", "coordinates", func.json_build_array(lon, lat))
        geometry = case((lon.is_(None), None), else_=point)
    return cast(
        func.json_build_object(
            "type",
            "Feature",
            "id",
            cast(by_key["id"].expr, Text),
            "geometry",
            geometry,
            "properties",
            func.json_build_object(*properties),
        ),
        Text,
    )


def _geo_property(column: Column):
    """Return a GeoJSON property in SQL, as the Python writer renders it (codes stay codes)."""
    expr = column.expr
    if column.kind == "uuid":
        return cast(expr, Text)
    if column.kind == "datetime":
        return func.to_char(expr, _ISO_FORMAT)
    if column.kind in ("list", "labels"):
        return case((func.jsonb_typeof(expr) == "array", expr), else_=literal_column("'[]'::jsonb"))
    return expr


def copy_geojson_chunks(engine: Engine, stmt: Select, members: dict) -> Iterator[bytes]:
    """Yield a GeoJSON FeatureCollection whose features COPY renders, one per line."""
    head = json.dumps({"type": "FeatureCollection", **members}, ensure_ascii=False)[:-1]
    yield (head + ', "features": [\n').encode("utf-8")
    # Feature text never holds a raw newline (JSON escapes it), so with a quote and delimiter that
    # JSON text cannot contain either, COPY's csv mode passes each feature through untouched.
    lines = _copy(engine, stmt, "FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02', ENCODING 'UTF8'")
    first = True
    for chunk in _rejoin_lines(lines):
        if not first:
            yield b",\n"
        first = False
        yield chunk
    yield b"\n]}\n"


def _rejoin_lines(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Turn COPY's newline-terminated rows into runs of features joined by ",\\n" (~64 KB each)."""
    rest = b""
    for chunk in chunks:
        data = rest + chunk
        cut = data.rfind(b"\n")
        if cut < 0:
            rest = data
            continue
        rest = data[cut + 1 :]
        yield data[:cut].replace(b"\n", b",\n")
    if rest:
        yield rest


def _copy(engine: Engine, stmt: Select, options: str) -> Iterator[bytes]:
    """Run COPY (SELECT ...) TO STDOUT in Dutch local time and yield its output in ~64 KB chunks."""
    compiled = stmt.compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
    sql = f"COPY ({compiled}) TO STDOUT WITH ({options})"
    with engine.connect() as conn:
        conn.exec_driver_sql("SET LOCAL TIME ZONE 'Europe/Amsterdam'")
        cursor = conn.connection.driver_connection.cursor()
        try:
            with cursor.copy(sql, compiled.params) as copy:
                pending = bytearray()
                for data in copy:
                    pending += data
                    if len(pending) >= CHUNK_BYTES:
                        yield bytes(pending)
                        pending.clear()
                if pending:
                    yield bytes(pending)
        finally:
            cursor.close()
            conn.rollback()
