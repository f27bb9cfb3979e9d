"""The city's bulletins counted from an index (004 art. 6 read as a city-wide cut, issue 13).

Screening a bulletin asks how many issues the whole jurisdiction has in the year (every unit together, only those
submitted to the city government); the unit-first covering index cannot answer that without walking every row of
the jurisdiction, so each such question grew with the city's register. This index leads with the jurisdiction and
the kind.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

from alembic import op

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    op.create_index("ix_records_city_kind_year", "records", ["jurisdiction", "kind", "year", "counts", "addressed_to", "date", "id"])


def downgrade() -> None:
    op.drop_index("ix_records_city_kind_year", "records")
