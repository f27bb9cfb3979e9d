"""额度 (quota): what a unit has used and has left of every counted limit in force for it, and where its yearly
obligations stand, as of a day: the answer before the request, not after it.

Nothing here knows which limits exist. A pack's counted rule says, in its `quota:`, which register fact counts
what the unit already has and which parameter (or fact) limits it; the quota builds the request the limit is about
(`quota.request`, dated the day asked about), asks the engine whether the rule applies to it, and reads the counted
fact through the same providers a screening uses. A new pack's limits appear without code.

The limits count what a screening on that day would count: every record of the year in the register, later ones
already approved included (an approved meeting in November has used the year's one meeting in September). The
obligations count only what is dated up to the day, in the period the day falls in, with the days left to its end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterable, Sequence

from pydantic import TypeAdapter

from .audit.obligations import Period, periods
from .decide import Engine
from .errors import FieldError, InvalidInput
from .facts import FactContext, compute, providers_for
from .packs import Obligation, Rule, Stack
from .counting import counts
from .records import Unit
from .register import RegisterView
from .requests import Request

PROBE_ID = "额度测算"
"""The id of the request a quota asks about: never a record's (a request never counts against itself)."""

_REQUEST = TypeAdapter(Request)


def probe(rule: Rule, jurisdiction: str, unit: str, on: date) -> Any:
    """The request the rule's limit is about, of `unit` on `on` (a ValidationError when the pack's fields do not
    make one: the pack loader reports it)."""
    fields = dict(rule.quota.request)
    fields.update(id=PROBE_ID, kind=rule.kind, jurisdiction=jurisdiction, unit=unit, date=on)
    return _REQUEST.validate_python(fields)


@dataclass(frozen=True)
class Limit:
    rule: str
    clause: str
    title: str
    used: int
    limit: int
    ids: list[str]

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "clause": self.clause, "used": self.used, "limit": self.limit, "left": self.left, "ids": list(self.ids)}


@dataclass(frozen=True)
class Progress:
    id: str
    clause: str
    title: str
    period: str
    due: int
    met: int
    days_left: int
    ids: list[str] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return max(0, self.due - self.met)

    @property
    def missed(self) -> bool:
        """The period has come to its last day with something still missing."""
        return self.missing > 0 and self.days_left == 0

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "clause": self.clause, "period": self.period, "due": self.due, "met": self.met,
                "missing": self.missing, "days_left": self.days_left}


@dataclass(frozen=True)
class Quota:
    unit: str
    year: int
    as_of: date
    limits: list[Limit]
    obligations: list[Progress]

    @property
    def exhausted(self) -> bool:
        """A limit with nothing left, or an obligation missed: what `jianfu quota` exits 1 for."""
        return any(limit.left == 0 for limit in self.limits) or any(o.missed for o in self.obligations)

    def as_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "year": self.year, "as_of": self.as_of.isoformat(),
                "limits": [limit.as_dict() for limit in self.limits], "obligations": [o.as_dict() for o in self.obligations]}


def default_as_of(year: int, today: date | None = None) -> date:
    """Today when it falls in the year; otherwise the year's first or last day, whichever is nearer."""
    today = today or date.today()
    return min(max(today, date(year, 1, 1)), date(year, 12, 31))


def quota(engine: Engine, unit: Unit, year: int, as_of: date | None, register: RegisterView, records: Iterable[Any]) -> Quota:
    """The unit's quota in `year` as of `as_of` (default: `default_as_of`). `register` answers the limits' questions;
    `records` are the register's records (the unit's are picked out) for the obligations. Raises `InvalidInput`
    for a day outside the year and `NoPackInForce` when no pack is in force for the unit on the day."""
    records = list(records)
    on = as_of or default_as_of(year)
    if on.year != year:
        raise InvalidInput([FieldError(("--as-of",), f"日期 {on} 不在 {year} 年内", f"{on} is not in {year}")])
    jurisdiction = unit.jurisdiction or _jurisdiction_of(unit.name, records)
    if jurisdiction is None:
        raise InvalidInput([FieldError(("unit",), f"单位 {unit.name} 没有所属地区，无法确定规则包", f"unit {unit.name} has no jurisdiction: no pack can be chosen")])
    stack = engine.catalog.stack_for(jurisdiction, on)
    limits = _limits(engine, stack, jurisdiction, unit.name, on, register)
    mine = sorted((r for r in records if r.unit == unit.name and counts(r) and r.date <= on), key=lambda r: (r.date, r.id))
    obligations = [_progress(o, stack, unit, mine, year, on) for o in stack.obligations if any(k.binds(unit) for k in o.applies_to)]
    return Quota(unit.name, year, on, limits, obligations)


