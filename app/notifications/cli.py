"""`flask --app wsgi notifications send [--once]` and `notifications digest`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.database import write_transaction
from app.extensions import db

notifications_cli = AppGroup("notifications", help="E-mail: de outbox versturen, het overzicht van verlopen signalen.")


@notifications_cli.command("send")
@click.option("--once", is_flag=True, help="Verstuur wat nu klaarstaat en stop.")
def send(once: bool) -> None:
    """Send the outbox over SMTP_URL (or to instance/mail/ as .eml files), retrying with backoff."""
    from app.notifications.delivery import run_worker  # noqa: PLC0415

    run_worker(once, echo=click.echo)


@notifications_cli.command("digest")
def digest() -> None:
    """Queue for every team member an e-mail listing their overdue signals (run daily)."""
    from app.notifications.digest import queue_overdue_digest  # noqa: PLC0415

    with write_transaction(db.session()):
        queued = queue_overdue_digest()
    click.echo(f"{queued} overzicht(en) van verlopen signalen klaargezet; `notifications send` verstuurt ze.")
