"""The register port (台账): the questions the rules ask about what was approved, held, issued or filed before.

The engine declares the questions; adapters answer them from a file, SQLite or PostgreSQL. `MemoryRegister` is the
reference answer, kept in the engine because *what counts* is domain knowledge, not storage (engine/counting.py says
it once): only records whose status is approved, held, issued or filed count (never rejected or cancelled ones),
always within the same jurisdiction and, for per-unit limits, the same unit.

Every question takes `exclude` (the request's own id: a request never counts against itself) and `before`, a
`(date, id)` cut-off: when given, only records strictly before it count (the audit and the plan check walk in date
order). Without it, every record of the period counts.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from operator import attrgetter
from typing import Iterable, Protocol, Sequence

from .counting import (BULLETINS, COMPREHENSIVE_INSPECTIONS, ROUTINE_MEETINGS, SYSTEM_MEETINGS, before as _before, counts,
                       is_onsite_office_meeting, valid_on)
from .records import FiledPlan, Unit
from .requests import Document

Cutoff = tuple[date, str]


def normalise_topic(topic: str) -> str:
    return "".join(topic.split()).lower()


@dataclass(frozen=True)
class RoutineMeeting:
    id: str
    date: date
    topics: frozenset[str]
    title: str


@dataclass(frozen=True)
class ValidDocument:
    id: str
    doc_no: str | None
    valid_until: date | None
    issued: date | None = None  # its date: how long an undated document stays valid is the pack's (004 art. 4)

    @cached_property
    def ref(self) -> str:
        """How a message names the document: written once for each (the audit names the same ones again and again)."""
        return f"{self.id}（{self.doc_no or '无文号'}，有效期至{self.valid_until or '长期'}）"


@dataclass(frozen=True)
class PlanEntry:
    plan_id: str
    filed_on: date


class RegisterView(Protocol):
    """What the rules may ask of the register. Implementations must answer exactly as `MemoryRegister` does."""

    def unit(self, name: str) -> Unit | None: ...

    def system_meetings(self, jurisdiction: str, unit: str, year: int, exclude: str, before: Cutoff | None) -> list[str]:
        """Ids of the unit's city-wide system meetings (本系统全市性会议) in the year, art. 39 meetings left out."""
        ...

    def routine_meetings(
        self, jurisdiction: str, unit: str, start: date, end: date, exclude: str, before: Cutoff | None
    ) -> list[RoutineMeeting]:
        """The unit's routine meetings dated from start to end inclusive."""
        ...

    def comprehensive_inspections(
        self, jurisdiction: str, unit: str, year: int, exclude: str, before: Cutoff | None
    ) -> list[str]: ...

    def valid_documents(
        self, jurisdiction: str, subject: str, on: date, exclude: str, before: Cutoff | None
    ) -> list[ValidDocument]:
        """Documents on the subject issued on or before `on` and still valid on `on` (no `valid_until`: valid)."""
        ...

    def bulletin_series(self, jurisdiction: str, unit: str, year: int, exclude: str, before: Cutoff | None) -> set[str]: ...

    def bulletin_issues(self, jurisdiction: str, unit: str | None, year: int, exclude: str, before: Cutoff | None) -> int:
        """The unit's issues of bulletins submitted to the city government in the year; `unit=None`: every unit of the
        jurisdiction together (the city-wide total of 004 art. 6)."""
        ...

    def filed_plan_item(self, jurisdiction: str, unit: str, year: int, item: str, on: date) -> PlanEntry | None:
        """The filed plan of that year holding the item, if it was filed on or before `on`."""
        ...


def _day(record) -> date:
    return record.date


day_and_id = attrgetter("date", "id")
"""A record's place in (date, id) order: how the register lists records and how the audit walks them."""


