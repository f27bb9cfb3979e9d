"""The city's bulletins counted as they are written, and the unit's bulletin questions answered from the index.

Since 0004 a bulletin's `to` decides whether it counts toward art. 6, and the unit-first index did not hold it: each
of a unit's bulletins was looked up in the table to learn whom it went to (80 µs for 78 bulletins). The index now
ends with `addressed_to`. The city-wide count (0005's index) walked every bulletin of the city's year for each
question; `bulletin_tallies` holds that count per jurisdiction and year (adapters/storage/tallies.py), filled here
from the records already stored.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"

UNIT_INDEX = ["jurisdiction", "unit", "kind", "year", "date", "id", "counts", "scope", "type", "series", "routine", "onsite_office"]


def upgrade() -> None:
    op.create_table(
        "bulletin_tallies",
        sa.Column("jurisdiction", sa.String(100), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("issues", sa.Integer, nullable=False),
    )
    op.execute(
        "INSERT INTO bulletin_tallies (jurisdiction, year, issues) SELECT jurisdiction, year, COUNT(*) FROM records"
        " WHERE kind = 'bulletin' AND counts AND COALESCE(addressed_to, 'city_government') = 'city_government'"
        " GROUP BY jurisdiction, year"
    )
    op.drop_index("ix_records_unit_kind_year", "records")
    op.create_index("ix_records_unit_kind_year", "records", UNIT_INDEX + ["addressed_to"])


def downgrade() -> None:
    op.drop_index("ix_records_unit_kind_year", "records")
    op.create_index("ix_records_unit_kind_year", "records", UNIT_INDEX)
    op.drop_table("bulletin_tallies")
