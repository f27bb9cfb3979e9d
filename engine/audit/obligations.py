"""The yearly obligations of the packs (`obligations:`), checked against one unit's records of the year.

An obligation counts the records it names (kind, and a keyword in the title, a topic or a bulletin's series) in each
period of the year — a year, a quarter, an ISO week — for which it is in force on the period's last day (an
obligation is due at the end of its period), or, with `closed_by`, requires each counted record to be closed by a
later record of the unit that names it. Minimum and period are parameters read on each period's last day.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Callable, Sequence

from ..errors import NoPackInForce
from ..messages import PERIOD_ZH, render
from ..packs import Obligation, Stack

@dataclass(frozen=True)
class Period:
    start: date
    end: date
    label: str  # 2019年, 2019年第2季度, 2019年第14周


@dataclass
class ObligationResult:
    id: str
    title: str
    article: str
    source: str
    text: str
    reading: str
    met: bool
    minimum: int | None
    period: str | None
    found: int
    missing: list[str] = field(default_factory=list)
    message: str = ""
    message_en: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "article": self.article,
            "source": self.source,
            "met": self.met,
            "minimum": self.minimum,
            "period": self.period,
            "found": self.found,
            "missing": list(self.missing),
            "message": self.message,
            "message_en": self.message_en,
            "reading": self.reading,
        }


def periods(kind: str, year: int) -> list[Period]:
    """The periods of a year: the year itself, its four quarters, or its ISO weeks (Monday to Sunday; a week
    belongs to the year of its Thursday)."""
    if kind == "year":
        return [Period(date(year, 1, 1), date(year, 12, 31), f"{year}年")]
    months = {"half_year": 6, "quarter": 3, "two_months": 2, "month": 1}.get(kind)
    if months is not None:
        out = []
        for i in range(12 // months):
            start = date(year, months * i + 1, 1)
            end = (date(year, months * (i + 1) + 1, 1) if months * (i + 1) < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
            label = {"half_year": f"{year}年{'上' if i == 0 else '下'}半年", "quarter": f"{year}年第{i + 1}季度",
                     "two_months": f"{year}年{start.month}-{end.month}月", "month": f"{year}年{start.month}月"}[kind]
            out.append(Period(start, end, label))
        return out
    if kind == "week":
        weeks = date(year, 12, 28).isocalendar().week
        out = []
        for w in range(1, weeks + 1):
            start = date.fromisocalendar(year, w, 1)
            out.append(Period(start, start + timedelta(days=6), f"{year}年第{w}周（{start:%m-%d}起）"))
        return out
    raise ValueError(f"unknown period {kind!r}")


StackAt = Callable[[date], Stack]


def check_obligations(
    stack_at: StackAt, unit: Any, records: Sequence[Any], year: int, as_of: date | None = None, matched: dict | None = None
) -> tuple[list[ObligationResult], str | None]:
    """The obligations binding `unit` (a `Unit`) in `year`, met or missed, from the unit's counting records
    (any year, sorted by date). Returns the results and, when no pack is in force at the year's end, the reason.

    `as_of` (the quarterly review, 004 art. 18): only the periods that have ended by then count, and an obligation
    with none ended (a yearly one before 31 December) is not yet due and not listed.

    `matched`, when given, is where what is found once per unit (the obligations binding it, the records each one
    counts) is kept between calls for the same unit and records, one for each review day: each call then counts
    only the records up to its `as_of`, as if `records` had been cut at that day (a quarter's review closes nothing:
    closures are reviewed with the year)."""
    end = date(year, 12, 31) if as_of is None else min(as_of, date(year, 12, 31))
    try:
        stack = stack_at(end)
    except NoPackInForce as exc:
        return [], str(exc)
    out = []
    for obligation in _binding(stack, unit, matched):
        if obligation.closed_by is not None:
            if end == date(year, 12, 31):  # closures are owed by a day of their own: reviewed with the year
                out.append(_closed(obligation, stack_at, unit, records, year))
        else:
            result = _counted(obligation, stack_at, unit, records, year, as_of, matched)
            if result is not None:
                out.append(result)
    return out, None


def _closed(obligation: Obligation, stack_at: StackAt, unit: Any, records: Sequence[Any], year: int) -> ObligationResult:
    """Each counted record closed by a record naming it (004 art. 13's 销号). With `within` (days, read on the
    record's date), a record is owed its closure by that many days after it and is checked in the audit of the year
    that day falls in; without, by the end of its own year. A record saying there is nothing to close owes nothing."""
    rule = obligation.closed_by
    end = date(year, 12, 31)

    def due(record: Any) -> date:
        if rule.within is None:
            return date(record.date.year, 12, 31)
        try:
            days = int(stack_at(record.date).parameters[rule.within].at(record.date))
        except (NoPackInForce, KeyError):
            days = int(stack_at(end).parameters[rule.within].at(end))
        return record.date + timedelta(days=days)

    def nothing_to_close(record: Any) -> bool:
        return any(w in record.title or any(w in t for t in record.topics) for w in rule.unless)

    counted = [r for r in records if obligation.counts.matches(r) and not nothing_to_close(r)]
    counted = [(r, due(r)) for r in counted]
    counted = [(r, by) for r, by in counted if by.year == year]
    closers = [r for r in records if rule.records.matches(r)]
    missing = []
    for record, by in counted:
        if not any(getattr(c, rule.link, None) == record.id and record.date <= c.date <= by for c in closers):
            missing.append(f"{record.id}（{record.date}，{record.title or record.kind}）到{by}未销号")
    return _result(obligation, unit, year, None, None, len(counted), missing)


def _binding(stack: Stack, unit: Any, matched: dict | None) -> list[Obligation]:
    """The obligations of the stack that bind the unit (kept in `matched`, when given, for the next review day)."""
    kept = matched.get(("binding", id(stack))) if matched is not None else None
    if kept is None or kept[0] is not stack:
        kept = (stack, [o for o in stack.obligations if any(k.binds(unit) for k in o.applies_to)])
        if matched is not None:
            matched[("binding", id(stack))] = kept
    return kept[1]


def _matching(selector: Any, records: Sequence[Any], up_to: date | None, matched: dict | None) -> list[Any]:
    """The records (sorted by date) a selector matches: all of them, or, when `matched` keeps them found once per
    unit, those up to the day."""
    if matched is None:
        return [r for r in records if selector.matches(r)]
    kept = matched.get(id(selector))
    if kept is None or kept[0] is not selector:  # the selector is kept beside its records: its id is no other's
        kept = matched[id(selector)] = (selector, [r for r in records if selector.matches(r)])
    found = kept[1]
    return found if up_to is None else found[:bisect_right(found, up_to, key=_day)]


def _day(record: Any) -> date:
    return record.date


def _counted(obligation: Obligation, stack_at: StackAt, unit: Any, records: Sequence[Any], year: int,
             as_of: date | None = None, matched: dict | None = None) -> ObligationResult | None:
    """None when no period of the obligation has ended by `as_of` (without it, every period of the year counts,
    an ISO week reaching into January too)."""
    end = date(year, 12, 31) if as_of is None else min(as_of, date(year, 12, 31))
    stack = stack_at(end)
    period_kind = stack.parameters[obligation.period].at(end)
    minimum_now = stack.parameters[obligation.minimum].at(end)
    matching = _matching(obligation.counts, records, as_of, matched)
    in_year = [r for r in matching if r.date.year == year]
    tasks: list[str | None] = [None]
    if obligation.per_task == "leads":
        # 004 art. 39 (issue 13's reading): owed per major task the unit leads, as the register records it; a
        # meeting works on a task when one of its topics names it. A unit leading no task owes nothing.
        tasks = list(dict.fromkeys(getattr(unit, "leads", None) or ()))
    elif obligation.per_task:
        named = sorted({t for r in in_year for t in r.topics if not any(k in t for k in obligation.counts.keywords)})
        tasks = named or [None]
    missing = []
    ended = [period for period in periods(period_kind, year) if as_of is None or period.end <= as_of]
    if not ended:
        return None
    for period in ended if tasks else ():
        try:
            in_force = stack_at(period.end)
        except NoPackInForce:
            in_force = None
        if obligation.periods_counted == "most_days":
            if not _in_force_most_days(obligation, stack_at, period):
                continue
            if in_force is None:
                in_force = stack_at(period.start)
        elif in_force is None or not any(o.id == obligation.id for o in in_force.obligations):
            continue
        try:
            minimum = int(in_force.parameters[obligation.minimum].at(period.end))
        except KeyError:
            continue
        within = [r for r in matching if period.start <= r.date <= period.end]
        for task in tasks:
            found = sum(1 for r in within if task is None or task in r.topics)
            if obligation.per_task == "leads":
                found = sum(1 for r in within if any(task in t for t in r.topics))
            if found < minimum:
                what = f"{period.label}" + (f"「{task}」" if task else "")
                missing.append(f"{what} {found}/{minimum}")
    return _result(obligation, unit, year, int(minimum_now), str(period_kind), len(in_year), missing)


def _in_force_most_days(obligation: Obligation, stack_at: StackAt, period: Period) -> bool:
    """Whether the obligation is in force on more than half of the period's days. The answer changes only on a day a
    pack starts or stops, so it is asked once for each stretch between such days, not day by day."""
    days = (period.end - period.start).days + 1
    changes = {period.start}
    for on in (period.start, period.end):
        try:
            for loaded in stack_at(on).chain:
                effective = loaded.pack.effective
                changes.add(effective.from_)
                if effective.until is not None:
                    changes.add(effective.until + timedelta(days=1))
        except NoPackInForce:
            pass
    starts = sorted(d for d in changes if period.start <= d <= period.end)
    covered = 0
    for i, start in enumerate(starts):
        stop = starts[i + 1] if i + 1 < len(starts) else period.end + timedelta(days=1)
        try:
            if any(o.id == obligation.id for o in stack_at(start).obligations):
                covered += (stop - start).days
        except NoPackInForce:
            pass
    return covered * 2 > days


def _result(obligation: Obligation, unit: Any, year: int, minimum, period, found: int, missing: list[str]) -> ObligationResult:
    met = not missing
    message = message_en = ""
    if not met:
        context = {"unit": unit.name, "year": year, "minimum": minimum, "period": PERIOD_ZH.get(period or "", period), "found": found, "missing": missing}
        message = render(obligation.message.zh, context, "zh")
        message_en = render(obligation.message.en, {**context, "period": period}, "en")
    quoted = {name: getattr(obligation, name) for name in _QUOTED}
    return ObligationResult(**quoted, met=met, minimum=minimum, period=period, found=found, missing=missing, message=message, message_en=message_en)


_QUOTED = ("id", "title", "article", "source", "text", "reading")
"""What a result repeats of its obligation as the pack gives it."""
