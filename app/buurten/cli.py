"""The `flask buurten` commands: import CBS buurt boundaries."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.buurten.importer import run_import
from geo.buurten import BuurtFileError

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
@click.option("--dry-run", is_flag=True, help="Toon alleen wat de import zou doen; verander niets.")
def buurten_import(path: str, srid: str | None, replace: bool, dry_run: bool) -> None:
    """Import buurten from a GeoJSON file (CBS Wijk- en Buurtkaart or data/*.geojson)."""
    click.echo(f"Lezen van {path} ...")
    try:
        plan, result = run_import(path, replace=replace, dry_run=dry_run, actor=None,
                                  srid=int(srid) if srid else None, filename=Path(path).name)
    except BuurtFileError as exc:
        click.echo(f"Niets geïmporteerd: {len(exc.problems)} probleem/problemen in het bestand:", err=True)
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        sys.exit(1)
    for note in result.repaired:
        click.echo(f"  hersteld: {note}")
    figures = (f"{len(plan.added)} nieuw, {len(plan.changed)} gewijzigd, {plan.unchanged} ongewijzigd, "
               f"{len(plan.removed)} verwijderd, {len(result.repaired)} hersteld")
    if dry_run:
        click.echo(f"Proefimport, niets veranderd: {len(result.features)} buurten gelezen ({figures}); "
                   f"{plan.records_remapped} records zouden naar een andere buurt gaan.")
        return
    click.echo(f"{len(result.features)} buurten geïmporteerd ({figures}); "
               f"{plan.records_remapped} records opnieuw aan een buurt gekoppeld.")
