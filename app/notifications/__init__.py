"""Terugkoppeling by e-mail: residents hear what came of their signal or idea, colleagues what needs them.

- `outbox` turns accepted record changes into rows of the `notifications` table, inside the
  transaction of the change (the sync engine calls it through `SyncContext.on_changes`).
- `messages` renders the Dutch e-mails (plain text and HTML).
- `delivery` is the worker that claims rows, sends them over SMTP (or writes .eml files) and retries.
- `digest` queues each team member's overdue signals.
- `views` and `pages`: unsubscribe link, personal setting, the admin list of failed messages.
"""

from __future__ import annotations

import os

from flask import Flask

#: Settings read from the environment (see docs/notifications.md); tests override them in test_config.
SETTINGS = {
    "SMTP_URL": ("SMTP_URL", None, str),
    "MAIL_FROM": ("MAIL_FROM", "Muurtje <muurtje@localhost>", str),
    "PUBLIC_URL": ("PUBLIC_URL", None, str),
    "MAIL_MAX_ATTEMPTS": ("MAIL_MAX_ATTEMPTS", 10, int),
    "MAIL_RETRY_BASE_SECONDS": ("MAIL_RETRY_BASE_SECONDS", 30, float),
    "MAIL_RETRY_MAX_SECONDS": ("MAIL_RETRY_MAX_SECONDS", 3600, float),
    "MAIL_CLAIM_SECONDS": ("MAIL_CLAIM_SECONDS", 300, float),
    "MAIL_POLL_SECONDS": ("MAIL_POLL_SECONDS", 5, float),
    "MAIL_TIMEOUT_SECONDS": ("MAIL_TIMEOUT_SECONDS", 30, float),
}


def init_app(app: Flask) -> None:
    """Read the mail settings, register the pages, API and the `notifications` commands."""
    from app.extensions import api  # noqa: PLC0415
    from app.notifications import cli, pages, views  # noqa: PLC0415

    for key, (env, default, kind) in SETTINGS.items():
        if key not in app.config:
            raw = os.environ.get(env)
            app.config[key] = kind(raw) if raw not in (None, "") else default
    app.config.setdefault("MAIL_DIR", os.path.join(app.instance_path, "mail"))
    api.register_blueprint(views.blp)
    app.register_blueprint(pages.blp)
    app.cli.add_command(cli.notifications_cli)
