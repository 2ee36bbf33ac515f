"""app.database.sqlite_driver: the standard sqlite3 where it can load SpatiaLite, else pysqlite3, else a clear error."""

from __future__ import annotations

import sys
from types import SimpleNamespace

import pytest

from app.database import SQLiteWithoutExtensions, sqlite_driver


class _CanLoad:
    def enable_load_extension(self, enabled):  # pragma: no cover - only its presence matters
        pass


def test_stdlib_sqlite3_is_used_when_it_can_load_extensions():
    stdlib = SimpleNamespace(Connection=_CanLoad)
    assert sqlite_driver(stdlib) is stdlib


def test_pysqlite3_where_the_stdlib_cannot(monkeypatch):
    fake = SimpleNamespace(__name__="pysqlite3.dbapi2")
    monkeypatch.setitem(sys.modules, "pysqlite3", SimpleNamespace(dbapi2=fake))
    monkeypatch.setitem(sys.modules, "pysqlite3.dbapi2", fake)
    assert sqlite_driver(SimpleNamespace(Connection=object)) is fake


def test_a_clear_error_where_neither_can(monkeypatch):
    monkeypatch.setitem(sys.modules, "pysqlite3", None)  # import fails as if not installed
    monkeypatch.delitem(sys.modules, "pysqlite3.dbapi2", raising=False)
    with pytest.raises(SQLiteWithoutExtensions, match="cannot load extensions.*Linux x86_64.*PostgreSQL"):
        sqlite_driver(SimpleNamespace(Connection=object))
