"""Hostile buurt files: refused whole, with a message naming the problem, and nothing changed.

Each case runs through the command line (exit 1) and through POST /api/v1/buurten/import (400
problem listing the problems), on SpatiaLite and PostGIS, with a located record in the database
whose buurt must stay as it was.
"""

from __future__ import annotations

import gzip
import io
import json
import uuid

import pytest
from geoalchemy2.shape import from_shape
from shapely import Point
from sqlalchemy import func, select

from app.extensions import db
from app.models import Buurt, RecordChange, Signal, utcnow
from tests.support import ASSEN


def _assen() -> dict:
    return json.loads(ASSEN.read_text())


def _swap_axes(coords):
    if isinstance(coords[0], (int, float)):
        return [coords[1], coords[0]]
    return [_swap_axes(c) for c in coords]


def swapped_axes() -> bytes:
    doc = _assen()
    for feature in doc["features"]:
        feature["geometry"]["coordinates"] = _swap_axes(feature["geometry"]["coordinates"])
    return json.dumps(doc).encode()


def with_code(code) -> bytes:
    doc = _assen()
    doc["features"][4]["properties"]["buurtcode"] = code
    return json.dumps(doc).encode()


def duplicate_code() -> bytes:
    doc = _assen()
    doc["features"][4]["properties"]["buurtcode"] = doc["features"][5]["properties"]["buurtcode"]
    return json.dumps(doc).encode()


def with_name(name: str) -> bytes:
    doc = _assen()
    doc["features"][4]["properties"]["buurtnaam"] = name
    return json.dumps(doc).encode()


def one_outside() -> bytes:
    doc = _assen()
    doc["features"][4]["geometry"] = {"type": "Polygon", "coordinates": [
        [[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]]}  # Paris
    return json.dumps(doc).encode()


def deep_coordinates() -> bytes:
    doc = _assen()
    doc["features"][4]["geometry"]["coordinates"] = json.loads("[" * 40 + "]" * 40)
    return json.dumps(doc).encode()


def deep_properties() -> bytes:
    doc = _assen()
    doc["features"][4]["properties"]["extra"] = json.loads('{"a":' * 30 + "1" + "}" * 30)
    return json.dumps(doc).encode()


CASES = {
    "swapped axes": (swapped_axes, "grotendeels buiten Nederland"),
    "sql in the code": (lambda: with_code("'; DROP TABLE buurten;--"), "ongeldige buurtcode"),
    "code too short": (lambda: with_code("BU0106000"), "ongeldige buurtcode"),
    "code too long": (lambda: with_code("BU010600001"), "ongeldige buurtcode"),
    "lowercase code": (lambda: with_code("bu01060000"), "ongeldige buurtcode"),
    "non-ascii digit": (lambda: with_code("BU0106000\u0663"), "ongeldige buurtcode"),
    "code as number": (lambda: with_code(1060000), "ongeldige buurtcode"),
    "code with newline": (lambda: with_code("BU01060004\nBU01060005"), "ongeldige buurtcode"),
    "duplicate code": (duplicate_code, "dubbele buurtcode"),
    "NUL in a name": (lambda: with_name("Lariks\x00"), "niet opgeslagen"),
    "lone surrogate in a name": (lambda: with_name("Lariks \ud800"), "niet opgeslagen"),
    "name too long": (lambda: with_name("x" * 201), "langer dan 200"),
    "a buurt in Paris": (one_outside, "buiten Nederland"),
    "nesting in coordinates": (deep_coordinates, "dieper genest"),
    "nesting in properties": (deep_properties, "dieper genest"),
    "nesting of 100,000 levels": (lambda: b"[" * 100_000 + b"]" * 100_000, "dieper genest"),
    "deep nesting gzipped": (lambda: gzip.compress(b'{"features":' + b"[" * 50_000 + b"]" * 50_000 + b"}"),
                             "dieper genest"),
}


@pytest.fixture
def located_signal(app, make_user):
    """A signal in Erfgoedkwartier; every refused import must leave it (and the buurten) alone."""
    user, _ = make_user()
    signal = Signal(id=uuid.uuid4(), title="Hek", status="new", version=1, change_seq=1, buurt_code="BU01060001",
                    created_by_id=user.id, created_at=utcnow(), updated_at=utcnow(),
                    location=from_shape(Point(6.5650, 52.9936), srid=4326), accuracy_m=5)
    db.session.add(signal)
    db.session.commit()
    return signal.id


def _state(signal_id) -> tuple:
    db.session.rollback()
    signal = db.session.get(Signal, signal_id)
    buurten = db.session.execute(select(func.count(), func.max(Buurt.updated_at))).one()
    names = tuple(db.session.scalars(select(Buurt.name).order_by(Buurt.code)))
    history = db.session.scalar(select(func.count()).select_from(RecordChange))
    return signal.buurt_code, signal.version, signal.change_seq, tuple(buurten), names, history


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("replace", [False, True], ids=["add", "replace"])
def test_cli_refuses_hostile_file(runner, tmp_path, located_signal, case, replace):
    build, message = CASES[case]
    path = tmp_path / "buurten.geojson"
    path.write_bytes(build())
    before = _state(located_signal)
    result = runner.invoke(args=["buurten", "import", str(path), *(["--replace"] if replace else [])])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Niets geïmporteerd" in result.output and message in result.output, result.output
    assert "Traceback" not in result.output
    assert _state(located_signal) == before


@pytest.mark.parametrize("case", CASES)
def test_api_refuses_hostile_file(api, located_signal, case):
    build, message = CASES[case]
    admin = api("admin")
    before = _state(located_signal)
    response = admin.post("/api/v1/buurten/import?dry_run=false&replace=true",
                          data={"file": (io.BytesIO(build()), "buurten.geojson")},
                          content_type="multipart/form-data")
    assert response.status_code == 400, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["problems"] and any(message in p for p in body["problems"]), body
    assert _state(located_signal) == before


def test_api_names_the_buurt_code_of_each_problem(api):
    doc = _assen()
    bad = [doc["features"][i]["properties"]["buurtcode"] for i in (3, 8)]
    doc["features"][3]["geometry"] = None
    doc["features"][8]["properties"]["buurtnaam"] = "\x00"
    response = api("admin").post("/api/v1/buurten/import?dry_run=true",
                                 data={"file": (io.BytesIO(json.dumps(doc).encode()), "b.geojson")},
                                 content_type="multipart/form-data")
    assert response.status_code == 400
    problems = response.get_json()["problems"]
    assert [p.split(":")[0] for p in problems] == bad


@pytest.mark.parametrize("role", ["field_worker", "team", "manager"])
def test_import_is_for_admins_only(api, client, role):
    # Signed out first: the test app shares one app context, so a request after a signed-in one
    # would see that user in the CSRF check.
    data = {"file": (io.BytesIO(ASSEN.read_bytes()), "assen.geojson")}
    assert client.post("/api/v1/buurten/import", data=data, content_type="multipart/form-data").status_code == 401
    data = {"file": (io.BytesIO(ASSEN.read_bytes()), "assen.geojson")}
    assert api(role).post("/api/v1/buurten/import", data=data, content_type="multipart/form-data").status_code == 403


@pytest.mark.parametrize(
    "body", [dict, lambda: {"file": "geen bestand"}, lambda: {"other": (io.BytesIO(b"{}"), "x.json")}]
)
def test_import_without_a_file_is_400(api, body):
    # A fresh body per run: the test client closes the file it sent, and the test runs once per database.
    response = api("admin").post("/api/v1/buurten/import", data=body(), content_type="multipart/form-data")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
