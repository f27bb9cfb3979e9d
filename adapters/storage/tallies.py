"""The city's bulletins of each year, counted as they are written (004 art. 6 read as a city-wide cut, issue 13).

Screening a bulletin asks how many issues its whole jurisdiction has in the year and in the baseline year. Counted
from the records that is a walk over every bulletin of the city's year in the index: 4,154 entries, 450 µs, for a
city of the benchmark's 1,000,000-record province, twice for each bulletin screened. `bulletin_tallies` keeps that
count per (jurisdiction, year), changed in the same transaction as the records it counts: a record written
(`add`), a record cancelled (`take_back`), a register restored (`rebuild`); migration 0006 filled it from the
records stored before it. What it counts is
`engine.counting.BULLETINS` of records that count, the same definition the SQL register and the audit read.

The tally answers the question without a cut-off (the screening's); a question cut off before a record (a
decision-log replay) still counts the records, as before.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable

from sqlalchemy import Connection, text

from jianfu.engine.counting import BULLETINS, counts

TALLIED = BULLETINS.sql()

_ADD = text(
    "INSERT INTO bulletin_tallies (jurisdiction, year, issues) VALUES (:j, :y, :n)"
    " ON CONFLICT (jurisdiction, year) DO UPDATE SET issues = bulletin_tallies.issues + excluded.issues"
)


def add(connection: Connection, records: Iterable[Any]) -> None:
    """Count in the records just written that BULLETINS counts (in a fixed order of jurisdictions and years, so two
    transactions never wait for each other's rows the other way round)."""
    added = Counter((r.jurisdiction, r.date.year) for r in records if counts(r) and BULLETINS.holds(r))
    for (jurisdiction, year), n in sorted(added.items()):
        connection.execute(_ADD, {"j": jurisdiction, "y": year, "n": n})


def take_back(connection: Connection, record_id: str) -> None:
    """A record about to stop counting (cancelled): taken out of its city's tally when it is in it."""
    row = connection.execute(text(f"SELECT jurisdiction, year FROM records WHERE id = :x AND {TALLIED}"), {"x": record_id}).first()
    if row is not None:
        connection.execute(text("UPDATE bulletin_tallies SET issues = issues - 1 WHERE jurisdiction = :j AND year = :y"),
                           {"j": row[0], "y": row[1]})


def rebuild(connection: Connection) -> None:
    """The tallies counted again from the records (into an empty table: a register restored from a backup)."""
    connection.execute(text(
        "INSERT INTO bulletin_tallies (jurisdiction, year, issues)"
        f" SELECT jurisdiction, year, COUNT(*) FROM records WHERE {TALLIED} GROUP BY jurisdiction, year"
    ))


CITY_ISSUES = (
    "SELECT (SELECT issues FROM bulletin_tallies WHERE jurisdiction = :j AND year = :y),"
    f" EXISTS (SELECT 1 FROM records WHERE id = :x AND jurisdiction = :j AND year = :y AND {TALLIED})"
)
"""The city's counted bulletins of the year as tallied, and whether the record `:x` is one of them (to leave it
out): one primary-key lookup each (adapters/storage/sql_register.py asks it)."""