def _jurisdiction_of(name: str, records: Iterable[Any]) -> str | None:
    """The jurisdiction of the unit's records; for a unit without any, the register's when it holds one city only
    (as the audit reads it)."""
    places = set()
    for record in records:
        if record.unit == name:
            return record.jurisdiction
        places.add(record.jurisdiction)
    return next(iter(places)) if len(places) == 1 else None


def _limits(engine: Engine, stack: Stack, jurisdiction: str, unit: str, on: date, register: RegisterView) -> list[Limit]:
    params = stack.params_at(on)
    out = []
    for rule in stack.rules:
        if rule.quota is None:
            continue
        request = probe(rule, jurisdiction, unit, on)
        decision = engine.decide(request, register, on)
        if rule.id in decision.not_applicable:
            continue  # e.g. the bulletin cut in a year it does not name
        q = rule.quota
        names = {q.counts} | ({q.ids} if q.ids else set()) | ({q.limit.fact} if q.limit.fact else set())
        values = compute(FactContext(request, register, params), providers_for(names))
        used = int(values[q.counts]) - (1 if q.includes_request else 0)
        limit = int(values[q.limit.fact]) if q.limit.fact else int(params[q.limit.param])
        ids = [str(i) for i in values.get(q.ids, [])] if q.ids else []
        out.append(Limit(rule.id, rule.article, rule.title, used, limit, ids))
    return out


def _current(kind: str, year: int, on: date) -> Period:
    """The period of the year that `on` falls in (an ISO week straddling New Year: the week holding the day)."""
    for period in periods(kind, year) + (periods(kind, year + 1)[:1] if kind == "week" else []):
        if period.start <= on <= period.end:
            return period
    if kind == "week":  # the first days of January in the last ISO week of the year before
        start = on - timedelta(days=on.weekday())
        return Period(start, start + timedelta(days=6), f"{year}年第1周前（{start:%m-%d}起）")
    raise ValueError(f"{on} outside {year}")


def _progress(obligation: Obligation, stack: Stack, unit: Unit, records: Sequence[Any], year: int, on: date) -> Progress:
    """Where the unit stands in the obligation's current period, read as the audit reads it
    (engine/audit/obligations.py): the same records, the same tasks, the same closure window."""
    counted = [r for r in records if obligation.counts.matches(r)]
    if obligation.closed_by is not None:
        # Every counted record of the year so far that has something to close (art. 13: nothing found, nothing owed),
        # each closed by a later one naming it, within the closure window when the pack sets one.
        rule = obligation.closed_by
        end = date(year, 12, 31)
        window = int(stack.parameters[rule.within].at(on)) if rule.within else None
        in_year = [r for r in counted if r.date.year == year
                   and not any(w in r.title or any(w in x for x in r.topics) for w in rule.unless)]
        closers = [r for r in records if rule.records.matches(r)]
        link = rule.link
        closed = [r for r in in_year if any(getattr(c, link, None) == r.id and r.date <= c.date
                                            and (window is None or c.date <= r.date + timedelta(days=window)) for c in closers)]
        return Progress(obligation.id, obligation.article, obligation.title, f"{year}年", len(in_year), len(closed),
                        (end - on).days, [r.id for r in closed])
    kind = str(stack.parameters[obligation.period].at(on))
    minimum = int(stack.parameters[obligation.minimum].at(on))
    period = _current(kind, year, on)
    within = [r for r in counted if period.start <= r.date <= period.end]
    if obligation.per_task == "leads":
        # art. 39: owed for each major task the unit leads (the register's `leads`); a meeting works on a task when a
        # topic names it. A unit that leads none owes nothing.
        tasks = list(dict.fromkeys(unit.leads or ()))
        due = minimum * len(tasks)
        met = sum(min(minimum, sum(1 for r in within if any(task in x for x in r.topics))) for task in tasks)
    elif obligation.per_task:
        # The tasks are the other topics of its matching records of the year so far; none named: one task.
        in_year = [r for r in counted if r.date.year == year]
        tasks = sorted({t for r in in_year for t in r.topics if not any(k in t for k in obligation.counts.keywords)}) or [None]
        due = minimum * len(tasks)
        met = sum(min(minimum, sum(1 for r in within if task is None or task in r.topics)) for task in tasks)
    else:
        due, met = minimum, min(minimum, len(within))
    return Progress(obligation.id, obligation.article, obligation.title, period.label, due, met, (period.end - on).days,
                    [r.id for r in within])


__all__ = ["Limit", "Progress", "Quota", "default_as_of", "probe", "quota"]
