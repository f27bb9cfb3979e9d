"""The register port answered by SQL, inside the caller's transaction.

Each question is one indexed query and must answer exactly as `engine.register.MemoryRegister` does (a test runs
both on the same data): same jurisdiction, same unit, only counting statuses, the request itself excluded, and
the `(date, id)` cut-off when given.

Screening is the hot path (SPEC: a median of 300 µs against a province's register), so the questions go straight
to the DB-API cursor of the SQLAlchemy connection, in its transaction, with the statements written once per
dialect; SQLAlchemy's statement construction would cost more than the queries themselves.
"""

from __future__ import annotations

import json
from datetime import date

import re
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from jianfu.engine.counting import (BEFORE_SQL, BULLETINS, COMPREHENSIVE_INSPECTIONS, DOCUMENTS, ROUTINE_MEETINGS, SYSTEM_MEETINGS,
                                    VALID_ON_SQL)
from jianfu.engine.records import Unit
from jianfu.engine.register import Cutoff, PlanEntry, RoutineMeeting, ValidDocument, normalise_topic

from . import tallies

# What counts toward each limit, as engine/counting.py says it (the `counts` and `onsite_office` columns are written
# from the same definitions when a record is stored).
_SYSTEM_MEETINGS = SYSTEM_MEETINGS.sql()
_ROUTINE_MEETINGS = ROUTINE_MEETINGS.sql()
_COMPREHENSIVE = COMPREHENSIVE_INSPECTIONS.sql()
_DOCUMENTS = DOCUMENTS.sql()
_BULLETINS = BULLETINS.sql()


def _cut(before: Cutoff | None) -> tuple[str, dict]:
    if before is None:
        return "", {}
    return BEFORE_SQL, {"cut_date": before[0], "cut_id": before[1]}


_NAMED = re.compile(r":([a-z_]+)")


@lru_cache(maxsize=256)
def _pyformat(sql: str) -> str:
    return _NAMED.sub(r"%(\1)s", sql)


