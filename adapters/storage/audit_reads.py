"""The audit's reads of the register: one jurisdiction at a time, only what the audited year's questions can reach,
the year's records validated again from their stored bodies when first walked."""

from __future__ import annotations

import json
from datetime import date
from functools import partial
from typing import Any, Callable, Iterator

from sqlalchemy import select

from jianfu.engine.audit import Tallied
from jianfu.engine.counting import BULLETINS
from jianfu.engine.records import FiledPlan, StoredRecord

from . import tables as t
from .connection import Database
from .sql_register import SqlRegister
from .writes import RECORD


class AuditReads:
    """The audit's reads (a part of `Store`)."""

    def audit_part(self, jurisdiction: str, up_to: int, read_from: date | None = None) -> tuple:
        """One jurisdiction's records that count up to a year (with the approvals recorded for them) and its filed
        plans: the records of the year `up_to` in full, validated again from their stored bodies (an error naming the
        field when one is damaged), those before as the register's columns (`StoredRecord`: counted, never decided).

        With `read_from` (engine.audit.read_from: the audit of `up_to`), only what the year's questions can reach is
        read of the days before the year: every record from that day on, the documents still valid on the year's
        first day; the bulletins of the days before are counted per unit and year (a `Tallied`, the part's third
        element), never listed. The walk puts the records in (date, id) order itself."""
        with self.reading() as connection:
            stored: dict[str, list[tuple]] = {}
            for row in connection.execute(
                select(t.approvals.c.request_id, t.approvals.c.by, t.approvals.c.ref, t.approvals.c.date, t.approvals.c.covers)
                .join(t.records, t.records.c.id == t.approvals.c.request_id)
                .where(t.approvals.c.status == "valid", t.records.c.jurisdiction == jurisdiction).order_by(t.approvals.c.seq)
            ):
                stored.setdefault(row[0], []).append(tuple(row[1:]))
            # Only the records that count (a cancelled or rejected one never does), found by jurisdiction and date
            # (AUDIT_YEAR_ROWS and the rest, below).
            register = SqlRegister(connection)
            start, end = date(up_to, 1, 1), date(up_to, 12, 31)
            year_rows = register.rows(AUDIT_YEAR_ROWS, j=jurisdiction, start=start, end=end)
            reach, params = _reach(read_from)
            earlier_rows = register.rows(AUDIT_EARLIER_ROWS + reach, j=jurisdiction, start=start, **params)
            records = _AuditRecords(year_rows, stored, earlier_rows)
            plans = [FiledPlan.model_validate_json(r[0]) for r in connection.execute(
                select(t.plans.c.body).where(t.plans.c.status == "filed", t.plans.c.jurisdiction == jurisdiction))]
            if read_from is None:
                return records, plans
            tallied = Tallied(read_from, {(jurisdiction, unit, int(year)): count
                                          for unit, year, count in register.rows(AUDIT_TALLY, j=jurisdiction, since=read_from)})
        return records, plans, tallied

    def audit_reads(self, up_to: int, read_from: date | None = None) -> int:
        """How many records the audit parts of `audit_part` hold (the benchmark's figure)."""
        reach, params = _reach(read_from)
        with self.reading() as connection:
            return int(SqlRegister(connection).rows("SELECT COUNT(*) FROM records WHERE year <= :y AND counts" + reach,
                                                    y=up_to, start=date(up_to, 1, 1), **params)[0][0])

    def audit_parts(self, up_to: int, read_from: date | None = None) -> Iterator[tuple]:
        """The register up to a year, one jurisdiction at a time: what the audit walks, without ever holding the
        whole province in memory."""
        for place in self.jurisdictions():
            yield self.audit_part(place, up_to, read_from)

    def audit_loaders(self, up_to: int, read_from: date | None = None) -> list[Callable[[], tuple]]:
        """The same parts as `audit_parts`, as loaders a worker process can call on its own connection."""
        return [partial(load_audit_part, self.url, place, up_to, read_from) for place in self.jurisdictions()]

    def audit(self, engine, year: int, baseline_year: int | None = None, progress=None, parameters=None, workers: int = 1,
              as_of: date | None = None):
        """The yearly audit of the database, read one jurisdiction at a time (in `workers` processes)."""
        from jianfu.adapters.storage.audit_workers import audit
        from jianfu.engine.audit import read_from

        # Records after the audited year never count (every question is cut off before the record); of the years
        # before, only what the year's questions can reach is read: the baseline's bulletins (counted), documents
        # still valid, meetings in the merge window across the year's edge.
        return audit(engine, self.units(), year=year, baseline_year=baseline_year, progress=progress, parameters=parameters,
                     loaders=self.audit_loaders(year, read_from(engine.catalog, year)), workers=workers, total=self.count_records(year), as_of=as_of)


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _stored_record(source: tuple) -> Any:
    """A stored record in full: its body (the record as validated when written, without its status) validated again,
    with the approvals recorded for it in the database."""
    body, status, approvals = source
    if body is None:
        raise ValueError("只读取了当年记录的正文 / only the audited year's records were read in full")
    record = RECORD.validate_json(f'{body[:-1]},"status":"{status}"}}')
    return Database._merge_approvals(record, approvals) if approvals else record


