"""Fixtures of the hostile tests."""

from __future__ import annotations

import pytest
from werkzeug.security import generate_password_hash


@pytest.fixture(autouse=True)
def cheap_passwords(monkeypatch):
    """Sign users in with a cheap hash: these tests sign in many users (scrypt itself: tests/test_auth.py)."""
    monkeypatch.setattr("app.accounts.users.hash_password", lambda p: generate_password_hash(p, method="pbkdf2:sha256:1"))
