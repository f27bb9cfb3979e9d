"""The register's tables (台账). The schema itself is created and upgraded by the Alembic migrations beside this
file; these definitions are what the queries are written against, and a test checks the two agree.

Records are appended and cancelled, never overwritten or deleted: each record keeps the JSON it was validated
from (`body`), every change of status is an event in `record_events`, and the database refuses DELETE.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

units = Table(
    "units",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("level", String(16), nullable=False),
    Column("jurisdiction", String(100)),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("aliases", Text),  # JSON list, since 0004 (NULL: none)
    Column("leads", Text),  # JSON list of the major tasks it leads (004 art. 39), since 0004 (NULL: none)
)

records = Table(
    "records",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("id", String(200), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("jurisdiction", String(100), nullable=False),
    Column("unit", String(200), ForeignKey("units.name"), nullable=False),
    Column("date", Date, nullable=False),
    Column("year", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("counts", Boolean, nullable=False),  # approved, held, issued or filed: it counts toward limits
    # what the rules' questions filter on
    Column("scope", String(32)),
    Column("type", String(32)),
    Column("routine", Boolean),
    Column("onsite_office", Boolean),
    Column("subject", String(500)),
    Column("series", String(500)),
    Column("doc_no", String(200)),
    Column("valid_until", Date),
    Column("title", String(500)),
    Column("topics", Text),  # JSON list
    Column("body", Text, nullable=False),  # the record as validated, JSON
    Column("decision", Text),  # the decision that approved it, when recorded through screening
    Column("source", String(200), nullable=False),  # screening | import:<file> | api
    Column("recorded_by", String(200)),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("addressed_to", String(32)),  # a bulletin's `to`, since 0004 (NULL: city_government, SPEC's default)
)
# covering indexes (see the migration): the rules' questions are answered from the index alone
Index(
    "ix_records_unit_kind_year",
    *(records.c[name] for name in ("jurisdiction", "unit", "kind", "year", "date", "id", "counts", "scope", "type", "series", "routine", "onsite_office",
                                   "addressed_to")),  # addressed_to since 0006
)
Index("ix_records_city_kind_year", *(records.c[name] for name in ("jurisdiction", "kind", "year", "counts", "addressed_to", "date", "id")))  # the city's bulletins (0005)
Index("ix_records_subject", *(records.c[name] for name in ("jurisdiction", "subject", "kind", "date", "id", "counts", "valid_until", "doc_no")))
Index("ix_records_year_kind", records.c.year, records.c.kind, records.c.counts)  # counts since 0003
Index("ix_records_place_date", *(records.c[name] for name in ("jurisdiction", "date", "counts", "kind", "valid_until", "unit", "year", "addressed_to")))  # the audit's reads (0003; addressed_to since 0004)

bulletin_tallies = Table(  # the city's counted bulletins per year (0006; adapters/storage/tallies.py)
    "bulletin_tallies",
    metadata,
    Column("jurisdiction", String(100), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("issues", Integer, nullable=False),
)

record_events = Table(
    "record_events",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("record_id", String(200), ForeignKey("records.id"), nullable=False),
    Column("event", String(16), nullable=False),  # recorded | imported | cancelled
    Column("status", String(16), nullable=False),
    Column("reason", Text),
    Column("actor", String(200)),
    Column("at", DateTime(timezone=True), nullable=False),
)
Index("ix_record_events_record", record_events.c.record_id)

plans = Table(
    "plans",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("jurisdiction", String(100), nullable=False),
    Column("unit", String(200), ForeignKey("units.name"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("filed_with", String(32), nullable=False),
    Column("filed_on", Date, nullable=False),
    Column("status", String(16), nullable=False),  # filed | cancelled
    Column("body", Text, nullable=False),
    Column("source", String(200), nullable=False),
    Column("recorded_by", String(200)),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
Index("ix_plans_unit_year", plans.c.jurisdiction, plans.c.unit, plans.c.year)

plan_items = Table(
    "plan_items",
    metadata,
    Column("plan_id", String(200), ForeignKey("plans.id"), primary_key=True),
    Column("item_id", String(200), primary_key=True),
    Column("kind", String(16), nullable=False),
)
Index("ix_plan_items_item", plan_items.c.item_id)

approvals = Table(
    "approvals",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("request_id", String(200), nullable=False),  # the request (or record) the approval is for
    Column("by", String(32), nullable=False),
    Column("ref", String(200)),
    Column("date", Date),
    Column("covers", String(100)),
    Column("status", String(16), nullable=False),  # valid | cancelled
    Column("recorded_by", String(200)),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)
Index("ix_approvals_request", approvals.c.request_id)

decision_log = Table(
    "decision_log",
    metadata,
    # Each entry is chained to the one before: hash = sha256(canonical JSON of the entry's columns + prev_hash).
    # seq is assigned by the appender under the log's lock, so the chain never forks and a gap is a missing entry.
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(40), nullable=False),  # when decided, ISO in UTC, as text so it hashes the same on every database
    Column("actor", String(200), nullable=False),
    Column("role", String(16), nullable=False),
    Column("action", String(16), nullable=False),  # screening | recording | plan_check
    Column("request_id", String(200), nullable=False),
    Column("as_of", String(10)),
    Column("request", Text, nullable=False),  # JSON of the request (or plan) as validated; hashed as stored
    Column("decision", Text, nullable=False),  # JSON of SPEC's decision (a list of them for a plan check)
    Column("packs", Text, nullable=False),  # canonical JSON: [{id, version, sha256}] of every pack that decided
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("ix_decision_log_request", decision_log.c.request_id)
