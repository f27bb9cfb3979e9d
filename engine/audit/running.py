"""The register as the audit walks it: answers kept up to date record by record, instead of searched for each one.

The audit decides the year's records in (date, id) order, each counted only against the records strictly before it.
`RunningRegister` holds exactly those: `advance(position)` takes in every counting record before the position, and
a question asked with `before == position` is answered from running lists and counts per unit and year (the
system meetings so far, the comprehensive inspections so far, the bulletin series and issues so far), in time that
does not grow with the register. The answers are `MemoryRegister`'s, to the letter (engine/register.py is the
reference; tests/test_audit_running.py holds them side by side): the same records count (never a cancelled or
rejected one), in the same order, leaving out the asking record's id the same way. A question asked with any other
cut-off (or none, but for the baseline's bulletin count, kept for the whole register) goes to a `MemoryRegister` of
the whole part, built the first time it is needed.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterable, Mapping, Sequence

from ..counting import BULLETINS, COMPREHENSIVE_INSPECTIONS, DOCUMENTS, ROUTINE_MEETINGS, SYSTEM_MEETINGS, counts
from ..facts import WINDOW_PARAMETER
from ..records import FiledPlan, Unit
from ..register import Cutoff, MemoryRegister, RoutineMeeting, ValidDocument, day_and_id, normalise_topic


def _day(entry: tuple) -> date:
    return entry[0]


@dataclass(frozen=True)
class Tallied:
    """What a register read for the audit of a year counts instead of listing: the counting bulletins of the days
    before `before`, per (jurisdiction, unit, year). Every other record of those days is left out, as no question
    about the audited year's records can reach it (see `reach_days`); a bulletin still counts towards its year's
    issues (the baseline of the bulletin cut)."""

    before: date
    bulletins: dict[tuple[str, str, int], int] = field(default_factory=dict)


REACH_WEEK_DAYS = 7  # an ISO week counted for a yearly obligation can start in the December before the year


def reach_days(catalog: Any) -> int:
    """How many days before the audited year a record can still be counted for one of the year's records, besides a
    document still valid: the widest routine-meeting window any pack of the catalog gives, or a week of a
    per-week obligation starting in December (`obligations.periods`)."""
    windows = [int(value) for stack in catalog.stacks.values() for name, param in stack.parameters.items()
               if name == WINDOW_PARAMETER for value in param.values.values()]
    # a record owed its closure within so many days (004 art. 13) can fall due in the audited year
    windows += [int(value) for stack in catalog.stacks.values() for duty in stack.obligations
                if duty.closed_by is not None and duty.closed_by.within in stack.parameters
                for value in stack.parameters[duty.closed_by.within].values.values()]
    return max([REACH_WEEK_DAYS, *windows])


def read_from(catalog: Any, year: int) -> date:
    """The first day of the register the audit of `year` reads every counting record of (before it: documents still
    valid on the year's first day, and bulletins counted per unit and year)."""
    return date(year, 1, 1) - timedelta(days=reach_days(catalog))


class RunningRegister:
    """A `RegisterView` for a walk in (date, id) order over `records` (any order, any status: only counting ones count)."""

    def __init__(self, units: Iterable[Unit] | Mapping[str, Unit], records: Iterable[Any], plans: Sequence[FiledPlan] = (),
                 tallied: Tallied | None = None, in_order: bool = False):
        """`tallied`, when given, holds the counting bulletins of days before its `before` that are counted, not
        listed in `records` (a register read for the audit: see `Tallied`). `in_order`: the records come sorted by
        (date, id) already (the walk sorts a part's records once for itself and for this register)."""
        self._tallied = tallied
        # by name: a mapping given is used as it is (the audit's walk gives every part its one map of the province's
        # units, instead of a copy of thousands for each jurisdiction)
        self._units: Mapping[str, Unit] = units if isinstance(units, Mapping) else {u.name: u for u in units}
        self._plans = list(plans)
        # a public column counts toward nothing (engine.counting.BULLETINS)
        self._given = [r for r in records if counts(r) and (r.kind != "bulletin" or BULLETINS.holds(r))]
        self._pending = self._given if in_order else sorted(self._given, key=day_and_id)
        self._next = 0
        self._position: Cutoff | None = None
        self._reference: MemoryRegister | None = None
        self._filed = MemoryRegister((), (), self._plans)  # filed plans: no records
        # The whole register's bulletin issues per (jurisdiction, unit, year): the baseline is counted without a cut-off.
        self._issues_all: dict[tuple, int] = defaultdict(int)
        self._bulletin_ids_all: dict[str, list] = defaultdict(list)
        self._city_tally: dict[tuple, int] = defaultdict(int)  # (jurisdiction, None, year) -> the tallied, all units
        if tallied is not None:
            self._issues_all.update(tallied.bulletins)
            for (place, _unit, year), n in tallied.bulletins.items():
                self._city_tally[(place, None, year)] += n
            for key, n in self._city_tally.items():
                self._issues_all[key] += n
        for r in self._given:
            if r.kind == "bulletin":  # every bulletin given is one BULLETINS counts (the others were left out above)
                self._issues_all[(r.jurisdiction, r.unit, r.date.year)] += 1
                self._issues_all[(r.jurisdiction, None, r.date.year)] += 1
                self._bulletin_ids_all[r.id].append(r)
        # What the walk has taken in so far (every record strictly before the position).
        self._seen: dict[str, list] = defaultdict(list)  # id -> records taken in (to leave the asking one out)
        self._system: dict[tuple, list[str]] = defaultdict(list)  # (jurisdiction, unit, year) -> meeting ids
        self._comprehensive: dict[tuple, list[str]] = defaultdict(list)
        self._bulletins: dict[tuple, list] = defaultdict(list)  # (jurisdiction, unit, year) -> bulletins
        self._series: dict[tuple, dict[str, int]] = defaultdict(dict)  # (jurisdiction, unit, year) -> series -> issues
        self._routine: dict[tuple, list[tuple]] = defaultdict(list)  # (jurisdiction, unit) -> (date, id, RoutineMeeting)
        # (jurisdiction, subject) -> (id, ValidDocument) of the documents taken in and not yet expired, in the walk's
        # (date, id) order; the earliest `valid_until` among them (None: none expires) says when to look again.
        self._documents: dict[tuple, list[tuple]] = defaultdict(list)
        self._documents_expire: dict[tuple, date | None] = {}
        self._documents_on: dict[tuple, date] = {}  # the latest day a subject's expired documents were let go for

    # -- the walk ---------------------------------------------------------------------------------------------------
    def advance(self, position: Cutoff) -> None:
        """Take in every record strictly before `position` (positions never go back)."""
        if self._position is not None and position < self._position:
            raise ValueError(f"the walk went back from {self._position} to {position}")
        pending, i = self._pending, self._next
        while i < len(pending) and (pending[i].date, pending[i].id) < position:
            self._take(pending[i])
            i += 1
        self._next = i
        self._position = position

    def _take(self, record: Any) -> None:
        self._seen[record.id].append(record)
        place = (record.jurisdiction, record.unit)
        kind = record.kind  # each definition counts one kind: only that kind's are asked
        if kind == "meeting":
            if SYSTEM_MEETINGS.holds(record):
                self._system[(*place, record.date.year)].append(record.id)
            if ROUTINE_MEETINGS.holds(record):
                meeting = RoutineMeeting(record.id, record.date, frozenset(normalise_topic(t) for t in record.topics), record.title)
                self._routine[place].append((record.date, record.id, meeting))
        elif kind == "inspection":
            if COMPREHENSIVE_INSPECTIONS.holds(record):
                self._comprehensive[(*place, record.date.year)].append(record.id)
        elif kind == "bulletin":
            if BULLETINS.holds(record):
                year = (*place, record.date.year)
                self._bulletins[year].append(record)
                self._bulletins[(record.jurisdiction, None, record.date.year)].append(record)
                series = self._series[year]
                series[record.series] = series.get(record.series, 0) + 1
        elif DOCUMENTS.holds(record):
            subject = (record.jurisdiction, record.subject)
            self._documents[subject].append((record.id, ValidDocument(record.id, record.doc_no, record.valid_until, record.date)))
            until, soonest = record.valid_until, self._documents_expire.get(subject)
            if until is not None and (soonest is None or until < soonest):
                self._documents_expire[subject] = until

    def _tally(self, jurisdiction: str, unit: str, year: int, before: Cutoff) -> int:
        """The tallied bulletins of a unit's year that are before the cut-off (all of them or none: a cut-off falls
        on or after the day they end, or the question is about days the register was not read for)."""
        if self._tallied is None:
            return 0
        if before[0] < self._tallied.before:
            raise ValueError(f"the register was read from {self._tallied.before} on: a question cut off at {before[0]} cannot be answered")
        if unit is None:
            return self._city_tally.get((jurisdiction, None, year), 0)
        return self._tallied.bulletins.get((jurisdiction, unit, year), 0)

    def _fast(self, before: Cutoff | None) -> bool:
        return before is not None and before == self._position

    def reference(self) -> MemoryRegister:
        """The whole part as a `MemoryRegister`: for a question off the walk's position."""
        if self._reference is None:
            self._reference = MemoryRegister(self._units.values(), self._given, self._plans)
        return self._reference

    # -- the questions (RegisterView) -------------------------------------------------------------------------------
    def unit(self, name: str) -> Unit | None:
        return self._units.get(name)

    def filed_plan_item(self, jurisdiction, unit, year, item, on):
        return self._filed.filed_plan_item(jurisdiction, unit, year, item, on)

    def system_meetings(self, jurisdiction, unit, year, exclude, before):
        if not self._fast(before):
            return self.reference().system_meetings(jurisdiction, unit, year, exclude, before)
        ids = self._system.get((jurisdiction, unit, year), ())
        return [i for i in ids if i != exclude] if exclude in self._seen else list(ids)

    def comprehensive_inspections(self, jurisdiction, unit, year, exclude, before):
        if not self._fast(before):
            return self.reference().comprehensive_inspections(jurisdiction, unit, year, exclude, before)
        ids = self._comprehensive.get((jurisdiction, unit, year), ())
        return [i for i in ids if i != exclude] if exclude in self._seen else list(ids)

    def routine_meetings(self, jurisdiction, unit, start, end, exclude, before):
        if not self._fast(before):
            return self.reference().routine_meetings(jurisdiction, unit, start, end, exclude, before)
        taken = self._routine.get((jurisdiction, unit))
        if not taken:
            return []
        lo = bisect.bisect_left(taken, start, key=_day)
        hi = bisect.bisect_right(taken, end, key=_day)
        return [m for _, i, m in taken[lo:hi] if i != exclude]

    def valid_documents(self, jurisdiction, subject, on, exclude, before):
        key = (jurisdiction, subject)
        if not self._fast(before) or on < self._documents_on.get(key, on):
            return self.reference().valid_documents(jurisdiction, subject, on, exclude, before)
        taken = self._documents.get(key)
        if not taken:
            return []
        self._documents_on[key] = on
        soonest = self._documents_expire.get(key)
        if soonest is not None and soonest < on:
            # A document expired on `on` stays expired for every later day the walk asks about: let it go (looked
            # for only when the earliest expiry has passed, not on every question).
            taken = self._documents[key] = [entry for entry in taken if entry[1].valid_until is None or entry[1].valid_until >= on]
            self._documents_expire[key] = min((e[1].valid_until for e in taken if e[1].valid_until is not None), default=None)
        # Every document taken in is strictly before the position, so issued on or before `on`.
        return [doc for i, doc in taken if i != exclude]

    def bulletin_series(self, jurisdiction, unit, year, exclude, before):
        if not self._fast(before):
            return self.reference().bulletin_series(jurisdiction, unit, year, exclude, before)
        if exclude in self._seen:
            return {b.series for b in self._bulletins.get((jurisdiction, unit, year), ()) if b.id != exclude}
        return set(self._series.get((jurisdiction, unit, year), ()))

    def bulletin_issues(self, jurisdiction, unit, year, exclude, before):
        if before is None:
            count = self._issues_all.get((jurisdiction, unit, year), 0)
            same = self._bulletin_ids_all.get(exclude, ())
        elif self._fast(before):
            count = len(self._bulletins.get((jurisdiction, unit, year), ())) + self._tally(jurisdiction, unit, year, before)
            same = [r for r in self._seen.get(exclude, ()) if BULLETINS.holds(r)]
        else:
            return self.reference().bulletin_issues(jurisdiction, unit, year, exclude, before) + self._tally(jurisdiction, unit, year, before)
        for record in same:
            if record.jurisdiction == jurisdiction and (unit is None or record.unit == unit) and record.date.year == year:
                count -= 1
        return count
