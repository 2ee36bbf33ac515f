"""GET /api/v1/reports/buurten: figures against independently computed expectations."""

from __future__ import annotations

from datetime import date

import pytest

from app.reports.summary import COLUMNS, COUNT_COLUMNS, local_today
from tests.reports.seed import expected_rows

PERIODS = [
    (None, None),
    (date(2024, 1, 1), date(2024, 3, 31)),
    (date(2024, 5, 1), date(2024, 5, 31)),
    (date(2024, 7, 1), None),
    (None, date(2024, 6, 30)),
]


def _query(start, end, **extra) -> str:
    params = {"from": start.isoformat() if start else None, "to": end.isoformat() if end else None, **extra}
    return "&".join(f"{k}={v}" for k, v in params.items() if v is not None)


def _check(rows: list[dict], expected: dict, n_buurten: int) -> None:
    by_code = {r["buurt_code"]: r for r in rows}
    assert len(rows) == n_buurten + (1 if None in expected else 0)
    for code, row in by_code.items():
        want = expected.get(code)
        for column in COUNT_COLUMNS:
            assert row[column] == (want[column] if want else 0), (code, column)
        if want and want["median_days_to_done"] is not None:
            assert row["median_days_to_done"] == pytest.approx(want["median_days_to_done"], abs=0.051), code
        else:
            assert row["median_days_to_done"] is None, code
        assert row["top_themes"] == (want["top_themes"] if want else []), code


@pytest.mark.parametrize(("start", "end"), PERIODS)
def test_figures_match_records(api, world, start, end):
    manager = api("manager")
    response = manager.get("/api/v1/reports/buurten?" + _query(start, end))
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["columns"] == list(COLUMNS)
    assert all(list(row) == list(COLUMNS) for row in body["buurten"])
    expected = expected_rows(world["seeded"], world["known"], start, end, local_today())
    _check(body["buurten"], expected, len(world["known"]))
    for column in COUNT_COLUMNS:  # totals over buurten equal the totals over records
        assert body["totals"][column] == sum(e[column] for e in expected.values())
        assert body["totals"][column] == sum(r[column] for r in body["buurten"])


def test_unknown_row_collects_records_without_buurt(api, world):
    body = api("admin").get("/api/v1/reports/buurten").get_json()
    unknown = [r for r in body["buurten"] if r["buurt_code"] is None]
    assert len(unknown) == 1 and unknown[0]["buurt_name"].startswith("Onbekend")
    live = [c for c in world["seeded"]["conversation"] if not c["deleted"] and c["buurt_code"] not in world["known"]]
    assert unknown[0]["conversations"] == len(live) > 0


def test_zero_rows_for_every_buurt_and_no_unknown_row_when_empty(api, app):
    body = api("manager").get("/api/v1/reports/buurten").get_json()
    assert len(body["buurten"]) == 109
    assert all(r["conversations"] == 0 and r["top_themes"] == [] for r in body["buurten"])
    assert all(r["buurt_code"] for r in body["buurten"])


def test_team_member_sees_only_their_organisation(app, world, make_user):
    from tests.support import ApiClient

    user, password = make_user("team", organisation="Actium")
    team = ApiClient(app.test_client())
    team.login(user.email, password)
    body = team.get("/api/v1/reports/buurten?from=2024-01-01&to=2024-12-31").get_json()
    assert body["scope"] == "organisation"
    expected = expected_rows(world["seeded"], world["known"], date(2024, 1, 1), date(2024, 12, 31),
                             local_today(), org="Actium")
    _check(body["buurten"], expected, len(world["known"]))
    full = expected_rows(world["seeded"], world["known"], date(2024, 1, 1), date(2024, 12, 31), local_today())
    assert body["totals"]["signals_total"] < sum(e["signals_total"] for e in full.values())


@pytest.mark.parametrize("role", ["field_worker"])
def test_field_worker_is_refused(api, role):
    response = api(role).get("/api/v1/reports/buurten")
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"


def test_team_without_organisation_is_refused(api):
    assert api("team").get("/api/v1/reports/buurten").status_code == 403


def test_anonymous_gets_401(client):
    assert client.get("/api/v1/reports/buurten").status_code == 401


def test_bad_period_is_400(api):
    manager = api("manager")
    assert manager.get("/api/v1/reports/buurten?from=2024-05-01&to=2024-04-01").status_code == 400
    assert manager.get("/api/v1/reports/buurten?from=gisteren").status_code == 400
    assert manager.get("/api/v1/reports/buurten?format=pdf").status_code == 400
