"""Registers to test against: SQLite always, PostgreSQL when JIANFU_TEST_POSTGRES_URL names a server.

Each PostgreSQL test gets a schema of its own (search_path), dropped afterwards. When the variable is set, a
server that cannot be reached fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jianfu.adapters.storage import open_store
from jianfu.engine import Engine, load_folder
from pg_schemas import POSTGRES, SKIP_REASON, drop_schema, postgres_schema_url

RULES = Path(__file__).resolve().parents[2] / "rules"
_ran_postgres: list[str] = []


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(load_folder(RULES))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty register database URL (the schema is created by the first open_store)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'register.sqlite3'}"
        return
    if not POSTGRES:
        pytest.skip(SKIP_REASON)
    url, schema = postgres_schema_url()
    _ran_postgres.append(request.node.nodeid)
    try:
        yield url
    finally:
        drop_schema(schema)


@pytest.fixture
def store(db_url):
    s = open_store(db_url)
    yield s
    s.close()


def pytest_sessionfinish(session, exitstatus) -> None:
    # CI sets JIANFU_REQUIRE_POSTGRES=1: a run in which no PostgreSQL test ran is a failure.
    if os.environ.get("JIANFU_REQUIRE_POSTGRES") == "1" and not _ran_postgres and exitstatus == 0:
        session.exitstatus = 1
        print("\nJIANFU_REQUIRE_POSTGRES=1 but no PostgreSQL test ran")
