"""The yearly obligations of the packs (`obligations:`), checked against one unit's records of the year.

An obligation counts the records it names (kind, and a keyword in the title, a topic or a bulletin's series) in each
period of the year — a year, a quarter, an ISO week — for which it is in force on the period's last day (an
obligation is due at the end of its period), or, with `closed_by`, requires each counted record to be closed by a
later record of the unit that names it. Minimum and period are parameters read on each period's last day.
"""

from __future__ import annotations

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
    if kind == "quarter":
        out = []
        for q in range(4):
            start = date(year, 3 * q + 1, 1)
            end = (date(year, 3 * q + 4, 1) if q < 3 else date(year + 1, 1, 1)) - timedelta(days=1)
            out.append(Period(start, end, f"{year}年第{q + 1}季度"))
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
    stack_at: StackAt, unit: Any, records: Sequence[Any], year: int, as_of: date | None = None
) -> tuple[list[ObligationResult], str | None]:
    """The obligations binding `unit` (a `Unit`) in `year`, met or missed, from the unit's counting records
    (any year, sorted by date). Returns the results and, when no pack is in force at the year's end, the reason.

    `as_of` (the quarterly review, 004 art. 18): only the periods that have ended by then count, and an obligation
    with none ended (a yearly one before 31 December) is not yet due and not listed."""
    end = date(year, 12, 31) if as_of is None else min(as_of, date(year, 12, 31))
    try:
        stack = stack_at(end)
    except NoPackInForce as exc:
        return [], str(exc)
    out = []
    for obligation in stack.obligations:
        if not any(k.type == unit.type and k.level == unit.level for k in obligation.applies_to):
            continue
        if obligation.closed_by is not None:
            if end == date(year, 12, 31):
                out.append(_closed(obligation, unit, records, year))
        else:
            result = _counted(obligation, stack_at, unit, records, year, as_of)
            if result is not None:
                out.append(result)
    return out, None


def _closed(obligation: Obligation, unit: Any, records: Sequence[Any], year: int) -> ObligationResult:
    end = date(year, 12, 31)
    counted = [r for r in records if r.date.year == year and obligation.counts.matches(r)]
    closing = obligation.closed_by.records
    link = obligation.closed_by.link
    closers = [r for r in records if r.date <= end and closing.matches(r)]
    missing = []
    for record in counted:
        if not any(getattr(c, link, None) == record.id and c.date >= record.date for c in closers):
            missing.append(f"{record.id}（{record.date}，{record.title or record.kind}）未销号")
    return _result(obligation, unit, year, None, None, len(counted), missing)


def _counted(obligation: Obligation, stack_at: StackAt, unit: Any, records: Sequence[Any], year: int,
             as_of: date | None = None) -> ObligationResult | None:
    """None when no period of the obligation has ended by `as_of` (without it, every period of the year counts,
    an ISO week reaching into January too)."""
    end = date(year, 12, 31) if as_of is None else min(as_of, date(year, 12, 31))
    stack = stack_at(end)
    period_kind = stack.parameters[obligation.period].at(end)
    minimum_now = stack.parameters[obligation.minimum].at(end)
    matching = [r for r in records if obligation.counts.matches(r)]
    in_year = [r for r in matching if r.date.year == year]
    tasks: list[str | None] = [None]
    if obligation.per_task:
        named = sorted({t for r in in_year for t in r.topics if not any(k in t for k in obligation.counts.keywords)})
        tasks = named or [None]
    missing = []
    ended = [period for period in periods(period_kind, year) if as_of is None or period.end <= as_of]
    if not ended:
        return None
    for period in ended:
        try:
            in_force = stack_at(period.end)
        except NoPackInForce:
            continue
        if not any(o.id == obligation.id for o in in_force.obligations):
            continue
        try:
            minimum = int(in_force.parameters[obligation.minimum].at(period.end))
        except KeyError:
            continue
        within = [r for r in matching if period.start <= r.date <= period.end]
        for task in tasks:
            found = sum(1 for r in within if task is None or task in r.topics)
            if found < minimum:
                what = f"{period.label}" + (f"「{task}」" if task else "")
                missing.append(f"{what} {found}/{minimum}")
    return _result(obligation, unit, year, int(minimum_now), str(period_kind), len(in_year), missing)


def _result(obligation: Obligation, unit: Any, year: int, minimum, period, found: int, missing: list[str]) -> ObligationResult:
    met = not missing
    message = message_en = ""
    if not met:
        context = {"unit": unit.name, "year": year, "minimum": minimum, "period": PERIOD_ZH.get(period or "", period), "found": found, "missing": missing}
        message = render(obligation.message.zh, context, "zh")
        message_en = render(obligation.message.en, {**context, "period": period}, "en")
    return ObligationResult(
        id=obligation.id,
        title=obligation.title,
        article=obligation.article,
        source=obligation.source,
        text=obligation.text,
        reading=obligation.reading,
        met=met,
        minimum=minimum,
        period=period,
        found=found,
        missing=missing,
        message=message,
        message_en=message_en,
    )
