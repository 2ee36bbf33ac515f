"""Measure the field app's first load in Chromium: bytes over the network before sign-in and until ready.

Starts gunicorn (gunicorn.conf.py, compression on) on a fresh SQLite database with one field worker,
opens /app/ on a phone-sized Chromium, signs in, and prints what each URL moved (method:
tests/production/first_load.py; the budget test is tests/production/test_first_load.py).

Usage (repository root): .venv/bin/python bench/first_load.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.conftest import CHROMIUM_ARGS, _prepare  # noqa: E402
from tests.production.first_load import measure_first_load  # noqa: E402
from tests.support import LiveServer  # noqa: E402


def main() -> None:
    folder = tempfile.TemporaryDirectory()
    url = "sqlite:///" + str(Path(folder.name) / "first-load.sqlite")
    _prepare(url)
    from app import create_app  # noqa: PLC0415
    from app.accounts.users import create_user  # noqa: PLC0415
    from app.extensions import db  # noqa: PLC0415

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        create_user("veld@muurtje.local", "Veld", "field_worker", None, ["BU01060001"], "veld-wachtwoord-1")
        db.session.commit()
        db.engine.dispose()
    server = LiveServer(url, workers=1, env={"TILE_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png"}).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            before, ready = measure_first_load(browser, server.url, "veld@muurtje.local", "veld-wachtwoord-1")
            browser.close()
    finally:
        server.stop()
        folder.cleanup()
    print(f"before sign-in      {before.total:>9,} bytes")
    print(f"sign-in until ready {ready.total:>9,} bytes")
    print(f"total until ready   {before.total + ready.total:>9,} bytes")
    print("\n## before sign-in\n" + before.table() + "\n\n## sign-in until ready\n" + ready.table())


if __name__ == "__main__":
    main()
