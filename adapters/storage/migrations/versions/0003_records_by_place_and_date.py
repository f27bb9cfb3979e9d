"""An index of each jurisdiction's records by date, for the yearly audit's reads.

The audit reads one jurisdiction at a time: its records of the year (in full), and of the days before only what the
year's questions reach (every record from the widest window on, the documents still valid). With no index by date,
both reads walked every record the jurisdiction ever had, each looked up in the table to learn its date: three
lookups for every row read. Here the date, the status and what the reach asks of a document are in the index, so a
row is looked up only when it is read, and the earlier bulletins are counted per unit from the index alone.

The index by year also holds `counts` now: counting the year's records that count (the size of the audit's progress
bar) had read every one of them from the table, 0.9 s at 1,000,000 records against 0.04 s from the index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_records_place_date", "records", ["jurisdiction", "date", "counts", "kind", "valid_until", "unit", "year"])
    # The year's records that count (the audit's progress bar): answered from the index, not row by row from the table.
    op.drop_index("ix_records_year_kind", "records")
    op.create_index("ix_records_year_kind", "records", ["year", "kind", "counts"])


def downgrade() -> None:
    op.drop_index("ix_records_year_kind", "records")
    op.create_index("ix_records_year_kind", "records", ["year", "kind"])
    op.drop_index("ix_records_place_date", "records")
