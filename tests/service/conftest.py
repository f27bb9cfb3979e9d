"""The real service for the tests: `jianfu serve` started as a process on a free loopback port, driven over HTTP
(see live_service.py). One server per database for the session: SQLite always, PostgreSQL when
JIANFU_TEST_POSTGRES_URL is set (in a schema of its own).
"""

from __future__ import annotations

import pytest

from live_service import Service, start_service, stop_service
from pg_schemas import POSTGRES, SKIP_REASON, drop_schema, postgres_schema_url


def _database(kind: str, sqlite_file):
    if kind == "sqlite":
        yield f"sqlite:///{sqlite_file}"
        return
    if not POSTGRES:
        pytest.skip(SKIP_REASON)
    url, schema = postgres_schema_url("js")
    try:
        yield url
    finally:
        drop_schema(schema)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(request, tmp_path_factory):
    """A fresh database URL for the shared service: SQLite, and PostgreSQL when JIANFU_TEST_POSTGRES_URL is set."""
    yield from _database(request.param, tmp_path_factory.mktemp("service-db") / "register.sqlite3")


@pytest.fixture(scope="session")
def service(database, tmp_path_factory) -> Service:
    """The running service over the sample register (shared by the session's tests of one database)."""
    running = start_service(tmp_path_factory.mktemp("service"), database)
    yield running
    stop_service(running)


@pytest.fixture
def new_database(request, tmp_path):
    """A database of a test's own (parametrise indirectly with "sqlite" or "postgresql")."""
    yield from _database(getattr(request, "param", "sqlite"), tmp_path / "own.sqlite3")
