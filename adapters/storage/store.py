"""The register's storage: SQLite by default, PostgreSQL when shared (SQLAlchemy 2, Alembic migrations).

`Store` is the register in a database, made of one part per job: the connection and its transactions
(`connection`), the writes (`writes`), the listings (`listings`) and the audit's reads (`audit_reads`).
"""

from __future__ import annotations

from .audit_reads import AUDIT_EARLIER_ROWS, AUDIT_TALLY, AUDIT_YEAR_ROWS, AuditReads, _reach, load_audit_part
from .connection import MIGRATIONS, Database, default_url, normalise_url, sqlite_file
from .listings import Listings
from .writes import BATCH, RECORD, Writes


class Store(Writes, Listings, AuditReads, Database):
    """The register in a database."""


__all__ = [
    "AUDIT_EARLIER_ROWS", "AUDIT_TALLY", "AUDIT_YEAR_ROWS", "BATCH", "MIGRATIONS", "RECORD", "Store", "_reach",
    "default_url", "load_audit_part", "normalise_url", "sqlite_file",
]
