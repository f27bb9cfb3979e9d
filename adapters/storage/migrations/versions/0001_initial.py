"""The register: units, records with their events, filed plans and their items, approvals.

Records, plans and approvals are never deleted: the database itself refuses DELETE on them.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

NEVER_DELETED = ("records", "record_events", "plans", "plan_items", "approvals")


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("jurisdiction", sa.String(100)),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "records",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("jurisdiction", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(200), sa.ForeignKey("units.name"), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("counts", sa.Boolean, nullable=False),
        sa.Column("scope", sa.String(32)),
        sa.Column("type", sa.String(32)),
        sa.Column("routine", sa.Boolean),
        sa.Column("onsite_office", sa.Boolean),
        sa.Column("subject", sa.String(500)),
        sa.Column("series", sa.String(500)),
        sa.Column("doc_no", sa.String(200)),
        sa.Column("valid_until", sa.Date),
        sa.Column("title", sa.String(500)),
        sa.Column("topics", sa.Text),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("decision", sa.Text),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("recorded_by", sa.String(200)),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    # Covering indexes: every per-unit question (and the documents-by-subject one) is answered from the index
    # alone, in date order, without visiting the table; this is what keeps a screening fast on a million records.
    op.create_index(
        "ix_records_unit_kind_year",
        "records",
        ["jurisdiction", "unit", "kind", "year", "date", "id", "counts", "scope", "type", "series", "routine", "onsite_office"],
    )
    op.create_index("ix_records_subject", "records", ["jurisdiction", "subject", "kind", "date", "id", "counts", "valid_until", "doc_no"])
    op.create_index("ix_records_year_kind", "records", ["year", "kind"])
    op.create_table(
        "record_events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("record_id", sa.String(200), sa.ForeignKey("records.id"), nullable=False),
        sa.Column("event", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("actor", sa.String(200)),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_record_events_record", "record_events", ["record_id"])
    op.create_table(
        "plans",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("jurisdiction", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(200), sa.ForeignKey("units.name"), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("filed_with", sa.String(32), nullable=False),
        sa.Column("filed_on", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("recorded_by", sa.String(200)),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_plans_unit_year", "plans", ["jurisdiction", "unit", "year"])
    op.create_table(
        "plan_items",
        sa.Column("plan_id", sa.String(200), sa.ForeignKey("plans.id"), primary_key=True),
        sa.Column("item_id", sa.String(200), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
    )
    op.create_index("ix_plan_items_item", "plan_items", ["item_id"])
    op.create_table(
        "approvals",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(200), nullable=False),
        sa.Column("by", sa.String(32), nullable=False),
        sa.Column("ref", sa.String(200)),
        sa.Column("date", sa.Date),
        sa.Column("covers", sa.String(100)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("recorded_by", sa.String(200)),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_approvals_request", "approvals", ["request_id"])

    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for table in NEVER_DELETED:
            op.execute(
                f"CREATE TRIGGER {table}_never_deleted BEFORE DELETE ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '台账记录不可删除，只能取消 / register entries are never deleted, only cancelled'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION jianfu_never_deleted() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION '台账记录不可删除，只能取消 / register entries are never deleted, only cancelled'; END $$"
        )
        for table in NEVER_DELETED:
            op.execute(f"CREATE TRIGGER {table}_never_deleted BEFORE DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION jianfu_never_deleted()")


def downgrade() -> None:
    raise NotImplementedError("the register is never dropped by a migration")
