"""PostgreSQL for the tests: when JIANFU_TEST_POSTGRES_URL names a server, each database a test needs is a schema of
its own (search_path set in the URL), dropped afterwards. When the variable is set, a server that cannot be reached
fails the tests instead of skipping them."""

from __future__ import annotations

import os
import uuid
from urllib.parse import quote

from sqlalchemy import create_engine, text

from jianfu.adapters.storage import normalise_url

POSTGRES = os.environ.get("JIANFU_TEST_POSTGRES_URL")
SKIP_REASON = "PostgreSQL 测试未运行：未设置 JIANFU_TEST_POSTGRES_URL / PostgreSQL tests skipped: set JIANFU_TEST_POSTGRES_URL"


def postgres_schema_url(prefix: str = "jt") -> tuple[str, str]:
    """A fresh schema on the test server: (a URL whose search_path is that schema, the schema's name)."""
    base = normalise_url(POSTGRES)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    joiner = "&" if "?" in base else "?"
    return f"{base}{joiner}options={quote(f'-csearch_path={schema}')}", schema


def drop_schema(schema: str) -> None:
    admin = create_engine(normalise_url(POSTGRES))
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()
