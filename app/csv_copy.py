"""CSV exports written by PostgreSQL itself (`COPY (SELECT ...) TO STDOUT`), for large exports.

The Python path (app.exports) handles SQLite and the other formats. On PostgreSQL the same SELECT,
with every conversion the Python converters do expressed in SQL, is handed to COPY: the server
writes the CSV in C and the app only forwards bytes, which is about ten times faster per row. The
output matches the Python writer: `;`, UTF-8 with BOM, NULL as an empty field, times ISO 8601 with
the Dutch offset, codes as Dutch labels, lists joined by "; ", free text that would start a formula
prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import Text, case, cast, func, literal, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select

from app.exports import CSV_DELIMITER, Column, fetched_expression

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
        return case((func.left(expr, 1).in_(_FORMULA_START), literal("'", Text).concat(expr)), else_=expr)
    if column.kind in ("list", "labels"):
        items = func.jsonb_array_elements_text(expr).table_valued("value").alias("item")
        value = items.c.value
        if column.kind == "labels" and column.labels:
            value = case(column.labels, value=value, else_=value)
        joined = select(func.string_agg(value, literal("; ", Text))).select_from(items).scalar_subquery()
        return case((func.jsonb_typeof(expr) == "array", func.coalesce(joined, "")), else_="")
    if column.kind == "uuid":
        return cast(expr, Text)
    return fetched_expression(column, for_table=True)


def copy_csv_chunks(engine: Engine, stmt: Select, header: list[str]) -> Iterator[bytes]:
    """Yield a CSV file made by COPY for a SELECT, with a BOM and a header, in chunks of ~64 KB."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    csv.writer(buffer, delimiter=CSV_DELIMITER).writerow(header)
    yield buffer.getvalue().encode("utf-8")
    compiled = stmt.compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
    sql = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, DELIMITER '{CSV_DELIMITER}', ENCODING 'UTF8')"
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
