"""Command-line interface: `flask --app wsgi <command>`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_migrate import upgrade
from sqlalchemy import func, select

from app.auth import generate_password, hash_password
from app.extensions import db
from app.models import DEFAULT_THEMES, ROLES_ORDER, Buurt, Organisation, Theme, User
from geo.buurten import BuurtFileError, read_buurten

DEFAULT_BUURTEN = Path(__file__).resolve().parent.parent / "data" / "assen-buurten.geojson"

buurten_cli = AppGroup("buurten", help="CBS-buurtgrenzen beheren.")
users_cli = AppGroup("users", help="Gebruikers beheren.")
demo_cli = AppGroup("demo", help="Demogegevens.")
retention_cli = AppGroup("retention", help="Bewaartermijnen handhaven.")


@buurten_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--srid",
    type=click.Choice(["4326", "28992"]),
    default=None,
    help="Coördinatenstelsel van het bestand (standaard: uit het bestand of herkend).",
)
@click.option("--replace", is_flag=True, help="Verwijder buurten die niet in het bestand staan.")
def buurten_import(path: str, srid: str | None, replace: bool) -> None:
    """Import buurten from a GeoJSON file (CBS Wijk- en Buurtkaart or data/*.geojson)."""
    from app.buurten import import_buurten  # noqa: PLC0415

    click.echo(f"Lezen van {path} ...")
    try:
        result = read_buurten(path, int(srid) if srid else None)
    except BuurtFileError as exc:
        click.echo(f"Niets geïmporteerd: {len(exc.problems)} probleem/problemen in het bestand:", err=True)
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)
    for note in result.repaired:
        click.echo(f"  hersteld: {note}")
    report = import_buurten(result.features, replace=replace, progress=click.echo)
    db.session.commit()
    click.echo(
        f"{len(result.features)} buurten geïmporteerd ({report.added} nieuw, {report.updated} bijgewerkt, "
        f"{report.removed} verwijderd, {len(result.repaired)} hersteld); "
        f"{report.records_remapped} records opnieuw aan een buurt gekoppeld."
    )


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES_ORDER))
@click.option("--organisation", default=None, help="Naam van de organisatie (wordt aangemaakt als die ontbreekt).")
@click.option("--buurt", "buurten", multiple=True, help="Buurtcode (herhaalbaar).")
@click.option("--password-stdin", is_flag=True, help="Lees het wachtwoord van stdin.")
def users_create(email, name, role, organisation, buurten, password_stdin) -> None:
    """Create a user; prints a generated password when none is given."""
    email = email.strip().lower()
    if db.session.scalar(select(User).where(User.email == email)):
        raise click.ClickException(f"Er bestaat al een gebruiker met e-mailadres {email}.")
    unknown = set(buurten) - set(db.session.scalars(select(Buurt.code).where(Buurt.code.in_(buurten))))
    if unknown:
        raise click.ClickException("Onbekende buurtcode(s): " + ", ".join(sorted(unknown)))
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    if password_stdin and len(password) < 10:
        raise click.ClickException("Het wachtwoord moet minstens 10 tekens hebben.")
    generated = password is None
    password = password or generate_password()
    user = create_user(email, name, role, organisation, list(buurten), password)
    db.session.commit()
    click.echo(f"Gebruiker {user.email} ({role}) aangemaakt.")
    if generated:
        click.echo(f"Wachtwoord: {password}")


def create_user(email, name, role, organisation, buurten, password) -> User:
    """Add a user (and its organisation when new) to the session."""
    org = None
    if organisation:
        org = db.session.scalar(select(Organisation).where(Organisation.name == organisation))
        if org is None:
            org = Organisation(name=organisation, kind=_guess_kind(organisation))
            db.session.add(org)
    user = User(email=email.lower(), name=name, role=role, organisation=org, password_hash=hash_password(password))
    user.set_buurten(buurten)
    db.session.add(user)
    return user


def _guess_kind(name: str) -> str:
    lowered = name.lower()
    if "gemeente" in lowered:
        return "gemeente"
    if any(w in lowered for w in ("actium", "woon", "corporatie")):
        return "woningcorporatie"
    if any(w in lowered for w in ("welzijn", "vaart")):
        return "welzijn"
    return "other"


@demo_cli.command("seed")
@click.option("--seed", default=106, help="Seed voor reproduceerbare demogegevens.")
@click.option("--conversations", default=120, help="Aantal gesprekken.")
def demo_seed(seed: int, conversations: int) -> None:
    """Fill the database with realistic demo records in Assen."""
    from app.demo import seed_demo  # noqa: PLC0415

    counts = seed_demo(seed=seed, conversations=conversations)
    db.session.commit()
    click.echo("Demogegevens aangemaakt: " + ", ".join(f"{v} {k}" for k, v in counts.items()))


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Toon alleen wat verwijderd zou worden.")
def retention_purge(dry_run: bool) -> None:
    """Delete resident contact details past the retention period."""
    from app.privacy import purge_expired_contacts, scrub_quarantine  # noqa: PLC0415

    count = purge_expired_contacts(dry_run=dry_run)
    scrubbed = scrub_quarantine(dry_run=dry_run)
    db.session.commit()
    verb = "zouden worden verwijderd" if dry_run else "verwijderd"
    click.echo(f"{count} contactgegevens van bewoners {verb}.")
    if scrubbed:
        click.echo(f"Uit {scrubbed} afgewezen mutatie(s) in quarantaine {verb}: contactgegevens van bewoners.")


@click.command("setup")
@click.option("--admin-email", default="admin@muurtje.local", show_default=True)
def setup(admin_email: str) -> None:
    """Migrate the database; on an empty one load Assen's buurten, themes and a first admin."""
    from app.buurten import import_buurten  # noqa: PLC0415

    upgrade(directory=current_app.extensions["migrate"].directory)
    if not db.session.scalar(select(func.count()).select_from(Buurt)):
        result = read_buurten(DEFAULT_BUURTEN)
        import_buurten(result.features)
        click.echo(f"{len(result.features)} buurten van Assen geladen (Bron: CBS / Kadaster).")
    if not db.session.scalar(select(func.count()).select_from(Theme)):
        ensure_default_themes()
        click.echo(f"{len(DEFAULT_THEMES)} standaardthema's geladen.")
    if not db.session.scalar(select(func.count()).select_from(User).where(User.role == "admin")):
        password = generate_password()
        create_user(admin_email, "Beheerder", "admin", None, [], password)
        click.echo("Eerste beheerder aangemaakt. Bewaar dit wachtwoord; het wordt maar één keer getoond:")
        click.echo(f"  e-mail:     {admin_email}\n  wachtwoord: {password}")
    db.session.commit()


def ensure_default_themes() -> None:
    """Add the default themes that are missing."""
    have = set(db.session.scalars(select(Theme.code)))
    for order, (code, label, domain) in enumerate(DEFAULT_THEMES):
        if code not in have:
            db.session.add(Theme(code=code, label=label, domain=domain, sort_order=order))


def init_app(app: Flask) -> None:
    """Register the command groups."""
    for command in (buurten_cli, users_cli, demo_cli, retention_cli, setup):
        app.cli.add_command(command)
