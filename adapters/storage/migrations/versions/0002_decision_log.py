"""The service's decision log: every decision, who asked and when, chained entry to entry by a hash.

Entries are never deleted: the database refuses DELETE on the log as on the register.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("request_id", sa.String(200), nullable=False),
        sa.Column("as_of", sa.String(10)),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("decision", sa.Text, nullable=False),
        sa.Column("packs", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_decision_log_request", "decision_log", ["request_id"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(
            "CREATE TRIGGER decision_log_never_deleted BEFORE DELETE ON decision_log "
            "BEGIN SELECT RAISE(ABORT, '决定日志不可删除 / decision log entries are never deleted'); END"
        )
    elif dialect == "postgresql":
        # the function of migration 0001 (its message speaks of the register; the log is kept the same way)
        op.execute("CREATE TRIGGER decision_log_never_deleted BEFORE DELETE ON decision_log FOR EACH ROW EXECUTE FUNCTION jianfu_never_deleted()")


def downgrade() -> None:
    raise NotImplementedError("the decision log is never dropped by a migration")