class MemoryRegister:
    """The register held in memory, indexed for the rules' questions. Built from records and filed plans."""

    def __init__(self, units: Iterable[Unit] = (), records: Iterable[object] = (), plans: Iterable[FiledPlan] = ()):
        self._units: dict[str, Unit] = {}
        self._by_unit: dict[tuple[str, str, str], list] = defaultdict(list)  # (jurisdiction, unit, kind) -> records
        self._documents: dict[tuple[str, str], list[Document]] = defaultdict(list)  # (jurisdiction, subject)
        self._plans: dict[tuple[str, str, int], list[FiledPlan]] = defaultdict(list)
        self._ids: dict[str, list] = defaultdict(list)  # the counting records of each id (to leave one out of a count)
        for unit in units:
            self._units[unit.name] = unit
        for record in records:
            self.add(record)
        for plan in plans:
            self.add_plan(plan)

    # -- building -------------------------------------------------------------------------------------------
    def add(self, record) -> None:
        if not counts(record):
            return
        if record.kind == "bulletin" and not BULLETINS.holds(record):
            return  # a public column counts toward no limit of art. 6 (the only questions about bulletins)
        bucket = self._by_unit[(record.jurisdiction, record.unit, record.kind)]
        self._ids[record.id].append(record)
        key = (record.date, record.id)
        bucket.insert(bisect.bisect(bucket, key, key=day_and_id), record)
        if record.kind == "bulletin":  # the city's bulletins together: unit None
            city = self._by_unit[(record.jurisdiction, None, "bulletin")]
            city.insert(bisect.bisect(city, key, key=day_and_id), record)
        if record.kind == "document":  # a Document, or a stored record's columns (engine.records.StoredRecord)
            # in (date, id) order, as the database lists them: a message names the same documents in the same order
            # whichever way the register was read
            documents = self._documents[(record.jurisdiction, record.subject)]
            documents.insert(bisect.bisect(documents, key, key=day_and_id), record)

    def add_plan(self, plan: FiledPlan) -> None:
        self._plans[(plan.jurisdiction, plan.unit, plan.year)].append(plan)

    def add_unit(self, unit: Unit) -> None:
        self._units[unit.name] = unit

    # -- the questions --------------------------------------------------------------------------------------
    def unit(self, name: str) -> Unit | None:
        return self._units.get(name)

    def _bounds(self, bucket: list, year: int, before: Cutoff | None) -> tuple[int, int]:
        """Where a year's records sit in a bucket, strictly before the cut-off when one is given (buckets are kept
        sorted by (date, id), so the cut-off is a bisection, not a scan)."""
        lo = bisect.bisect_left(bucket, date(year, 1, 1), key=_day)
        hi = bisect.bisect_left(bucket, date(year + 1, 1, 1), key=_day)
        if before is not None:
            hi = max(lo, min(hi, bisect.bisect_left(bucket, before, key=day_and_id)))  # a cut-off before the year: none
        return lo, hi

    def _year(self, jurisdiction: str, unit: str, kind: str, year: int, before: Cutoff | None = None) -> Sequence:
        """The unit's records of a kind in a year, strictly before the cut-off when one is given."""
        bucket = self._by_unit.get((jurisdiction, unit, kind), [])
        lo, hi = self._bounds(bucket, year, before)
        return bucket[lo:hi]

    def system_meetings(self, jurisdiction, unit, year, exclude, before):
        return [
            m.id
            for m in self._year(jurisdiction, unit, "meeting", year, before)
            if m.id != exclude and SYSTEM_MEETINGS.holds(m)
        ]

    def routine_meetings(self, jurisdiction, unit, start, end, exclude, before):
        bucket = self._by_unit.get((jurisdiction, unit, "meeting"), [])
        lo = bisect.bisect_left(bucket, start, key=lambda r: r.date)
        hi = bisect.bisect_right(bucket, end, key=lambda r: r.date)
        return [
            RoutineMeeting(m.id, m.date, frozenset(normalise_topic(t) for t in m.topics), m.title)
            for m in bucket[lo:hi]
            if ROUTINE_MEETINGS.holds(m) and m.id != exclude and _before(m.date, m.id, before)
        ]

    def comprehensive_inspections(self, jurisdiction, unit, year, exclude, before):
        return [
            i.id
            for i in self._year(jurisdiction, unit, "inspection", year, before)
            if i.id != exclude and COMPREHENSIVE_INSPECTIONS.holds(i)
        ]

    def valid_documents(self, jurisdiction, subject, on, exclude, before):
        return [
            ValidDocument(d.id, d.doc_no, d.valid_until, d.date)
            for d in self._documents.get((jurisdiction, subject), [])
            if d.id != exclude and valid_on(d, on) and _before(d.date, d.id, before)
        ]

    def bulletin_series(self, jurisdiction, unit, year, exclude, before):
        return {b.series for b in self._year(jurisdiction, unit, "bulletin", year, before) if b.id != exclude}

    def bulletin_issues(self, jurisdiction, unit, year, exclude, before):
        # A count, asked for every bulletin twice (its year and the baseline): index arithmetic, no copy, no scan.
        bucket = self._by_unit.get((jurisdiction, unit, "bulletin"))
        if not bucket:
            return 0
        lo, hi = self._bounds(bucket, year, before)
        count = hi - lo
        for record in self._ids.get(exclude, ()):
            if (
                BULLETINS.holds(record)
                and record.jurisdiction == jurisdiction
                and (unit is None or record.unit == unit)
                and record.date.year == year
                and _before(record.date, record.id, before)
            ):
                count -= 1
        return count

    def filed_plan_item(self, jurisdiction, unit, year, item, on):
        for plan in self._plans.get((jurisdiction, unit, year), []):
            if plan.filed_on is not None and plan.filed_on <= on and any(i.id == item for i in plan.items):
                return PlanEntry(plan.id, plan.filed_on)
        return None


class LayeredRegister:
    """A register seen through extra records laid over it (a plan's earlier items over the stored register).

    Every answer is the union of the layers' answers, so the counting rules live in one place only.
    """

    def __init__(self, *layers: RegisterView):
        self.layers = layers

    def unit(self, name):
        for layer in self.layers:
            found = layer.unit(name)
            if found is not None:
                return found
        return None

    def system_meetings(self, *args):
        return [i for layer in self.layers for i in layer.system_meetings(*args)]

    def routine_meetings(self, *args):
        return [m for layer in self.layers for m in layer.routine_meetings(*args)]

    def comprehensive_inspections(self, *args):
        return [i for layer in self.layers for i in layer.comprehensive_inspections(*args)]

    def valid_documents(self, *args):
        return [d for layer in self.layers for d in layer.valid_documents(*args)]

    def bulletin_series(self, *args):
        return set().union(*(layer.bulletin_series(*args) for layer in self.layers))

    def bulletin_issues(self, *args):
        return sum(layer.bulletin_issues(*args) for layer in self.layers)

    def filed_plan_item(self, *args):
        for layer in self.layers:
            found = layer.filed_plan_item(*args)
            if found is not None:
                return found
        return None


def window(on: date, days: int) -> tuple[date, date]:
    return on - timedelta(days=days), on + timedelta(days=days)


EMPTY_REGISTER = MemoryRegister()
__all__ = [
    "Cutoff",
    "day_and_id",
    "RegisterView",
    "MemoryRegister",
    "LayeredRegister",
    "RoutineMeeting",
    "ValidDocument",
    "PlanEntry",
    "EMPTY_REGISTER",
    "is_onsite_office_meeting",
    "normalise_topic",
    "window",
]
