"""The `flask buurten` commands: import CBS buurt boundaries."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.buurten.importer import import_buurten
from app.extensions import db
from geo.buurten import BuurtFileError, read_buurten

buurten_cli = AppGroup("buurten", help="CBS-buurtgrenzen beheren.")


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
