"""Command-line interface: `flask --app wsgi <command>`; every command group is registered here."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask_migrate import upgrade
from sqlalchemy import func, select

from app.accounts.auth import generate_password
from app.accounts.themes import ensure_default_themes
from app.accounts.users import create_user, users_cli
from app.buurten.cli import buurten_cli
from app.buurten.importer import import_buurten
from app.demo import demo_cli
from app.extensions import db
from app.models import DEFAULT_THEMES, Buurt, Theme, User
from app.records.cli import retention_cli
from geo.buurten import read_buurten

DEFAULT_BUURTEN = Path(__file__).resolve().parent.parent / "data" / "assen-buurten.geojson"


@click.command("setup")
@click.option("--admin-email", default="admin@muurtje.local", show_default=True)
def setup(admin_email: str) -> None:
    """Migrate the database; on an empty one load Assen's buurten, themes and a first admin."""
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
        create_user(admin_email, "Beheerder", "admin", None, [], password, must_change_password=True)
        click.echo("Eerste beheerder aangemaakt. Bewaar dit wachtwoord; het wordt maar één keer getoond "
                   "(bij de eerste aanmelding kiest u een eigen wachtwoord):")
        click.echo(f"  e-mail:     {admin_email}\n  wachtwoord: {password}")
    db.session.commit()


def init_app(app: Flask) -> None:
    """Register the command groups."""
    for command in (buurten_cli, users_cli, demo_cli, retention_cli, setup):
        app.cli.add_command(command)
