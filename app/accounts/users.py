"""Creating users (and their organisation) and the `flask users` commands."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.accounts.auth import generate_password, hash_password
from app.extensions import db
from app.models import ROLES_ORDER, Buurt, Organisation, User

users_cli = AppGroup("users", help="Gebruikers beheren.")


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
