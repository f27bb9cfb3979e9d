"""The real service for the tests: `jianfu serve` started as a process on a free loopback port, driven over HTTP
(see live_service.py). One server per database for the session: SQLite always, PostgreSQL when
JIANFU_TEST_POSTGRES_URL is set (in a schema of its own).
"""

from __future__ import annotations

import pytest

from live_service import POSTGRES, Service, drop_schema, postgres_schema, start_service, stop_service


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(request, tmp_path_factory):
    """A fresh database URL for a service: SQLite, and PostgreSQL when JIANFU_TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('service-db') / 'register.sqlite3'}"
        return
    if not POSTGRES:
        pytest.skip("PostgreSQL 测试未运行：未设置 JIANFU_TEST_POSTGRES_URL / PostgreSQL tests skipped: set JIANFU_TEST_POSTGRES_URL")
    url, schema = postgres_schema()
    try:
        yield url
    finally:
        drop_schema(schema)


@pytest.fixture(scope="session")
def service(database, tmp_path_factory) -> Service:
    """The running service over the sample register (shared by the session's tests of one database)."""
    running = start_service(tmp_path_factory.mktemp("service"), database)
    yield running
    stop_service(running)


@pytest.fixture
def new_database(request, tmp_path):
    """A database of a test's own (same backends as `database`)."""
    kind = getattr(request, "param", "sqlite")
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'own.sqlite3'}"
        return
    if not POSTGRES:
        pytest.skip("PostgreSQL 测试未运行：未设置 JIANFU_TEST_POSTGRES_URL / PostgreSQL tests skipped: set JIANFU_TEST_POSTGRES_URL")
    url, schema = postgres_schema()
    try:
        yield url
    finally:
        drop_schema(schema)
