"""The commands of API.md: buurten import, users create, demo seed, setup, retention purge."""

from __future__ import annotations

import json
from datetime import timedelta

import pyproj
from sqlalchemy import func, select

from app.extensions import db
from app.models import Budget, Buurt, Conversation, Gathering, Idea, ResidentContact, Signal, User, utcnow
from tests.support import ASSEN


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _assen() -> dict:
    return json.loads(ASSEN.read_text())


def test_import_rd_new_file_updates_buurten(runner, tmp_path):
    data = _assen()
    to_rd = pyproj.Transformer.from_crs(4326, 28992, always_xy=True)

    def project(coords):
        if isinstance(coords[0], (int, float)):
            return list(to_rd.transform(*coords))
        return [project(c) for c in coords]

    for feature in data["features"]:
        feature["geometry"]["coordinates"] = project(feature["geometry"]["coordinates"])
        feature["properties"]["buurtnaam"] += " (RD)"
    data["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::28992"}}
    path = tmp_path / "rd.geojson"
    path.write_text(json.dumps(data))
    result = runner.invoke(args=["buurten", "import", str(path), "--srid", "28992"])
    assert result.exit_code == 0, result.output
    assert "109 buurten geïmporteerd" in result.output
    assert db.session.scalar(select(Buurt.name).where(Buurt.code == "BU01060200")).endswith("(RD)")


def test_import_refuses_whole_file_naming_bad_features(runner, tmp_path):
    data = _assen()
    data["features"][3]["properties"].pop("buurtcode")
    bad_code = data["features"][5]["properties"]["buurtcode"]
    data["features"][5]["geometry"] = None
    rd_code = data["features"][7]["properties"]["buurtcode"]
    data["features"][7]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[233000, 557000], [234000, 557000], [234000, 558000], [233000, 557000]]],
    }
    for feature in data["features"]:
        feature["properties"]["buurtnaam"] = "GEWIJZIGD"
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(data))
    result = runner.invoke(args=["buurten", "import", str(path)])
    assert result.exit_code == 1
    assert "Niets geïmporteerd" in result.output
    assert "object #4" in result.output and bad_code in result.output and rd_code in result.output
    assert not db.session.scalar(select(func.count()).select_from(Buurt).where(Buurt.name == "GEWIJZIGD"))


def test_import_repairs_bowtie_and_reports_it(runner, tmp_path):
    data = _assen()
    feature = data["features"][0]
    code = feature["properties"]["buurtcode"]
    ring = feature["geometry"]["coordinates"][0][0]
    (x0, y0), (x1, y1) = ring[0], ring[len(ring) // 2]
    feature["geometry"] = {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y1], [x1, y0], [x0, y1], [x0, y0]]]}
    path = tmp_path / "bowtie.geojson"
    path.write_text(json.dumps(data))
    result = runner.invoke(args=["buurten", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert f"hersteld: {code}" in result.output


def test_import_replace_removes_missing_and_remaps_records(runner, tmp_path, make_user):
    user, _ = make_user()
    data = _assen()
    kept, dropped = data["features"][0], data["features"][1]
    point = dropped["geometry"]["coordinates"][0][0][0]
    from geoalchemy2.shape import from_shape
    from shapely import Point

    conv = Conversation(
        id=__import__("uuid").uuid4(),
        occurred_at=utcnow(),
        setting="street",
        residents_count=1,
        themes=[],
        summary="",
        location=from_shape(Point(*point), srid=4326),
        accuracy_m=5,
        buurt_code=dropped["properties"]["buurtcode"],
        created_by_id=user.id,
    )
    db.session.add(conv)
    db.session.commit()
    data["features"] = [kept]
    path = tmp_path / "one.geojson"
    path.write_text(json.dumps(data))
    result = runner.invoke(args=["buurten", "import", str(path), "--replace"])
    assert result.exit_code == 0, result.output
    assert _count(Buurt) == 1
    db.session.refresh(conv)
    assert conv.buurt_code in (None, kept["properties"]["buurtcode"])
    assert "opnieuw aan een buurt gekoppeld" in result.output


def test_users_create_prints_password_and_validates(runner, client):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Wijk@Assen.nl",
            "--name",
            "Wil Wijk",
            "--role",
            "field_worker",
            "--organisation",
            "Vaart Welzijn",
            "--buurt",
            "BU01060200",
            "--buurt",
            "BU01060201",
        ]
    )
    assert result.exit_code == 0, result.output
    password = result.output.split("Wachtwoord: ")[1].strip()
    user = db.session.scalar(select(User).where(User.email == "wijk@assen.nl"))
    assert user.buurten == ["BU01060200", "BU01060201"] and user.organisation.kind == "welzijn"
    assert client.post("/api/v1/auth/login", json={"email": "wijk@assen.nl", "password": password}).status_code == 200
    again = runner.invoke(args=["users", "create", "--email", "wijk@assen.nl", "--name", "X", "--role", "team"])
    assert again.exit_code != 0 and "al een gebruiker" in again.output
    unknown = runner.invoke(
        args=["users", "create", "--email", "a@b.nl", "--name", "X", "--role", "team", "--buurt", "BU99999999"]
    )
    assert unknown.exit_code != 0 and "BU99999999" in unknown.output
    stdin = runner.invoke(
        args=["users", "create", "--email", "c@d.nl", "--name", "C", "--role", "manager", "--password-stdin"],
        input="een-lang-wachtwoord\n",
    )
    assert stdin.exit_code == 0 and "Wachtwoord:" not in stdin.output


