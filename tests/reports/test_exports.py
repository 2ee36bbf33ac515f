"""Record exports and report formats: parsed back, never with contact details, streamed."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import shapely
from openpyxl import load_workbook
from shapely.geometry import shape

from app.extensions import db
from app.models import Followup, ResidentContact, Signal
from app.reports.summary import COLUMNS
from offline_sync.vocabulary import SETTING, STATUS

CONTACT_NAME = "Hendrika Zwartjes-Opvallend"
CONTACT_PHONE = "0612345678"
CONTACT_EMAIL = "hendrika.geheim@example.org"


@pytest.fixture
def contacts(world):
    """Resident contacts on the first record of every entity, with distinctive values."""
    for entity in ("conversation", "signal", "idea"):
        record = world["seeded"][entity][0]
        db.session.add(ResidentContact(entity=entity, record_id=record["id"], name=CONTACT_NAME, phone=CONTACT_PHONE,
                                       email=CONTACT_EMAIL, purge_after=datetime.now(UTC) + timedelta(days=30)))
    signal = world["seeded"]["signal"][0]
    db.session.add(Followup(id=uuid.uuid4(), parent_entity="signal", parent_id=signal["id"], text="Gebeld, opgepakt",
                            status_to="picked_up", buurt_code=signal["buurt_code"]))
    db.session.commit()


def _live(world, entity, start=None, end=None, buurt=None):
    from tests.reports.seed import in_period

    column = "occurred_at" if entity == "conversation" else "created_at"
    return [r for r in world["seeded"][entity] if not r["deleted"] and in_period(r[column], start, end)
            and (buurt is None or r["buurt_code"] == buurt)]


def _csv_rows(body: bytes) -> list[dict]:
    assert body.startswith(b"\xef\xbb\xbf"), "CSV must start with a UTF-8 BOM for Excel"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def _assert_no_contact(body: bytes) -> None:
    for secret in (CONTACT_NAME, CONTACT_PHONE, CONTACT_EMAIL):
        assert secret.encode() not in body


def _xlsx_values(body: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def _valid_collection(body: bytes) -> dict:
    doc = json.loads(body)
    assert doc["type"] == "FeatureCollection"
    for feature in doc["features"]:
        assert feature["type"] == "Feature" and isinstance(feature["properties"], dict)
        if feature["geometry"] is not None:
            assert shapely.is_valid(shape(feature["geometry"]))
    return doc


@pytest.mark.parametrize("entity", ["conversation", "signal", "idea", "followup"])
def test_every_format_parses_and_never_holds_contact_details(api, world, contacts, entity):
    manager = api("manager")
    expected = 1 if entity == "followup" else len(_live(world, entity))
    for fmt in ("csv", "xlsx", "geojson"):
        response = manager.get(f"/api/v1/exports/{entity}s?format={fmt}")
        assert response.status_code == 200, response.get_data()
        assert response.is_streamed
        assert int(response.headers["X-Record-Count"]) == expected
        body = response.get_data()
        _assert_no_contact(body)
        if fmt == "csv":
            rows = _csv_rows(body)
            assert len(rows) == expected and "buurt_code" in rows[0] and "id" in rows[0]
        elif fmt == "xlsx":
            values = _xlsx_values(body)
            assert values[0][0] == "ID" and len(values) == expected + 1
        else:
            assert len(_valid_collection(body)["features"]) == expected


def test_signal_csv_columns_and_values(api, world):
    body = api("admin").get("/api/v1/exports/signals?from=2024-01-01&to=2024-06-30").get_data()
    rows = _csv_rows(body)
    live = {str(s["id"]): s for s in _live(world, "signal", datetime(2024, 1, 1).date(), datetime(2024, 6, 30).date())}
    assert {r["id"] for r in rows} == set(live)
    # For machines: the contract's field names, codes as codes, booleans true/false, lists as JSON.
    assert list(rows[0])[:6] == ["id", "version", "created_at", "updated_at", "buurt_code", "buurt_name"]
    for row in rows:
        signal = live[row["id"]]
        assert datetime.fromisoformat(row["created_at"]) == signal["created_at"].replace(microsecond=0)
        assert row["buurt_code"] == (signal["buurt_code"] or "")
        assert row["organisation"] == signal["org"]
        assert row["status"] == signal["status"] and signal["status"] in STATUS["signal"]
        assert row["has_conflict"] in ("true", "false")
        assert json.loads(row["photos"]) == []


def test_csv_keeps_codes_where_xlsx_shows_labels(api, world):
    """The same conversations: CSV with field names, theme codes as a JSON list; xlsx with Dutch labels."""
    from app.reports import summary as reporting

    labels = reporting.theme_labels()
    manager = api("manager")
    rows = _csv_rows(manager.get("/api/v1/exports/conversations?format=csv").get_data())
    sheet = _xlsx_values(manager.get("/api/v1/exports/conversations?format=xlsx").get_data())
    by_id = {r[0]: dict(zip(sheet[0], r, strict=True)) for r in sheet[1:]}
    live = {str(c["id"]): c for c in _live(world, "conversation")}
    assert {r["id"] for r in rows} == set(by_id) == set(live)
    with_themes = 0
    for row in rows:
        themes = json.loads(row["themes"])
        assert themes == live[row["id"]]["themes"]
        assert row["setting"] == "street" and by_id[row["id"]]["Plek"] == SETTING["street"]
        assert (by_id[row["id"]]["Thema's"] or "") == "; ".join(labels[t] for t in themes)
        assert row["follow_up_needed"] in ("true", "false")
        assert by_id[row["id"]]["Vervolg nodig"] == {"true": "ja", "false": "nee"}[row["follow_up_needed"]]
        with_themes += bool(themes)
    assert with_themes > 0


def test_buurt_filter(api, world, buurt_codes):
    code = buurt_codes[0]
    doc = _valid_collection(api("manager").get(f"/api/v1/exports/conversations?format=geojson&buurt={code}")
                            .get_data())
    assert {f["properties"]["buurt_code"] for f in doc["features"]} == {code}
    assert len(doc["features"]) == len(_live(world, "conversation", buurt=code))
    assert all(f["geometry"]["type"] == "Point" for f in doc["features"])


def test_formula_text_is_neutralised(api, app):
    db.session.add(Signal(id=uuid.uuid4(), title="=HYPERLINK(\"http://x\")", status="new"))
    db.session.commit()
    manager = api("manager")
    rows = _csv_rows(manager.get("/api/v1/exports/signals").get_data())
    assert rows[0]["title"].startswith("'=")
    values = _xlsx_values(manager.get("/api/v1/exports/signals?format=xlsx").get_data())
    assert values[1][values[0].index("Titel")].startswith("'=")


def test_export_roles(api, world):
    assert api("field_worker").get("/api/v1/exports/signals").status_code == 403
    team = api("team", organisation="Actium")
    assert team.get("/api/v1/exports/conversations").status_code == 403
    rows = _csv_rows(team.get("/api/v1/exports/signals").get_data())
    assert rows and {r["organisation"] for r in rows} == {"Actium"}
    assert len(rows) == len([s for s in _live(world, "signal") if s["org"] == "Actium"])
    assert api("manager").get("/api/v1/exports/bananas").status_code == 404


def test_report_formats(api, world, contacts):
    manager = api("manager")
    body = manager.get("/api/v1/reports/buurten?format=csv").get_data()
    _assert_no_contact(body)
    rows = _csv_rows(body)
    assert list(rows[0]) == list(COLUMNS)
    json_rows = manager.get("/api/v1/reports/buurten").get_json()["buurten"]
    assert len(rows) == len(json_rows)
    assert [int(r["signals_total"]) for r in rows] == [r["signals_total"] for r in json_rows]

    body = manager.get("/api/v1/reports/buurten?format=xlsx").get_data()
    values = _xlsx_values(body)
    # For people: Dutch headers, theme labels, amounts as euro cells (the CSV keeps names and cents).
    assert values[0][:5] == ("Buurtcode", "Buurt", "Wijkcode", "Wijk", "Gesprekken") and len(values[0]) == len(COLUMNS)
    assert "Budget toegekend (€)" in values[0] and "Bijeenkomsten" in values[0]
    assert len(values) == len(json_rows) + 1
    assert [v[COLUMNS.index("conversations")] for v in values[1:]] == [r["conversations"] for r in json_rows]
    granted = COLUMNS.index("budget_granted_cents")
    assert [round(v[granted] * 100) for v in values[1:]] == [r["budget_granted_cents"] for r in json_rows]
    sheet = load_workbook(io.BytesIO(body)).worksheets[0]
    assert "€" in sheet.cell(row=2, column=granted + 1).number_format
    themes = COLUMNS.index("top_themes")
    assert any(v[themes] and "Groen" in v[themes] for v in values[1:])

    doc = _valid_collection(manager.get("/api/v1/reports/buurten?format=geojson").get_data())
    assert len(doc["features"]) == len(json_rows)
    assert sum(1 for f in doc["features"] if f["geometry"] is None) == 1  # the "Onbekend" row
    assert {f["geometry"]["type"] for f in doc["features"] if f["geometry"]} <= {"Polygon", "MultiPolygon"}


def test_open_data_suppresses_small_counts(api, world):
    manager = api("manager")
    full = manager.get("/api/v1/reports/buurten").get_json()
    published = manager.get("/api/v1/reports/buurten?open_data=true").get_json()
    assert published["open_data"] is True
    seen_small = seen_large = False
    for raw, out in zip(full["buurten"], published["buurten"]):
        assert raw["buurt_code"] == out["buurt_code"]
        for column in ("conversations", "residents_reached", "signals_total", "signals_open", "ideas_total"):
            if raw[column] < 5:
                assert out[column] is None
                seen_small = True
            else:
                assert out[column] == raw[column]
                seen_large = True
        if raw["signals_done"] < 5:
            assert out["median_days_to_done"] is None
        if raw["ideas_total"] < 5:
            assert out["budget_requested_cents"] is None
    assert seen_small and seen_large
    text = json.dumps(published)
    assert "Gesprek 0." not in text and "Signaal 0." not in text  # no free text of records


@pytest.mark.parametrize("database_url", ["postgis"], indirect=True)
@pytest.mark.parametrize("entity", ["conversation", "signal", "idea", "followup"])
def test_copy_writes_what_the_python_writers_write(world, contacts, entity):
    """Where COPY runs (PostGIS), its CSV bytes and parsed GeoJSON equal the Python writers' on the same rows."""
    from app.reports import summary as reporting
    from app.reports.export_writer import record_export
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
    from app.reports.summary import Period, Scope

    period, scope = Period(), Scope()
    labels = reporting.theme_labels()
    columns = export_columns(entity, labels)

    by_copy = record_export(db.engine, entity, "csv", period, scope, None, labels)
    assert by_copy.gi_code.co_name == "copy_csv_chunks"
    rows = stream_rows(db.engine, export_query(entity, columns, period, scope, None, form="csv"))
    by_python = b"".join(csv_chunks([c.key for c in columns], table_rows(rows, columns, for_csv=True)))
    assert b"".join(by_copy).decode() == by_python.decode()
    assert len(_csv_rows(by_python)) >= (1 if entity == "followup" else 5)

    by_copy = record_export(db.engine, entity, "geojson", period, scope, None, labels)
    assert by_copy.gi_code.co_name == "copy_geojson_chunks"
    rows = stream_rows(db.engine, export_query(entity, columns, period, scope, None))
    by_python = geojson_chunks(features(rows, columns), {"name": SHEET_TITLES[entity]})
    assert json.loads(b"".join(by_copy)) == json.loads(b"".join(by_python))


def test_xlsx_bytes_leave_while_rows_are_still_being_read():
    """The first chunk of a large xlsx comes before the last row was read; openpyxl reads it back."""
    from app.reports.xlsx_stream import xlsx_stream

    total, consumed = 20_000, []

    def rows():
        for i in range(total):
            consumed.append(i)
            yield [i, f"Signaal {i} — ‘straat’", datetime(2026, 1, 2, 9, 30), i * 0.5, None, i % 2 == 0]

    stream = xlsx_stream("Signalen", ["Nr", "Titel", "Tijd", "Getal", "Leeg", "Ja/nee"], rows(), chunk_size=16_384)
    first = next(stream)
    assert first.startswith(b"PK") and len(consumed) < total / 2
    body = first + b"".join(stream)
    assert len(consumed) == total
    values = _xlsx_values(body)
    assert values[0] == ("Nr", "Titel", "Tijd", "Getal", "Leeg", "Ja/nee") and len(values) == total + 1
    assert values[-1] == (total - 1, f"Signaal {total - 1} — ‘straat’", datetime(2026, 1, 2, 9, 30),
                          (total - 1) * 0.5, None, False)
    assert load_workbook(io.BytesIO(body)).worksheets[0]["A1"].font.b is True
