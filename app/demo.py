"""Realistic demo records in Assen, reproducible from a seed."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import click
from flask.cli import AppGroup
from geoalchemy2.shape import from_shape, to_shape
from shapely import Point
from sqlalchemy import select

from app.accounts.auth import generate_password
from app.accounts.themes import ensure_default_themes
from app.accounts.users import create_user
from app.buurten.importer import buurt_index
from app.extensions import db
from app.models import Buurt, Conversation, Followup, Idea, Organisation, RecordChange, Signal, User, utcnow
from offline_sync.sequence import allocate_change_seq

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
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.buurten = [(b.code, to_shape(b.geom)) for b in db.session.scalars(select(Buurt))]
        self.outlines = dict(self.buurten)
        if not self.buurten:
            raise RuntimeError("Er zijn geen buurten; importeer eerst buurten.")
        self.index = buurt_index()
        self.now = utcnow()
        self.followups = 0

    def point_in(self, geom) -> tuple[float, float]:
        minx, miny, maxx, maxy = geom.bounds
        for _ in range(200):
            p = Point(self.rng.uniform(minx, maxx), self.rng.uniform(miny, maxy))
            if geom.contains(p):
                return p.x, p.y
        rp = geom.representative_point()
        return rp.x, rp.y

    def near(self, conversation: Conversation) -> tuple[float, float]:
        """Return a point a few dozen metres from where a conversation took place, in the same buurt."""
        point = to_shape(conversation.location)
        outline = self.outlines[conversation.buurt_code]
        for _ in range(50):
            p = Point(point.x + self.rng.uniform(-0.0005, 0.0005), point.y + self.rng.uniform(-0.0003, 0.0003))
            if outline.contains(p):
                return p.x, p.y
        return point.x, point.y

    def add(self, model, user: User, when, lon=None, lat=None, accuracy=None, **fields):
        record = model(id=uuid.uuid4(), version=1, created_at=when, updated_at=when, created_by_id=user.id, **fields)
        if lon is not None:
            record.location = from_shape(Point(lon, lat), srid=4326)
            record.accuracy_m = accuracy
            record.buurt_code = self.index.lookup(lon, lat, accuracy)
        record.change_seq = allocate_change_seq(db.session)
        db.session.add(record)
        history = {k: [None, _jsonable(v)] for k, v in fields.items()}
        db.session.add(
            RecordChange(
                entity=model.entity_name,
                record_id=record.id,
                version=1,
                changed_by_id=user.id,
                changed_at=when,
                changes=history,
                source="demo",
            )
        )
        return record

    def walk(self, record, path, user, when, entity):
        """Move a record along a workflow path, with a followup per step."""
        for step_from, step_to in zip(path, path[1:]):
            when = when + timedelta(days=self.rng.randint(1, 12))
            if when > self.now:
                break
            text = REASONS.get(step_to, "Opgepakt en besproken met de bewoner.")
            self.followups += 1
            self.add(
                Followup,
                user,
                when,
                parent_entity=entity,
                parent_id=record.id,
                text=text,
                status_from=step_from,
                status_to=step_to,
                buurt_code=record.buurt_code,
            )
            record.status = step_to
            record.version += 1
            record.updated_at = when
            if step_to == "done":
                record.done_at = when
            record.change_seq = allocate_change_seq(db.session)


def _jsonable(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def seed_demo(seed: int = 106, conversations: int = 120) -> dict[str, int]:
    """Create organisations, demo users and records; return counts of what was made."""
    rng = random.Random(seed)
    ensure_default_themes()
    orgs = _demo_organisations()
    seeder = _Seeder(rng)
    users = _demo_users(orgs, seeder)
    workers = [u for u in users if u.role == "field_worker"]
    team = [u for u in users if u.role == "team"]
    counts = {"gesprekken": 0, "signalen": 0, "ideeën": 0, "opvolgingen": 0}
    for _ in range(conversations):
        conversation = _demo_conversation(seeder, rng.choice(workers))
        counts["gesprekken"] += 1
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            _demo_signal(seeder, conversation, orgs, team)
            counts["signalen"] += 1
        if rng.random() < 0.2:
            _demo_idea(seeder, conversation, team)
            counts["ideeën"] += 1
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


def _demo_conversation(seeder: _Seeder, worker: User) -> Conversation:
    """Add a conversation somewhere in a random buurt in the past year."""
    rng = seeder.rng
    _code, geom = rng.choice(seeder.buurten)
    lon, lat = seeder.point_in(geom)
    when = seeder.now - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 600))
    return seeder.add(
        Conversation, worker, when, lon, lat, float(rng.choice([5, 8, 12, 20, 35])),
        occurred_at=when,
        setting=rng.choice(SETTINGS_WEIGHTED),
        residents_count=rng.choice([1, 1, 2, 2, 3, 4, 6, 12]),
        themes=rng.sample([s[1] for s in SIGNALS], rng.randint(1, 3)),
        summary=rng.choice(SUMMARIES),
        follow_up_needed=rng.random() < 0.4,
    )


def _demo_signal(seeder: _Seeder, conversation: Conversation, orgs: list[Organisation], team: list[User]) -> None:
    """Add a signal raised in a conversation, moved along a random workflow path by a team member."""
    rng = seeder.rng
    title, theme, domain = rng.choice(SIGNALS)
    lon, lat = seeder.near(conversation)
    path = rng.choice(SIGNAL_PATHS)
    when = conversation.occurred_at
    signal = seeder.add(
        Signal, _author(conversation), when, lon, lat, 10.0,
        conversation_id=conversation.id,
        title=title,
        description=f"Genoemd tijdens gesprek ({conversation.setting}).",
        theme=theme,
        domain=domain,
        urgency=rng.choice(["low", "normal", "normal", "high"]),
        status="new",
        organisation_id=rng.choice(orgs).id if len(path) > 1 else None,
        due_date=(when + timedelta(days=rng.choice([14, 30, 60]))).date(),
        photos=[],
    )
    seeder.walk(signal, path, rng.choice(team), when, "signal")


def _demo_idea(seeder: _Seeder, conversation: Conversation, team: list[User]) -> None:
    """Add a residents' idea from a conversation, on its way to (or through) the buurt budget."""
    rng = seeder.rng
    title, theme, support, budget = rng.choice(IDEAS)
    lon, lat = seeder.near(conversation)
    path = rng.choice(IDEA_PATHS)
    when = conversation.occurred_at
    idea = seeder.add(
        Idea, _author(conversation), when, lon, lat, 15.0,
        conversation_id=conversation.id,
        title=title,
        description="Idee van bewoners uit de buurt.",
        theme=theme,
        initiators_count=rng.randint(1, 8),
        support=support,
        budget_requested_cents=budget,
        status="idea",
        photos=[],
    )
    if "granted" in path:
        idea.budget_granted_cents = int(budget * rng.choice([0.5, 0.8, 1.0]))
    seeder.walk(idea, path, rng.choice(team), when, "idea")


def _author(conversation: Conversation) -> User:
    """Return the field worker who logged a conversation."""
    return db.session.get(User, conversation.created_by_id)


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
