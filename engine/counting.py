"""What counts toward a limit: said once, here, for every register that answers the rules' questions.

The memory register (engine/register.py), the audit's running register (engine/audit/running.py), the SQL register
(adapters/storage/sql_register.py, and the columns the store writes for it) and the audit's tallies
(engine/audit/run.py) all read these definitions; bench/plain.py is the deliberately independent second
implementation the benchmark checks them against.

- A record counts only when its status is approved, held, issued or filed (`counts`): never rejected or cancelled.
- Always within the asking record's jurisdiction and, for a per-unit limit, its unit; never the asking record itself
  (`exclude`); and, with a cut-off, only records strictly before it in (date, id) order (`before`).
- Each limit counts records of one kind with some fields at given values (`Counted`): written as data, so Python
  (`Counted.holds`) and SQL (`Counted.sql`) read the same definition.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from operator import attrgetter
from typing import Any, Callable

COUNTING_STATUSES: frozenset[str] = frozenset({"approved", "held", "issued", "filed"})
"""The statuses of records that count toward a limit (a request being screened has no status: it counts if approved)."""


def counts(record: Any) -> bool:
    return getattr(record, "status", "approved") in COUNTING_STATUSES


def is_onsite_office_meeting(meeting: Any) -> bool:
    """Art. 39 meetings (现场办公会) are not city-wide system meetings: they never count toward art. 8.

    Our reading of 004 art. 8: only a meeting *declared* on-site (`onsite_office: true`) is one; a title or topic
    that merely contains 现场办公会 does not make a city-wide system meeting exempt. (A stored record read from its
    columns carries the flag too: engine.records.StoredRecord.)"""
    return bool(getattr(meeting, "onsite_office", False))


def addressed_to(record: Any) -> str:
    """Whom a bulletin goes to. 004 art. 6 ("对部门向市政府报送的简报…") limits the bulletins submitted to the city
    government; a column or news report for the public (`to: public`, such as 001's 五型 column) is neither a series
    of the unit nor an issue of the city's count. Records from before the field existed are SPEC's default."""
    return getattr(record, "to", None) or "city_government"


DERIVED: dict[str, Callable[[Any], Any]] = {"onsite_office": is_onsite_office_meeting, "to": addressed_to}
"""Fields the counting reads through a function of the record (a default for records older than the field); the
store writes each as a column of its own, and `COLUMN_SQL` reads that column with the same default."""

COLUMN_SQL: dict[str, str] = {"to": "COALESCE(addressed_to, 'city_government')"}
"""A counted field's SQL where its column has another name, or older rows hold NULL."""


def field_value(record: Any, name: str) -> Any:
    derive = DERIVED.get(name)
    return derive(record) if derive is not None else getattr(record, name)


@dataclass(frozen=True)
class Counted:
    """The records one limit counts: of `kind`, each field in `where` at its value (a bool: true or false)."""

    name: str
    kind: str
    where: tuple[tuple[str, Any], ...] = ()

    def __post_init__(self) -> None:
        # each field of `where` as the function that reads it (`field_value`, looked up once): asked of every record
        # the audit walks
        object.__setattr__(self, "_read", tuple((DERIVED.get(name) or attrgetter(name), value) for name, value in self.where))

    def holds(self, record: Any) -> bool:
        """Whether a record of the register (already known to count) is one this limit counts."""
        if record.kind != self.kind:
            return False
        for read, value in self._read:
            if read(record) != value:
                return False
        return True

    def sql(self) -> str:
        """The same as an SQL condition over the records table (whose `counts` column is `counts`)."""
        parts = [f"kind = {_literal(self.kind)}", "counts"]
        for name, value in self.where:
            column = COLUMN_SQL.get(name, name)
            if isinstance(value, bool):
                parts.append(column if value else f"NOT {column}")
            else:
                parts.append(f"{column} = {_literal(value)}")
        return " AND ".join(parts)


def _literal(value: str) -> str:
    if not isinstance(value, str) or "'" in value:  # the definitions are this module's own constants
        raise ValueError(f"not a plain text value: {value!r}")
    return f"'{value}'"


SYSTEM_MEETINGS = Counted("system_meetings", "meeting", (("scope", "citywide_system"), ("onsite_office", False)))
"""Art. 8: the unit's city-wide system meetings (本系统全市性会议) of the year, art. 39's on-site office meetings apart."""

ROUTINE_MEETINGS = Counted("routine_meetings", "meeting", (("routine", True),))
"""Art. 10: the unit's routine meetings, to merge those on close dates and topics."""

COMPREHENSIVE_INSPECTIONS = Counted("comprehensive_inspections", "inspection", (("type", "comprehensive"),))
"""Once a year: the unit's comprehensive inspections (综合性督查检查考核)."""

BULLETINS = Counted("bulletins", "bulletin", (("to", "city_government"),))
"""Art. 6: one series per unit, and the issues cut against the baseline year: the bulletins submitted to the city
government only (`addressed_to`)."""

DOCUMENTS = Counted("documents", "document")
"""No second document on a subject while one is still valid (`valid_on`)."""


def valid_on(document: Any, on: date) -> bool:
    """A document issued on or before `on` and still valid that day (no `valid_until`: valid until replaced)."""
    return document.date <= on and (document.valid_until is None or document.valid_until >= on)


VALID_ON_SQL = "date <= :on AND (valid_until IS NULL OR valid_until >= :on)"


def before(record_date: date, record_id: str, cutoff: tuple[date, str] | None) -> bool:
    """Strictly before the cut-off in (date, id) order; without a cut-off, every record of the period."""
    return cutoff is None or (record_date, record_id) < cutoff


BEFORE_SQL = " AND (date < :cut_date OR (date = :cut_date AND id < :cut_id))"


def meeting_tally(meeting: Any) -> str:
    """Which of the audit's meeting counts a counting meeting adds to: `onsite_office` (art. 39),
    `citywide_system` (art. 8) or `other`."""
    if is_onsite_office_meeting(meeting):
        return "onsite_office"
    return "citywide_system" if SYSTEM_MEETINGS.holds(meeting) else "other"
