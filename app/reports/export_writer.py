"""Pick the writer of a record export: PostgreSQL's COPY for csv and GeoJSON there, Python otherwise.

Kept apart from app.reports.exports (columns, queries, Python writers) so that pg_copy, which builds
on those columns, and the Python writers do not import each other.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy.engine import Engine

from app.reports.exports import (
    SHEET_TITLES,
    csv_chunks,
    export_columns,
    export_query,
    features,
    geojson_chunks,
    stream_rows,
    table_rows,
)
from app.reports.pg_copy import copy_csv_chunks, copy_expression, copy_geojson_chunks, geojson_feature
from app.reports.summary import Period, Scope
from app.reports.xlsx_stream import xlsx_stream


def record_export(engine: Engine, entity: str, fmt: str, period: Period, scope: Scope,
                  buurt_code: str | None, theme_labels: dict[str, str]) -> Iterator[bytes]:
    """Return the byte chunks of a record export in csv, xlsx or geojson."""
    columns = export_columns(entity, theme_labels)
    if fmt == "csv" and engine.dialect.name == "postgresql":
        stmt = export_query(entity, columns, period, scope, buurt_code, select_as=copy_expression)
        return copy_csv_chunks(engine, stmt, [c.key for c in columns])
    if fmt == "geojson" and engine.dialect.name == "postgresql":
        stmt = export_query(entity, [], period, scope, buurt_code).with_only_columns(geojson_feature(columns))
        return copy_geojson_chunks(engine, stmt, {"name": SHEET_TITLES[entity]})
    rows = stream_rows(engine, export_query(entity, columns, period, scope, buurt_code, form=fmt))
    if fmt == "csv":
        return csv_chunks([c.key for c in columns], table_rows(rows, columns, for_csv=True))
    if fmt == "xlsx":
        return xlsx_stream(SHEET_TITLES[entity], [c.xlsx_header for c in columns], table_rows(rows, columns, False),
                           kinds=[c.xlsx_kind for c in columns])
    return geojson_chunks(features(rows, columns), {"name": SHEET_TITLES[entity]})