class SqlRegister:
    """`RegisterView` over one SQLAlchemy connection (and whatever transaction it is in)."""

    def __init__(self, connection: Connection | Any, sqlite: bool | None = None):
        """Over a SQLAlchemy connection, or over a DB-API connection when `sqlite` says which dialect it is."""
        if isinstance(connection, Connection):
            self._raw = connection.connection.driver_connection
            self._sqlite = connection.dialect.name == "sqlite"
        else:
            self._raw = connection
            self._sqlite = bool(sqlite)

    def rows(self, sql: str, **params) -> list[tuple]:
        """The rows of a plain SQL query (`:name` parameters) on the driver's own cursor: no per-value processing
        (SQLite gives dates as ISO text, PostgreSQL as dates)."""
        return self._rows(sql, **params)

    def _rows(self, sql: str, **params):
        if self._sqlite:
            # sqlite3 speaks :name natively; dates go in as ISO text, as SQLAlchemy stores them
            values = {k: v.isoformat() if isinstance(v, date) else v for k, v in params.items()}
            return self._raw.execute(sql, values).fetchall()
        cursor = self._raw.cursor()
        try:
            cursor.execute(_pyformat(sql), params)
            return cursor.fetchall()
        finally:
            cursor.close()

    def unit(self, name: str) -> Unit | None:
        rows = self._rows("SELECT name, type, level, jurisdiction, aliases, leads FROM units WHERE name = :name", name=name)
        if not rows:
            return None
        name, type_, level, jurisdiction, aliases, leads = rows[0]
        return Unit(name=name, type=type_, level=level, jurisdiction=jurisdiction,
                    aliases=json.loads(aliases) if aliases else [], leads=json.loads(leads) if leads else [])

    def system_meetings(self, jurisdiction, unit, year, exclude, before):
        cut, extra = _cut(before)
        rows = self._rows(
            "SELECT id FROM records WHERE jurisdiction = :j AND unit = :u AND year = :y AND " + _SYSTEM_MEETINGS
            + " AND id <> :x" + cut + " ORDER BY date, id",
            j=jurisdiction, u=unit, y=year, x=exclude, **extra,
        )
        return [r[0] for r in rows]

    def routine_meetings(self, jurisdiction, unit, start, end, exclude, before):
        cut, extra = _cut(before)
        rows = self._rows(
            "SELECT id, date, topics, title FROM records WHERE jurisdiction = :j AND unit = :u AND " + _ROUTINE_MEETINGS
            + " AND year BETWEEN :ys AND :ye AND date BETWEEN :s AND :e AND id <> :x" + cut
            + " ORDER BY date, id",
            j=jurisdiction, u=unit, ys=start.year, ye=end.year, s=start, e=end, x=exclude, **extra,
        )
        return [
            RoutineMeeting(r[0], _day(r[1]), frozenset(normalise_topic(t) for t in json.loads(r[2] or "[]")), r[3] or "")
            for r in rows
        ]

    def comprehensive_inspections(self, jurisdiction, unit, year, exclude, before):
        cut, extra = _cut(before)
        rows = self._rows(
            "SELECT id FROM records WHERE jurisdiction = :j AND unit = :u AND year = :y AND " + _COMPREHENSIVE
            + " AND id <> :x" + cut + " ORDER BY date, id",
            j=jurisdiction, u=unit, y=year, x=exclude, **extra,
        )
        return [r[0] for r in rows]

    def valid_documents(self, jurisdiction, subject, on, exclude, before):
        cut, extra = _cut(before)
        rows = self._rows(
            "SELECT id, doc_no, valid_until, date FROM records WHERE jurisdiction = :j AND subject = :s AND " + _DOCUMENTS
            + " AND " + VALID_ON_SQL + " AND id <> :x" + cut
            + " ORDER BY date, id",
            j=jurisdiction, s=subject, on=on, x=exclude, **extra,
        )
        return [ValidDocument(r[0], r[1], _day(r[2]) if r[2] is not None else None, _day(r[3])) for r in rows]

    def bulletin_series(self, jurisdiction, unit, year, exclude, before):
        cut, extra = _cut(before)
        rows = self._rows(
            "SELECT DISTINCT series FROM records WHERE jurisdiction = :j AND unit = :u AND " + _BULLETINS
            + " AND year = :y AND id <> :x" + cut,
            j=jurisdiction, u=unit, y=year, x=exclude, **extra,
        )
        return {r[0] for r in rows}

    def bulletin_issues(self, jurisdiction, unit, year, exclude, before):
        cut, extra = _cut(before)
        if unit is None and before is None:  # the city's bulletins together (004 art. 6's city-wide cut), as tallied
            tallied, excluded = self._rows(tallies.CITY_ISSUES, j=jurisdiction, y=year, x=exclude)[0]
            return int(tallied or 0) - (1 if excluded else 0)
        if unit is None:
            rows = self._rows(
                "SELECT count(*) FROM records WHERE jurisdiction = :j AND " + _BULLETINS
                + " AND year = :y AND id <> :x" + cut,
                j=jurisdiction, y=year, x=exclude, **extra,
            )
            return int(rows[0][0])
        rows = self._rows(
            "SELECT count(*) FROM records WHERE jurisdiction = :j AND unit = :u AND " + _BULLETINS
            + " AND year = :y AND id <> :x" + cut,
            j=jurisdiction, u=unit, y=year, x=exclude, **extra,
        )
        return int(rows[0][0])

    def filed_plan_item(self, jurisdiction, unit, year, item, on):
        rows = self._rows(
            "SELECT p.id, p.filed_on FROM plans p JOIN plan_items i ON i.plan_id = p.id"
            " WHERE p.jurisdiction = :j AND p.unit = :u AND p.year = :y AND i.item_id = :item"
            " AND p.status = 'filed' AND p.filed_on <= :on ORDER BY p.filed_on, p.id LIMIT 1",
            j=jurisdiction, u=unit, y=year, item=item, on=on,
        )
        return None if not rows else PlanEntry(rows[0][0], _day(rows[0][1]))

    def approvals(self, request_id: str) -> list[tuple]:
        """Approvals recorded for a request: (by, ref, date, covers)."""
        return [
            (r[0], r[1], _day(r[2]) if r[2] is not None else None, r[3])
            for r in self._rows(
                "SELECT \"by\", ref, date, covers FROM approvals WHERE request_id = :r AND status = 'valid' ORDER BY seq",
                r=request_id,
            )
        ]


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