class _AuditRecords:
    """An audit part's records as read, made into records when first walked: the year's validated from their bodies
    (with the approvals recorded for them), the earlier ones built from their columns. The work is done by whoever
    walks them, not by the thread that read them ahead (validating holds the interpreter: done there, it only kept
    the walk waiting)."""

    def __init__(self, year_rows: list[tuple], approvals: dict[str, list[tuple]], earlier_rows: list[tuple]):
        self._rows: tuple | None = (year_rows, approvals, earlier_rows)
        self._made: list[Any] = []

    def __iter__(self) -> Iterator[Any]:
        if self._rows is not None:
            year_rows, approvals, earlier_rows = self._rows
            made = [_stored_record((body, status, approvals.get(rid))) for rid, status, body in year_rows]
            places: dict[str, str] = {}  # one string per unit and place, not one per row
            made += [
                StoredRecord(rid, kind, places.setdefault(place, place), places.setdefault(unit, unit), _day(day), status, title or "",
                             [] if topics in (None, "[]") else json.loads(topics), scope, type_, None if routine is None else bool(routine),
                             subject, series, doc_no, valid_until and _day(valid_until), (None, status, None), _stored_record,
                             onsite_office, addressed_to)
                for (rid, kind, place, unit, day, status, title, topics, scope, type_, routine, subject, series, doc_no, valid_until,
                     onsite_office, addressed_to) in earlier_rows
            ]
            self._made, self._rows = made, None
        return iter(self._made)


AUDIT_YEAR_ROWS = "SELECT id, status, body FROM records WHERE jurisdiction = :j AND date >= :start AND date <= :end AND counts"
AUDIT_EARLIER_ROWS = ("SELECT id, kind, jurisdiction, unit, date, status, title, topics, scope, type, routine, subject, series, doc_no,"
                      " valid_until, onsite_office, addressed_to FROM records WHERE jurisdiction = :j AND date < :start AND counts")
AUDIT_TALLY = ("SELECT unit, year, COUNT(*) FROM records WHERE jurisdiction = :j AND " + BULLETINS.sql() + " AND date < :since"
               " GROUP BY unit, year")
"""An audit part's reads (with `_reach` after the second; the tally counts the bulletins before the reach): each
answered from the index by jurisdiction and date (migration 0003), a row looked up in the table only when it is read,
the tally from the index alone."""


def _reach(read_from: date | None) -> tuple[str, dict[str, Any]]:
    """The condition an audit part's records before the year meet: from `read_from` on, or a document still valid on
    the audited year's first day (`:start`; nothing more when every earlier record is read)."""
    if read_from is None:
        return "", {}
    return " AND (date >= :since OR (kind = 'document' AND (valid_until IS NULL OR valid_until >= :start)))", {"since": read_from}


def load_audit_part(url: str, jurisdiction: str, up_to: int, read_from: date | None = None) -> tuple:
    """A worker's own read of one jurisdiction (connections are never shared across processes)."""
    from .store import Store  # the whole store: a part alone has no connection

    store = Store(url, migrate=False)
    try:
        return store.audit_part(jurisdiction, up_to, read_from)
    finally:
        store.close()
