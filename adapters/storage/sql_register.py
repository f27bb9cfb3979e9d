"""The register port answered by SQL, inside the caller's transaction.

Each question is one indexed query and must answer exactly as `engine.register.MemoryRegister` does (a test runs
both on the same data): same jurisdiction, same unit, only counting statuses, the request itself excluded, and
the `(date, id)` cut-off when given.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import Connection, text

from engine.records import Unit
from engine.register import Cutoff, PlanEntry, RoutineMeeting, ValidDocument, normalise_topic

_BEFORE = " AND (date < :cut_date OR (date = :cut_date AND id < :cut_id))"


def _cut(before: Cutoff | None) -> tuple[str, dict]:
    if before is None:
        return "", {}
    return _BEFORE, {"cut_date": before[0], "cut_id": before[1]}


class SqlRegister:
    """`RegisterView` over one SQLAlchemy connection (and whatever transaction it is in)."""

    def __init__(self, connection: Connection):
        self.connection = connection

    def _rows(self, sql: str, **params):
        return self.connection.execute(text(sql), params).all()

    def unit(self, name: str) -> Unit | None:
        row = self.connection.execute(
            text("SELECT name, type, level, jurisdiction FROM units WHERE name = :name"), {"name": name}
        ).first()
        return None if row is None else Unit(name=row[0], type=row[1], level=row[2], jurisdiction=row[3])

    def system_meetings(self, jurisdiction, unit, year, exclude, before):
        cut, extra = _cut(before)
        rows = self._rows(
            "SELECT id FROM records WHERE jurisdiction = :j AND unit = :u AND kind = 'meeting' AND year = :y"
            " AND counts AND scope = 'citywide_system' AND NOT onsite_office AND id <> :x" + cut + " ORDER BY date, id",
            j=jurisdiction, u=unit, y=year, x=exclude, **extra,
        )
        return [r[0] for r in rows]

    def routine_meetings(self, jurisdiction, unit, start, end, exclude, before):
        cut, extra = _cut(before)
        rows = self._rows(
            "SELECT id, date, topics, title FROM records WHERE jurisdiction = :j AND unit = :u AND kind = 'meeting'"
            " AND year BETWEEN :ys AND :ye AND date BETWEEN :s AND :e AND counts AND routine AND id <> :x" + cut
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
            "SELECT id FROM records WHERE jurisdiction = :j AND unit = :u AND kind = 'inspection' AND year = :y"
            " AND counts AND type = 'comprehensive' AND id <> :x" + cut + " ORDER BY date, id",
            j=jurisdiction, u=unit, y=year, x=exclude, **extra,
        )
        return [r[0] for r in rows]

    def valid_documents(self, jurisdiction, subject, on, exclude, before):
        cut, extra = _cut(before)
        rows = self._rows(
            "SELECT id, doc_no, valid_until FROM records WHERE jurisdiction = :j AND subject = :s AND kind = 'document'"
            " AND counts AND date <= :on AND (valid_until IS NULL OR valid_until >= :on) AND id <> :x" + cut
            + " ORDER BY date, id",
            j=jurisdiction, s=subject, on=on, x=exclude, **extra,
        )
        return [ValidDocument(r[0], r[1], _day(r[2]) if r[2] is not None else None) for r in rows]

    def bulletin_series(self, jurisdiction, unit, year, exclude, before):
        cut, extra = _cut(before)
        rows = self._rows(
            "SELECT DISTINCT series FROM records WHERE jurisdiction = :j AND unit = :u AND kind = 'bulletin'"
            " AND year = :y AND counts AND id <> :x" + cut,
            j=jurisdiction, u=unit, y=year, x=exclude, **extra,
        )
        return {r[0] for r in rows}

    def bulletin_issues(self, jurisdiction, unit, year, exclude, before):
        cut, extra = _cut(before)
        row = self.connection.execute(
            text(
                "SELECT count(*) FROM records WHERE jurisdiction = :j AND unit = :u AND kind = 'bulletin'"
                " AND year = :y AND counts AND id <> :x" + cut
            ),
            {"j": jurisdiction, "u": unit, "y": year, "x": exclude, **extra},
        ).first()
        return int(row[0])

    def filed_plan_item(self, jurisdiction, unit, year, item, on):
        row = self.connection.execute(
            text(
                "SELECT p.id, p.filed_on FROM plans p JOIN plan_items i ON i.plan_id = p.id"
                " WHERE p.jurisdiction = :j AND p.unit = :u AND p.year = :y AND i.item_id = :item"
                " AND p.status = 'filed' AND p.filed_on <= :on ORDER BY p.filed_on, p.id LIMIT 1"
            ),
            {"j": jurisdiction, "u": unit, "y": year, "item": item, "on": on},
        ).first()
        return None if row is None else PlanEntry(row[0], _day(row[1]))


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))
