"""The `flask retention` commands: purge resident contact details past their retention period."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.records.privacy import purge_expired_contacts, scrub_quarantine

retention_cli = AppGroup("retention", help="Bewaartermijnen handhaven.")


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Toon alleen wat verwijderd zou worden.")
def retention_purge(dry_run: bool) -> None:
    """Delete resident contact details past the retention period."""
    count = purge_expired_contacts(dry_run=dry_run)
    scrubbed = scrub_quarantine(dry_run=dry_run)
    db.session.commit()
    verb = "zouden worden verwijderd" if dry_run else "verwijderd"
    click.echo(f"{count} contactgegevens van bewoners {verb}.")
    if scrubbed:
        click.echo(f"Uit {scrubbed} afgewezen mutatie(s) in quarantaine {verb}: contactgegevens van bewoners.")
