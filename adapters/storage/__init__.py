"""The register's storage (台账): SQLite by default, PostgreSQL when shared."""

from __future__ import annotations

from .sql_register import SqlRegister
from .connection import RegisterUnreachable, unreachable
from .store import Store, default_url, normalise_url


def open_store(url: str | None = None, migrate: bool = True) -> Store:
    """The register at `url` (a database URL or a SQLite file path; default JIANFU_DATABASE_URL or the user's
    data directory), its schema brought up to date."""
    return Store(normalise_url(url), migrate=migrate)


__all__ = ["RegisterUnreachable", "SqlRegister", "Store", "default_url", "normalise_url", "open_store", "unreachable"]
