"""Realistic demo records in Assen, reproducible from a seed."""

from __future__ import annotations

import random
import uuid
from dataclasses import replace
from datetime import datetime, timedelta

import click
from flask.cli import AppGroup
from geoalchemy2.shape import to_shape
from shapely import Point
from sqlalchemy import select

from app.accounts.auth import generate_password
from app.accounts.themes import ensure_default_themes
from app.accounts.users import create_user
from app.extensions import db
from app.models import Budget, Buurt, Organisation, User, utcnow
from app.sync.service import context_for
from offline_sync import engine, vocabulary
from offline_sync.schemas import Mutation, load_fields

demo_cli = AppGroup("demo", help="Demogegevens.")

ORGANISATIONS = (("Gemeente Assen", "gemeente"), ("Actium", "woningcorporatie"), ("Vaart Welzijn", "welzijn"))

SUMMARIES = (
    "Bij het BIC koffie gedronken met twee bewoners; het speelveldje wordt veel gebruikt maar het hek is stuk.",
    "Op het muurtje bij de flat: bewoners missen een ontmoetingsplek sinds de buurthuiskamer dicht is.",
    "Oudere bewoner woont alleen, kinderen ver weg, komt weinig buiten. Wil graag meedoen met de stamppotavond.",
    "Gesprek over de energierekening; twijfels over isolatie van de woningen aan deze kant van de straat.",
    "Jongeren hangen 's avonds bij de ingang van de garage; sommige bewoners voelen zich onveilig.",
    "Bij de BBQ veel positieve reacties over de opschoonactie van vorige maand; idee voor een vervolg.",
    "Achter de voordeur: schimmel in de badkamer, al eerder gemeld bij de corporatie maar nog niets gehoord.",
    "Bewoners willen de groenstrook zelf onderhouden en er een moestuintje van maken.",
    "Zorgen over hardrijders in de straat, vooral rond schooltijd.",
    "Nieuwe bewoners uit het buitenland, weten de weg naar voorzieningen nog niet goed te vinden.",
)
SIGNALS = (
    ("Hek speelveld kapot", "openbare_ruimte", "physical"),
    ("Zwerfvuil bij de containers", "afval", "physical"),
    ("Schimmel in badkamer", "woning", "physical"),
    ("Oudere bewoner eenzaam", "eenzaamheid", "social"),
    ("Geldzorgen na ontslag", "armoede", "social"),
    ("Hangjongeren bij de garage", "overlast", "both"),
    ("Overhangende takken over het fietspad", "groen", "physical"),
    ("Hardrijders rond de school", "verkeer", "physical"),
    ("Straatverlichting defect", "veiligheid", "both"),
    ("Vraag over isolatie en zonnepanelen", "verduurzaming", "physical"),
)
IDEAS = (
    ("Buurtfeest op het pleintje", "ontmoeting", ["money", "materials"], 75_000),
    ("Opschoonactie met de basisschool", "afval", ["materials", "people"], 15_000),
    ("Moestuin in de groenstrook", "groen", ["space", "materials"], 120_000),
    ("Wekelijkse koffieochtend in het BIC", "eenzaamheid", ["space", "people"], 30_000),
    ("Stamppotavond voor de hele straat", "ontmoeting", ["money"], 45_000),
    ("Jongerenvoetbaltoernooi", "jeugd", ["money", "people"], 60_000),
)
SETTINGS_WEIGHTED = ["street"] * 5 + ["bic"] * 3 + ["home_visit"] * 2 + ["gathering"] * 2 + ["phone", "other"]
SIGNAL_PATHS = (
    ["new"],
    ["new", "picked_up"],
    ["new", "picked_up", "in_progress"],
    ["new", "picked_up", "in_progress", "done"],
    ["new", "picked_up", "done"],
    ["new", "referred"],
    ["new", "not_actionable"],
)
IDEA_PATHS = (
    ["idea"],
    ["idea", "in_conversation"],
    ["idea", "in_conversation", "application_submitted"],
    ["idea", "in_conversation", "application_submitted", "granted"],
    ["idea", "in_conversation", "application_submitted", "granted", "realised"],
    ["idea", "declined"],
)
REASONS = {
    "referred": "Doorverwezen naar de partner die hierover gaat.",
    "not_actionable": "Geen actie mogelijk; bewoner is geïnformeerd.",
    "declined": "Past niet binnen de regeling van het buurtbudget.",
}


