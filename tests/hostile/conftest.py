"""Fixtures of the hostile tests."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch):
    """Sign users in with a cheap hash: these tests sign in many users (scrypt itself: tests/test_auth.py)."""
    cheap = lambda password: generate_password_hash(password, method="pbkdf2:sha256:1")  # noqa: E731
    monkeypatch.setattr("app.accounts.users.hash_password", cheap)