def test_demo_seed_makes_realistic_records(runner):
    result = runner.invoke(args=["demo", "seed", "--conversations", "40"])
    assert result.exit_code == 0, result.output
    assert _count(Conversation) == 40
    statuses = set(db.session.scalars(select(Signal.status)))
    assert len(statuses) >= 3
    assert db.session.scalar(select(func.count()).select_from(Idea).where(Idea.budget_requested_cents > 0))
    located = db.session.scalar(
        select(func.count()).select_from(Conversation).where(Conversation.buurt_code.is_not(None))
    )
    assert located == 40
    assert len(set(db.session.scalars(select(Conversation.buurt_code)))) > 10


def test_demo_seed_runs_a_programme_year(runner):
    """The demo holds a year's budget with decided applications and the bijeenkomsten of the seasons."""
    result = runner.invoke(args=["demo", "seed", "--conversations", "120"])
    assert result.exit_code == 0, result.output
    gatherings = db.session.scalars(select(Gathering)).all()
    assert len(gatherings) >= 10 and "bijeenkomsten" in result.output
    for gathering in gatherings:
        month = gathering.occurred_at.month
        if gathering.idea_id is None:
            expected = "stamppot" if month in (11, 12, 1, 2, 3) else "bbq" if month in (6, 7, 8) else None
            assert expected is None or gathering.kind == expected, (month, gathering.kind)
        assert gathering.attendance_count >= 12 and gathering.buurt_code is not None
    linked = db.session.scalars(select(Conversation).where(Conversation.gathering_id.is_not(None))).all()
    by_id = {g.id: g for g in gatherings}
    assert linked and all(c.setting == "gathering" for c in linked)
    for conversation in linked:
        gathering = by_id[conversation.gathering_id]
        assert gathering.occurred_at <= conversation.occurred_at <= gathering.occurred_at + timedelta(hours=3)
    assert db.session.scalar(select(func.count()).select_from(Budget)) >= 1
    granted = db.session.scalars(select(Idea).where(Idea.status.in_(("granted", "realised")))).all()
    assert granted and all(i.budget_id is not None and i.budget_granted_cents > 0 for i in granted)
    for gathering in (g for g in gatherings if g.idea_id is not None):  # a realised buurtfeest or stamppot
        assert db.session.get(Idea, gathering.idea_id).status in ("granted", "realised")


def test_demo_records_have_their_whole_history_and_stay_in_their_buurt(runner):
    """Demo records are written through the sync engine: every version has its history row, back-dated."""
    from geoalchemy2.shape import to_shape

    from app.models import Followup, RecordChange

    result = runner.invoke(args=["demo", "seed", "--conversations", "30", "--seed", "5"])
    assert result.exit_code == 0, result.output
    geoms = {b.code: to_shape(b.geom) for b in db.session.scalars(select(Buurt))}
    history = {}
    for change in db.session.scalars(select(RecordChange)):
        history.setdefault((change.entity, change.record_id), []).append(change)
    moved = 0
    for model in (Conversation, Signal, Idea, Gathering, Followup):
        for record in db.session.scalars(select(model)):
            changes = sorted(history[(model.entity_name, record.id)], key=lambda c: c.version)
            assert [c.version for c in changes] == list(range(1, record.version + 1))
            assert all(c.source == "demo" for c in changes)
            assert changes[0].changed_by_id == record.created_by_id
            assert changes[-1].changed_at == record.updated_at and changes[0].changed_at == record.created_at
            if model is not Followup:
                assert geoms[record.buurt_code].contains(to_shape(record.location))
            moved += record.version > 1
    assert moved > 5
    signals = db.session.scalars(select(Signal)).all()
    assert any(s.status == "done" and s.done_at is not None and s.done_at > s.created_at for s in signals)
    assert min(s.created_at for s in signals) < utcnow() - timedelta(days=60)  # back-dated, not all "now"


def test_demo_records_lie_inside_the_buurt_they_claim(runner):
    """Every located demo record lies inside its buurt's polygon, by the database's own ST_Contains."""
    result = runner.invoke(args=["demo", "seed", "--conversations", "60"])
    assert result.exit_code == 0, result.output
    for model in (Conversation, Signal, Idea, Gathering):
        located = select(func.count()).select_from(model).where(model.location.is_not(None))
        inside = located.join(Buurt, Buurt.code == model.buurt_code).where(
            func.ST_Contains(Buurt.geom, model.location))
        total = db.session.scalar(located)
        assert total > 0 and db.session.scalar(inside) == total, model.__name__


def test_setup_is_idempotent(runner):
    first = runner.invoke(args=["setup"])
    assert first.exit_code == 0, first.output
    assert "wachtwoord:" in first.output
    second = runner.invoke(args=["setup"])
    assert second.exit_code == 0 and "wachtwoord:" not in second.output
    assert _count(Buurt) == 109


def test_retention_purge(runner, make_user):
    from app.records.privacy import store_contact

    user, _ = make_user()
    old = store_contact("conversation", __import__("uuid").uuid4(), {"name": "Oud"}, user.id)
    old.purge_after = utcnow() - timedelta(days=1)
    store_contact("conversation", __import__("uuid").uuid4(), {"name": "Nieuw"}, user.id)
    db.session.commit()
    dry = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert "1 contactgegevens" in dry.output and _count(ResidentContact) == 2
    real = runner.invoke(args=["retention", "purge"])
    assert real.exit_code == 0 and _count(ResidentContact) == 1
    assert db.session.scalar(select(ResidentContact.name)) == "Nieuw"


def test_migrations_build_exactly_the_models(app):
    """Alembic's autogenerate finds nothing to change after `db upgrade`, on either database."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.database import include_in_migrations

    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_object": include_in_migrations, "compare_type": True}
        )
        assert compare_metadata(context, db.metadata) == []