class _Seeder:
    """Writes demo records the way the apps do: through the sync engine, back-dated, with full history."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        buurten = db.session.scalars(select(Buurt)).all()
        self.buurten = [(b.code, to_shape(b.geom)) for b in buurten]
        self.names = {b.code: b.name for b in buurten}
        if not self.buurten:
            raise RuntimeError("Er zijn geen buurten; importeer eerst buurten.")
        self.now = utcnow()
        self.followups = 0
        self.gatherings = 0

    def point_in(self, geom) -> tuple[float, float]:
        minx, miny, maxx, maxy = geom.bounds
        for _ in range(200):
            p = Point(self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy))
            if geom.contains(p):
                return p.x, p.y
        rp = geom.representative_point()
        return rp.x, rp.y

    def near(self, spot: tuple[float, float], geom) -> tuple[float, float]:
        """Return a point a few dozen metres from a spot, inside the same buurt (else the spot itself)."""
        lon, lat = spot
        for _ in range(50):
            moved = Point(lon + self.rng.uniform(-0.0005, 0.0005), lat + self.rng.uniform(-0.0003, 0.0003))
            if geom.contains(moved):
                return moved.x, moved.y
        return spot

    def write(self, user: User, when, entity: str, record_id: str, values: dict,
              base_version: int | None = None) -> dict:
        """Apply one change as `user` at time `when` through the engine; return the record in wire form."""
        mutation = Mutation(0, entity, "upsert", record_id, base_version, load_fields(entity, values))
        ctx = replace(context_for(user), now=when)
        outcome = engine.apply_change(ctx, mutation, source="demo")
        if outcome.result["status"] != "applied":
            raise RuntimeError(f"demo: {entity} {record_id} niet toegepast: {outcome.result}")
        return outcome.record

    def add(self, user: User, when, entity: str, spot: tuple[float, float] | None, accuracy: float | None,
            **values) -> dict:
        """Create a record as `user` at `when`, at `spot` (lon, lat) when given."""
        if spot is not None:
            values["location"] = {"lon": spot[0], "lat": spot[1], "accuracy_m": accuracy}
        return self.write(user, when, entity, str(uuid.uuid4()), values)

    def walk(self, record: dict, path, user, when, entity, before=None) -> dict:
        """Move a record along a workflow path, with a followup per step; `before(record, step_to, when)`
        may edit the record first (the granted budget before "granted")."""
        for step_to in path[1:]:
            when = when + timedelta(days=self.rng.randint(1, 12))
            if when > self.now:
                break
            if before is not None:
                record = before(record, step_to, when) or record
            text = REASONS.get(step_to, "Opgepakt en besproken met de bewoner.")
            self.followups += 1
            self.write(user, when, "followup", str(uuid.uuid4()),
                       {"parent_entity": entity, "parent_id": record["id"], "text": text, "status_to": step_to})
            record = engine.find_record(context_for(user), entity, record["id"])
        return record


def seed_demo(seed: int = 106, conversations: int = 120) -> dict[str, int]:
    """Create organisations, demo users and records; return counts of what was made."""
    rng = random.Random(seed)
    ensure_default_themes()
    orgs = _demo_organisations()
    seeder = _Seeder(rng)
    users = _demo_users(orgs, seeder)
    workers = [u for u in users if u.role == "field_worker"]
    team = [u for u in users if u.role == "team"]
    manager = next(u for u in users if u.role == "manager")
    counts = {"gesprekken": 0, "signalen": 0, "ideeën": 0, "bijeenkomsten": 0, "opvolgingen": 0}
    gatherings = [_demo_gathering(seeder, rng.choice(workers)) for _ in range(max(2, conversations // 12))]
    for _ in range(conversations):
        worker = rng.choice(workers)
        setting = rng.choice(SETTINGS_WEIGHTED)
        at = rng.choice(gatherings) if setting == "gathering" else None
        raised_in = _demo_conversation(seeder, worker, setting, at)
        counts["gesprekken"] += 1
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            _demo_signal(seeder, raised_in, worker, orgs, team)
            counts["signalen"] += 1
        if rng.random() < 0.2:
            _demo_idea(seeder, raised_in, worker, manager)
            counts["ideeën"] += 1
    counts["bijeenkomsten"] = seeder.gatherings
    counts["opvolgingen"] = seeder.followups
    return counts


def _demo_organisations() -> list[Organisation]:
    """Return the three Assen partners, creating those that are missing."""
    orgs = []
    for name, kind in ORGANISATIONS:
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if org is None:
            org = Organisation(name=name, kind=kind)
            db.session.add(org)
        orgs.append(org)
    db.session.flush()
    return orgs


def _season_kind(when: datetime, rng: random.Random) -> str:
    """Stamppot in winter, BBQ in summer, a buurtfeest or an inloop in between (as Mijn Buurt Assen does)."""
    if when.month in (11, 12, 1, 2, 3):
        return "stamppot"
    if when.month in (6, 7, 8):
        return "bbq"
    return rng.choice(["buurtfeest", "inloop"])


def _demo_gathering(seeder: _Seeder, worker: User, kind: str | None = None, when: datetime | None = None,
                    idea_id: str | None = None, place: tuple | None = None) -> tuple[dict, tuple[float, float], object]:
    """Add a bijeenkomst (a winter stamppot, a summer BBQ, ...); return it, its spot and buurt.

    In a random buurt unless `place` (buurt code, spot, buurt geometry) is given. With `idea_id` it is the
    realisation of that granted initiative (a buurtfeest paid from the budget). Its name: the kind and the
    buurt ("Stamppotavond De Esch").
    """
    rng = seeder.rng
    if place is None:
        code, geom = rng.choice(seeder.buurten)
        spot = seeder.point_in(geom)
    else:
        code, spot, geom = place
    if when is None:
        day = seeder.now - timedelta(days=rng.randint(1, 365))
        when = day.replace(hour=16, minute=30, second=0, microsecond=0)  # 17:30 or 18:30 in Assen
    kind = kind or _season_kind(when, rng)
    ended = when + timedelta(hours=2, minutes=30)
    seeder.gatherings += 1
    gathering = seeder.add(
        worker, when, "gathering", spot, 10.0,
        occurred_at=when.isoformat(),
        kind=kind,
        title=f"{vocabulary.GATHERING_KIND[kind]} {seeder.names.get(code, '')}".strip(),
        attendance_count=rng.randint(12, 80),
        notes="Georganiseerd met bewoners uit de straat.",
        idea_id=idea_id,
        ended_at=ended.isoformat() if ended <= seeder.now else None,
    )
    return gathering, spot, geom


def _demo_conversation(seeder: _Seeder, worker: User, setting: str,
                       gathering: tuple | None) -> tuple[dict, tuple[float, float], object]:
    """Add a conversation in the past year, in a random buurt or at a bijeenkomst; return it, its spot and buurt."""
    rng = seeder.rng
    extra = {}
    if gathering is not None:
        record, at, geom = gathering
        spot = seeder.near(at, geom)
        when = datetime.fromisoformat(record["occurred_at"]) + timedelta(minutes=rng.randint(5, 140))
        extra["gathering_id"] = record["id"]
    else:
        _code, geom = rng.choice(seeder.buurten)
        spot = seeder.point_in(geom)
        when = seeder.now - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 600))
    conversation = seeder.add(
        worker, when, "conversation", spot, float(rng.choice([5, 8, 12, 20, 35])),
        occurred_at=when.isoformat(),
        setting=setting,
        residents_count=rng.choice([1, 1, 2, 2, 3, 4, 6, 12]),
        themes=rng.sample([s[1] for s in SIGNALS], rng.randint(1, 3)),
        summary=rng.choice(SUMMARIES),
        follow_up_needed=rng.random() < 0.4,
        **extra,
    )
    return conversation, spot, geom


def _demo_signal(seeder: _Seeder, raised_in: tuple, worker: User, orgs: list[Organisation],
                 team: list[User]) -> None:
    """Add a signal raised in a conversation, moved along a random workflow path by a team member."""
    rng = seeder.rng
    conversation, spot, geom = raised_in
    title, theme, domain = rng.choice(SIGNALS)
    path = rng.choice(SIGNAL_PATHS)
    when = datetime.fromisoformat(conversation["occurred_at"])
    organisation = rng.choice(orgs).id if len(path) > 1 else None
    signal = seeder.add(
        worker, when, "signal", seeder.near(spot, geom), 10.0,
        conversation_id=conversation["id"],
        title=title,
        description=f"Genoemd tijdens gesprek ({vocabulary.SETTING[conversation['setting']].lower()}).",
        theme=theme,
        domain=domain,
        urgency=rng.choice(["low", "normal", "normal", "high"]),
        organisation=None if organisation is None else str(organisation),
        due_date=(when + timedelta(days=rng.choice([14, 30, 60]))).date().isoformat(),
    )
    seeder.walk(signal, path, rng.choice(team), when, "signal")


def _demo_idea(seeder: _Seeder, raised_in: tuple, worker: User, manager: User) -> None:
    """Add a residents' idea from a conversation, on its way to (or through) the year's buurt budget.

    The programme manager takes the steps: decisions on applications are theirs (offline_sync/budget.py).
    """
    rng = seeder.rng
    conversation, spot, geom = raised_in
    title, theme, support, budget = rng.choice(IDEAS)
    path = rng.choice(IDEA_PATHS)
    when = datetime.fromisoformat(conversation["occurred_at"])
    share = rng.choice([0.5, 0.8, 1.0])
    idea = seeder.add(
        worker, when, "idea", seeder.near(spot, geom), 15.0,
        conversation_id=conversation["id"],
        title=title,
        description="Idee van bewoners uit de buurt.",
        theme=theme,
        initiators_count=rng.randint(1, 8),
        support=support,
        budget_requested_cents=budget,
    )

    def decide(record: dict, step_to: str, at) -> dict | None:
        if step_to == "granted":
            fields = {"budget_id": str(_demo_budget(at.year, manager).id),
                      "budget_granted_cents": int(budget * share)}
        elif step_to == "realised":
            fields = {"budget_spent_cents": int(budget * share * rng.choice([0.8, 0.95, 1.0]))}
            if title.startswith(("Buurtfeest", "Stamppotavond")):  # the initiative was itself a bijeenkomst
                kind = "buurtfeest" if title.startswith("Buurtfeest") else "stamppot"
                place = (record["buurt_code"], seeder.near(spot, geom), geom)
                _demo_gathering(seeder, worker, kind, at, idea_id=record["id"], place=place)
        else:
            return None
        return seeder.write(manager, at, "idea", record["id"], fields, base_version=record["version"])

    seeder.walk(idea, path, manager, when, "idea", before=decide)


def _demo_budget(year: int, manager: User) -> Budget:
    """Return the programme-wide demo budget of a year, creating it (€ 25.000) when missing."""
    budget = db.session.scalar(select(Budget).where(Budget.year == year, Budget.wijk_code.is_(None)))
    if budget is None:
        budget = Budget(year=year, name=f"Buurtbudget {year}", amount_cents=2_500_000, created_by_id=manager.id)
        db.session.add(budget)
        db.session.flush()
    return budget


def _demo_users(orgs, seeder) -> list[User]:
    """Return the demo users, creating them with a shared printed password when missing."""
    wijken = sorted({code[:8] for code, _ in seeder.buurten})
    specs = [
        (
            "fieldworker@demo.muurtje.local",
            "Fleur de Wijkcoördinator",
            "field_worker",
            orgs[2],
            wijken[: len(wijken) // 2],
        ),
        ("buurtwerker@demo.muurtje.local", "Bram Buurtwerker", "field_worker", orgs[2], wijken[len(wijken) // 2 :]),
        ("team.gemeente@demo.muurtje.local", "Gerda Gemeente", "team", orgs[0], []),
        ("team.actium@demo.muurtje.local", "Ahmed Actium", "team", orgs[1], []),
        ("manager@demo.muurtje.local", "Maria Programmamanager", "manager", orgs[0], []),
    ]
    users, password = [], None
    for email, name, role, org, wijk_prefixes in specs:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            password = password or generate_password()
            codes = [c for c, _ in seeder.buurten if c[:8] in wijk_prefixes]
            user = create_user(email, name, role, org.name, codes, password)
        users.append(user)
    db.session.flush()
    if password:
        import click  # noqa: PLC0415

        click.echo(f"Demogebruikers ({', '.join(u.email for u in users)}) hebben wachtwoord: {password}")
    return users


@demo_cli.command("seed")
@click.option("--seed", default=106, help="Seed voor reproduceerbare demogegevens.")
@click.option("--conversations", default=120, help="Aantal gesprekken.")
def demo_seed(seed: int, conversations: int) -> None:
    """Fill the database with realistic demo records in Assen."""
    counts = seed_demo(seed=seed, conversations=conversations)
    db.session.commit()
    click.echo("Demogegevens aangemaakt: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
