"""SPEC's contract additions (issue 13): a bulletin's `to`, a unit's `aliases` and `leads`, and a meeting's declared
`onsite_office`.

`records.addressed_to` holds a bulletin's `to` (`to` is a reserved word in SQL); NULL, as every row written before
this revision has, is SPEC's default, `city_government`. `units.aliases` and `units.leads` are JSON lists; NULL is
none. `records.onsite_office` was worked out from the title (现场办公会 in it) before; it is now the meeting's own
declared field, and no record stored before this revision could declare it (the contract forbade the key), so
every older meeting row is set to false, the default its stored body gives when read again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    # plain ADD COLUMN on both databases: a batch copy would drop the tables' never-deleted triggers
    op.add_column("records", sa.Column("addressed_to", sa.String(32)))
    op.add_column("units", sa.Column("aliases", sa.Text))
    op.add_column("units", sa.Column("leads", sa.Text))
    op.execute("UPDATE records SET onsite_office = false WHERE kind = 'meeting'")
    # the audit's tally of earlier bulletins counts only those to the city government: still from the index alone
    op.drop_index("ix_records_place_date", "records")
    op.create_index("ix_records_place_date", "records", ["jurisdiction", "date", "counts", "kind", "valid_until", "unit", "year", "addressed_to"])


def downgrade() -> None:
    op.drop_index("ix_records_place_date", "records")
    op.create_index("ix_records_place_date", "records", ["jurisdiction", "date", "counts", "kind", "valid_until", "unit", "year"])
    with op.batch_alter_table("units") as batch:
        batch.drop_column("leads")
        batch.drop_column("aliases")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("addressed_to")
