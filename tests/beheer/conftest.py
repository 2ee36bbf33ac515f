"""Beheer tests change themes, which the shared fixtures keep between tests: put the defaults back."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from app.extensions import db
from app.models import DEFAULT_THEMES, Theme


@pytest.fixture(autouse=True)
def default_themes_afterwards(request):
    """After each test that used a database, the themes are exactly the defaults again."""
    if "app" not in request.fixturenames:
        yield  # browser tests restore the themes through their own app
        return
    request.getfixturevalue("app")  # so that this teardown runs while the app context is still there
    yield
    restore_default_themes()


def restore_default_themes() -> None:
    db.session.rollback()
    db.session.execute(delete(Theme).where(Theme.code.not_in([code for code, _, _ in DEFAULT_THEMES])))
    for order, (code, label, domain) in enumerate(DEFAULT_THEMES):
        theme = db.session.get(Theme, code)
        theme.label, theme.domain, theme.active, theme.sort_order = label, domain, True, order
    db.session.commit()


from tests.pwa.conftest import phone  # noqa: E402, F401 - the phone-shaped browser contexts, for test_browser
