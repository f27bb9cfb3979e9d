"""Registers to test against: SQLite always, PostgreSQL when JIANFU_TEST_POSTGRES_URL names a server.

Each PostgreSQL test gets a schema of its own (search_path), dropped afterwards. When the variable is set, a
server that cannot be reached fails the tests instead of skipping them.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine, text

from adapters.storage import normalise_url, open_store
from engine import Engine, load_folder

POSTGRES = os.environ.get("JIANFU_TEST_POSTGRES_URL")
RULES = Path(__file__).resolve().parents[2] / "rules"
_ran_postgres: list[str] = []


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(load_folder(RULES))


def _postgres_schema_url() -> tuple[str, str]:
    base = normalise_url(POSTGRES)
    schema = f"jt_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options={quote(f'-csearch_path={schema}')}", schema


def _drop_schema(schema: str) -> None:
    admin = create_engine(normalise_url(POSTGRES))
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A fresh, empty register database URL (the schema is created by the first open_store)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'register.sqlite3'}"
        return
    if not POSTGRES:
        pytest.skip("PostgreSQL 测试未运行：未设置 JIANFU_TEST_POSTGRES_URL / PostgreSQL tests skipped: set JIANFU_TEST_POSTGRES_URL")
    url, schema = _postgres_schema_url()
    _ran_postgres.append(request.node.nodeid)
    try:
        yield url
    finally:
        _drop_schema(schema)


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
