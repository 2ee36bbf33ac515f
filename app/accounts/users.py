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
    user = create_user(email, name, role, organisation, list(buurten), password, must_change_password=generated)
    db.session.flush()
    from app.beheer.audit import record_admin_action  # noqa: PLC0415

    record_admin_action(None, "user.create", user, None, {"name": name, "role": role, "organisation": organisation,
                                                          "buurten": user.buurten})
    db.session.commit()
    click.echo(f"Gebruiker {user.email} ({role}) aangemaakt.")
    if generated:
        click.echo(f"Wachtwoord: {password}")


@users_cli.command("list")
@click.option("--all", "show_all", is_flag=True, help="Ook gedeactiveerde mensen.")
def users_list(show_all: bool) -> None:
    """List people: e-mail, name, role, organisation, buurten, status."""
    from app.beheer.people import PeopleFilter, list_people  # noqa: PLC0415

    users = list_people(PeopleFilter(active=None if show_all else True))
    for user in users:
        status = "actief" if user.active else "gedeactiveerd"
        if user.must_change_password:
            status += ", moet wachtwoord kiezen"
        org = user.organisation.name if user.organisation else "-"
        click.echo(f"{user.email}\t{user.name}\t{user.role}\t{org}\t{','.join(user.buurten) or '-'}\t{status}")
    click.echo(f"{len(users)} personen.")


def _user_by_email(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"Er is geen persoon met e-mailadres {email}.")
    return user


@users_cli.command("deactivate")
@click.argument("email")
def users_deactivate(email: str) -> None:
    """Deactivate a person: every device and browser is signed out at once; their records stay."""
    from app.beheer.people import update_person  # noqa: PLC0415
    from app.errors import ApiError  # noqa: PLC0415

    user = _user_by_email(email)
    try:
        update_person(None, user, {"active": False})
    except ApiError as exc:
        raise click.ClickException(exc.description) from exc
    db.session.commit()
    click.echo(f"{user.email} is gedeactiveerd en op alle apparaten afgemeld.")


@users_cli.command("reset-password")
@click.argument("email")
def users_reset_password(email: str) -> None:
    """Give a person a new generated password (printed once); all their devices are signed out."""
    from app.beheer.people import reset_password  # noqa: PLC0415

    user = _user_by_email(email)
    password = reset_password(None, user)
    db.session.commit()
    click.echo(f"Nieuw wachtwoord voor {user.email} (bij de volgende aanmelding kiest die een eigen wachtwoord):")
    click.echo(f"Wachtwoord: {password}")


def create_user(email, name, role, organisation, buurten, password, must_change_password: bool = False) -> User:
    """Add a user (and its organisation when new) to the session.

    `must_change_password`: the password was generated, so the person chooses their own at first sign-in.
    """
    org = None
    if organisation:
        org = db.session.scalar(select(Organisation).where(Organisation.name == organisation))
        if org is None:
            org = Organisation(name=organisation, kind=_guess_kind(organisation))
            db.session.add(org)
    user = User(email=email.lower(), name=name, role=role, organisation=org, password_hash=hash_password(password),
                must_change_password=must_change_password)
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
