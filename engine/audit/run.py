"""The audit walk: the year's records in date order, each decided with the packs in force on its own date and
counted only against the records before it (`before=(date, id)`), exactly as it would have been screened.

What counts is the register's own rule (approved, held, issued, filed; never cancelled or rejected). A record whose
jurisdiction has no pack in force on its date is reported as not checked, with the reason: never as compliant.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import tempfile
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Sequence

from ..decide import Engine, built_finding
from ..decisions import Finding, PackRef
from ..errors import AuditIncomplete, EvaluationError, FieldError, NoPackInForce
from ..facts import cut_achieved
from ..records import COUNTING_STATUSES, FiledPlan, StoredRecord, Unit
from ..register import day_and_id, is_onsite_office_meeting
from .obligations import ObligationResult, check_obligations
from .running import RunningRegister, Tallied

LIGHTS = ("green", "yellow", "red", "grey")
YEARS = (1900, 2200)  # the years an audit may name: a slip such as 219 or 20199 is refused, not audited as empty


def implausible_years(*named: tuple[str, int | None]) -> list[FieldError]:
    """An error for each (field, year) outside YEARS, the field named as the caller's user knows it."""
    low, high = YEARS
    return [FieldError((name,), f"年度 {value} 不合理（应在 {low}–{high} 之间）", f"implausible year {value} (expected {low}-{high})")
            for name, value in named if value is not None and not low <= value <= high]


LIGHT_ZH = {"green": "绿灯", "yellow": "黄灯", "red": "红灯", "grey": "未核查"}
Progress = Callable[[int, int], None]


@dataclass(slots=True)
class RecordFindings:
    """One record with the findings of one severity: SPEC's findings, as the decision gave them."""

    record_id: str
    unit: str
    kind: str
    date: date
    findings: list[Finding]

    def as_dict(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "unit": self.unit,
            "kind": self.kind,
            "date": self.date.isoformat(),
            "findings": [f.model_dump(mode="json") for f in self.findings],
        }


@dataclass(slots=True)
class NotChecked:
    record_id: str
    unit: str
    kind: str
    date: date
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"record_id": self.record_id, "unit": self.unit, "kind": self.kind, "date": self.date.isoformat(), "reason": self.reason}


def light_of(violation: bool, missed: bool, advice: bool, unchecked: bool) -> str:
    """亮灯 (004 art. 18): red for a violation or a missed obligation, yellow for advice only, green otherwise;
    grey when something could not be checked (no pack in force), never green for what was not looked at."""
    if violation or missed:
        return "red"
    if advice:
        return "yellow"
    if unchecked:
        return "grey"
    return "green"


def quarter_ends(year: int) -> tuple[date, ...]:
    return (date(year, 3, 31), date(year, 6, 30), date(year, 9, 30), date(year, 12, 31))


def review_days(year: int, as_of: date | None) -> list[date]:
    """The days the quarterly lights are shown for: each quarter's end up to the review, and the review's day."""
    last = as_of or date(year, 12, 31)
    days = [d for d in quarter_ends(year) if d <= last]
    return days if last in days else days + [last]


@dataclass
class UnitAudit:
    unit: str
    jurisdiction: str | None
    type: str | None
    level: str | None
    documents: int = 0
    system_meetings: int = 0
    onsite_office_meetings: int = 0
    other_meetings: int = 0
    inspections: Counter = field(default_factory=Counter)  # by type
    bulletin_series: set[str] = field(default_factory=set)
    bulletin_issues: int = 0
    baseline_issues: int = 0
    bulletin_target: float | None = None
    violations_by_article: Counter = field(default_factory=Counter)
    violations: int = 0  # records with a blocking finding
    advice: int = 0  # records with advice only or advice too
    waivers: int = 0
    checked: int = 0
    not_checked: int = 0
    obligations: list[ObligationResult] = field(default_factory=list)
    obligations_not_checked: str | None = None
    # The quarterly lights (004 art. 18): the first day a violation, advice or a record not checked appeared, and for
    # each quarter's end reviewed, whether an obligation was missed by then or could not be checked.
    first_violation: date | None = None
    first_advice: date | None = None
    first_not_checked: date | None = None
    reviews: list[tuple[date, bool, bool]] = field(default_factory=list)

    def absorb(self, other: "UnitAudit") -> None:
        """A unit seen in two parts (records under two jurisdictions): its counts add up, the later part's
        obligations stand, as in a serial walk."""
        for name in ("documents", "system_meetings", "onsite_office_meetings", "other_meetings", "bulletin_issues", "baseline_issues",
                     "violations", "advice", "waivers", "checked", "not_checked"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.inspections.update(other.inspections)
        self.violations_by_article.update(other.violations_by_article)
        self.bulletin_series |= other.bulletin_series
        self.obligations, self.obligations_not_checked = other.obligations, other.obligations_not_checked
        self.bulletin_target = other.bulletin_target
        for name in ("first_violation", "first_advice", "first_not_checked"):
            setattr(self, name, min((d for d in (getattr(self, name), getattr(other, name)) if d is not None), default=None))
        self.reviews = other.reviews

    @property
    def bulletin_cut(self) -> float:
        return cut_achieved(self.baseline_issues, self.bulletin_issues)

    @property
    def bulletin_met(self) -> bool | None:
        if self.bulletin_target is None:
            return None
        return self.bulletin_issues == 0 or self.bulletin_cut >= self.bulletin_target

    @property
    def obligations_missed(self) -> list[ObligationResult]:
        return [o for o in self.obligations if not o.met]

    @property
    def light(self) -> str:
        """亮灯 (004 art. 18): red for a violation or a missed obligation, yellow for advice only, green otherwise;
        grey when something could not be checked (no pack in force), never green for what was not looked at."""
        return light_of(self.violations > 0, bool(self.obligations_missed), self.advice > 0, bool(self.not_checked or self.obligations_not_checked))

    def lights_by_quarter(self) -> list[dict[str, Any]]:
        """The light at the end of each quarter reviewed (and on the review's own day when it ends no quarter):
        what was found up to that day and the obligations of the periods ended by then."""
        out = []
        for day, missed, unchecked in self.reviews:
            def by(first: date | None) -> bool:
                return first is not None and first <= day
            light = light_of(by(self.first_violation), missed, by(self.first_advice), by(self.first_not_checked) or unchecked)
            label = f"Q{(day.month - 1) // 3 + 1}" if day in quarter_ends(day.year) else day.isoformat()
            out.append({"quarter": label, "as_of": day.isoformat(), "light": light})
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "jurisdiction": self.jurisdiction,
            "type": self.type,
            "level": self.level,
            "documents": self.documents,
            "meetings": {"citywide_system": self.system_meetings, "onsite_office": self.onsite_office_meetings, "other": self.other_meetings},
            "inspections": {"comprehensive": self.inspections["comprehensive"], "other": self.inspections["special"] + self.inspections["ad_hoc"],
                            "special": self.inspections["special"], "ad_hoc": self.inspections["ad_hoc"]},
            "bulletins": {"series": sorted(self.bulletin_series), "series_count": len(self.bulletin_series), "baseline_issues": self.baseline_issues,
                          "issues": self.bulletin_issues, "cut": self.bulletin_cut, "target": self.bulletin_target, "met": self.bulletin_met},
            "violations": self.violations,
            "violations_by_article": dict(sorted(self.violations_by_article.items(), key=lambda kv: _article_order(kv[0]))),
            "advice": self.advice,
            "waivers": self.waivers,
            "records_checked": self.checked,
            "records_not_checked": self.not_checked,
            "obligations": [o.as_dict() for o in self.obligations],
            "obligations_not_checked": self.obligations_not_checked,
            "light": self.light,
            "lights_by_quarter": self.lights_by_quarter(),
        }


@dataclass
class Audit:
    year: int
    baseline_year: int
    units: list[UnitAudit]
    violations: list[RecordFindings]
    advice: list[RecordFindings]
    waivers: list[RecordFindings]
    not_checked: list[NotChecked]
    packs: list[PackRef]
    records_in_year: int
    parameters: dict[str, Any] = field(default_factory=dict)  # what-if overrides
    as_of: date | None = None  # the quarterly review: the year up to this day

    def unit(self, name: str) -> UnitAudit:
        return next(u for u in self.units if u.unit == name)

    # -- city totals ---------------------------------------------------------------------------------------------
    @property
    def baseline_issues(self) -> int:
        return sum(u.baseline_issues for u in self.units)

    @property
    def bulletin_issues(self) -> int:
        return sum(u.bulletin_issues for u in self.units)

    @property
    def bulletin_cut(self) -> float:
        return cut_achieved(self.baseline_issues, self.bulletin_issues)

    @property
    def bulletin_target(self) -> float | None:
        """The target of the packs (20%): the one most units are held to (a register normally holds one city)."""
        targets = Counter(u.bulletin_target for u in self.units if u.bulletin_target is not None)
        return targets.most_common(1)[0][0] if targets else None

    @property
    def bulletin_met(self) -> bool | None:
        target = self.bulletin_target
        if target is None:
            return None
        return self.bulletin_issues == 0 or self.bulletin_cut >= target

    def meetings(self) -> dict[str, int]:
        return {
            "citywide_system": sum(u.system_meetings for u in self.units),
            "onsite_office": sum(u.onsite_office_meetings for u in self.units),
            "other": sum(u.other_meetings for u in self.units),
        }

    def inspections(self) -> dict[str, int]:
        total: Counter = Counter()
        for u in self.units:
            total.update(u.inspections)
        return {kind: total[kind] for kind in ("comprehensive", "special", "ad_hoc")}

    def violations_by_article(self) -> dict[str, int]:
        total: Counter = Counter()
        for u in self.units:
            total.update(u.violations_by_article)
        return dict(sorted(total.items(), key=lambda kv: _article_order(kv[0])))

    def lights(self) -> dict[str, int]:
        counts = Counter(u.light for u in self.units)
        return {light: counts[light] for light in LIGHTS}

    def as_dict(self) -> dict[str, Any]:
        """The report's JSON (issue 4's contract: year, baseline_year, bulletins, units, violations, packs …)."""
        bulletin_units = [u for u in self.units if u.baseline_issues or u.bulletin_issues]
        return {
            "year": self.year,
            "baseline_year": self.baseline_year,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "parameters": dict(self.parameters),
            "records_in_year": self.records_in_year,
            "records_checked": sum(u.checked for u in self.units),
            "records_not_checked": len(self.not_checked),
            "bulletins": {
                "baseline_issues": self.baseline_issues,
                "issues": self.bulletin_issues,
                "cut": self.bulletin_cut,
                "target": self.bulletin_target,
                "met": self.bulletin_met,
                "units": [
                    {"unit": u.unit, "baseline_issues": u.baseline_issues, "issues": u.bulletin_issues, "cut": u.bulletin_cut, "met": u.bulletin_met}
                    for u in bulletin_units
                ],
            },
            "documents": sum(u.documents for u in self.units),
            "meetings": self.meetings(),
            "inspections": self.inspections(),
            "violations_by_article": self.violations_by_article(),
            "lights": self.lights(),
            "units": [u.as_dict() for u in self.units],
            "violations": [v.as_dict() for v in self.violations],
            "advice": [a.as_dict() for a in self.advice],
            "waivers": [w.as_dict() for w in self.waivers],
            "not_checked": [n.as_dict() for n in self.not_checked],
            "packs": [p.model_dump(mode="json") for p in self.packs],
        }


def _article_order(article: str) -> tuple:
    return (0, int(article), "") if article.isdigit() else (1, 0, article)


Part = tuple  # (records, filed plans) or (records, filed plans, Tallied): see `audit`


def audit(
    engine: Engine,
    units: Iterable[Unit],
    records: Iterable[Any] = (),
    plans: Iterable[FiledPlan] = (),
    year: int = 2019,
    baseline_year: int | None = None,
    progress: Progress | None = None,
    parameters: dict[str, Any] | None = None,
    parts: Iterable[Part] | None = None,
    total: int | None = None,
    loaders: Sequence[Callable[[], Part]] | None = None,
    workers: int = 1,
    as_of: date | None = None,
) -> Audit:
    """Audit `year` of the register given as its units, records and filed plans (records of earlier years are what
    the rules count; the baseline year gives the bulletin cut).

    A large register comes as `parts` instead: (records, plans) each holding every record of one or more whole
    jurisdictions. Every question the rules ask stays within a jurisdiction, so each part is audited on its own and
    let go, and memory stays that of the largest city, not of the province. A part may hold only what the year's
    questions can reach (records from `running.read_from` on, documents still valid, earlier bulletins counted in a
    `Tallied`) as its third element. `total` (the year's records) sizes the
    progress bar. `loaders` are the parts as callables a worker process can run on its own; with `workers` > 1 they
    are audited side by side (forked processes: the compiled rulesets are inherited) and merged in their order, so
    the result is the serial one.

    `as_of` (the quarterly review, 004 art. 18): the year up to that day, as it stood then: records after it do not
    exist yet, and an obligation counts only for the periods ended by then.
    """
    # The walk allocates millions of objects and keeps the findings: the cyclic collector would scan the growing
    # report again and again (a quarter of the time on 500,000 records) for cycles the walk never makes. Reference
    # counting frees each part as before; the collector is switched back on at the end.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _audit(engine, units, records, plans, year, baseline_year, progress, parameters, parts, total, loaders, workers, as_of)
    finally:
        if collecting:
            gc.enable()


def _audit(engine, units, records, plans, year, baseline_year, progress, parameters, parts, total, loaders, workers, as_of=None) -> Audit:
    baseline_year = year - 1 if baseline_year is None else baseline_year
    units = list(units)
    known = {u.name: u for u in units}
    walk = _Walk(engine, known, year, baseline_year, progress, total, as_of)
    for u in units:
        walk.unit_audit(u.name, u.jurisdiction)
    if loaders is not None and workers > 1 and len(loaders) > 1:
        _in_workers(walk, loaders, min(workers, len(loaders)))  # never more processes than parts
    else:
        if loaders is not None:
            parts = (load() for load in loaders)
        for part in (parts if parts is not None else [(list(records), list(plans))]):
            walk.part(*part)
    walk.finish()
    ordered = sorted(walk.audits.values(), key=lambda u: (u.jurisdiction or "", u.unit))
    for listed in (walk.violations, walk.advice, walk.waivers, walk.not_checked):
        listed.sort(key=lambda item: (item.date, item.record_id))  # the same order however the register was read
    return Audit(
        year=year,
        baseline_year=baseline_year,
        units=ordered,
        violations=walk.violations,
        advice=walk.advice,
        waivers=walk.waivers,
        not_checked=walk.not_checked,
        packs=list(walk.packs.values()),
        records_in_year=walk.done,
        parameters=dict(parameters or {}),
        as_of=as_of,
    )


_FORKED: dict[str, Any] = {}


def _in_workers(walk: "_Walk", loaders: Sequence[Callable[[], Part]], workers: int) -> None:
    """The parts audited by `workers` processes: `workers - 1` forked ones taking parts from the front, and this one
    taking them from the back (its own results need no journey between processes). Each part is claimed once; the
    results are merged in the parts' order, so the audit is the serial one.

    A worker writes each part's results to a file of its own and sends only the file's name. Sent through the pool's
    pipe, a part's results (megabytes) went 64 KiB at a time, and the parent's thread receiving them had to win the
    interpreter from the parent's walk for every piece: the worker stood waiting a third of its time (5.8 s of 16.7).

    A worker that dies (killed, or out of memory) fails the audit with `AuditIncomplete`: the parts it had claimed
    are nobody's, and a report without them would pass their units as compliant."""
    context = multiprocessing.get_context("fork")
    claimed = context.Array("b", len(loaders))
    walked: dict[int, _Walk] = {}
    progress, walk.progress = walk.progress, None  # reported here as parts finish, merged only at the end
    done = [0]

    def finished(index: int, partial: "_Walk | str | None") -> None:
        if isinstance(partial, str):  # a worker's part, waiting in its file (gone once read: the spool stays small)
            with open(partial, "rb") as spooled:
                path, partial = partial, pickle.load(spooled)
            os.unlink(path)
        if partial is not None:
            walked[index] = partial
            done[0] += partial.done
            if progress is not None:
                progress(done[0], walk.total or done[0])

    with tempfile.TemporaryDirectory(prefix="jianfu-audit-") as spool:
        _FORKED.update(engine=walk.engine, known=walk.known, year=walk.year, baseline_year=walk.baseline_year, as_of=walk.as_of, loaders=loaders, claimed=claimed, spool=spool)
        pool = ProcessPoolExecutor(workers - 1, mp_context=context)
        try:
            results = [pool.submit(_spooled_part, index) for index in range(len(loaders))]
            received = 0
            for index in reversed(range(len(loaders))):
                partial = _audit_part(index)
                if partial is None:
                    break  # the workers have come this far: the rest is theirs
                finished(index, partial)
                while received < len(loaders) and results[received].done():  # what the workers finished meanwhile
                    finished(received, results[received].result())
                    received += 1
            for index in range(received, len(loaders)):
                finished(index, results[index].result())
        except BrokenProcessPool as broken:
            raise AuditIncomplete(
                "审计的工作进程意外退出（被终止或内存不足），审计未完成 / an audit worker process ended unexpectedly"
                " (killed, or out of memory): the audit is incomplete") from broken
        finally:
            # After a failure the workers finish the part in hand and take no other, before the spool goes.
            pool.shutdown(wait=True, cancel_futures=True)
            _FORKED.clear()
            walk.progress = progress
    for index in sorted(walked):
        walk.merge(walked[index])


def _audit_part(index: int) -> "_Walk | None":
    """Part `index` audited on its own, or None when another process claimed it first."""
    job = _FORKED
    with job["claimed"].get_lock():
        if job["claimed"][index]:
            return None
        job["claimed"][index] = 1
    walk = _Walk(job["engine"], job["known"], job["year"], job["baseline_year"], None, None, job["as_of"])
    walk.part(*job["loaders"][index]())
    walk.engine = walk.known = walk.stacks = None  # the parent has them; only the part's results travel back
    return walk


def _spooled_part(index: int) -> str | None:
    """In a worker: part `index` audited and written to a file in the spool, whose name is returned (None when the
    parent claimed the part first)."""
    walk = _audit_part(index)
    if walk is None:
        return None
    path = os.path.join(_FORKED["spool"], f"{index}.pickle")
    with open(path, "wb") as spooled:
        pickle.dump(walk, spooled, protocol=pickle.HIGHEST_PROTOCOL)
    return path


class _Packed:
    """A part's listed findings as they travel from a worker to the parent: each distinct finding once, as its
    fields, and each record as plain values pointing at them. Pickling the findings themselves (pydantic models,
    their dates) cost a worker and the parent more than deciding the records had."""

    def __init__(self, lists: Sequence[list[RecordFindings]]):
        index: dict[int, int] = {}
        self.findings: list[dict[str, Any]] = []
        self.lists: list[list[tuple]] = []
        for listed in lists:
            rows = []
            for item in listed:
                refs = []
                for finding in item.findings:
                    at = index.get(id(finding))
                    if at is None:
                        at = index[id(finding)] = len(self.findings)
                        self.findings.append(finding.__dict__)
                    refs.append(at)
                rows.append((item.record_id, item.unit, item.kind, item.date.toordinal(), refs))
            self.lists.append(rows)

    def unpacked(self) -> list[list[RecordFindings]]:
        findings = [built_finding(fields) for fields in self.findings]
        return [[RecordFindings(record_id, unit, kind, date.fromordinal(day), [findings[i] for i in refs]) for record_id, unit, kind, day, refs in rows]
                for rows in self.lists]


class _Walk:
    """The audit's running state across the parts of the register."""

    def __init__(self, engine: Engine, known: dict[str, Unit], year: int, baseline_year: int, progress: Progress | None, total: int | None,
                 as_of: date | None = None):
        self.engine = engine
        self.as_of = as_of
        self.known = known
        self.year = year
        self.baseline_year = baseline_year
        self.progress = progress
        self.total = total
        self.step = max(1, (total or 0) // 200)
        self.done = 0
        self.audits: dict[str, UnitAudit] = {}
        self.violations: list[RecordFindings] = []
        self.advice: list[RecordFindings] = []
        self.waivers: list[RecordFindings] = []
        self.not_checked: list[NotChecked] = []
        self.packs: dict[tuple, PackRef] = {}
        self.pending: set[str] = set(known)  # units whose obligations are still to be checked
        self.stacks: dict[tuple, Any] = {}

    def unit_audit(self, name: str, jurisdiction: str | None) -> UnitAudit:
        found = self.audits.get(name)
        if found is None:
            meta = self.known.get(name)
            found = UnitAudit(name, (meta.jurisdiction if meta else None) or jurisdiction, meta.type if meta else None, meta.level if meta else None)
            self.audits[name] = found
        elif found.jurisdiction is None:
            found.jurisdiction = jurisdiction
        return found

    def part(self, records: Sequence[Any], plans: Sequence[FiledPlan], tallied: Tallied | None = None) -> None:
        year, engine = self.year, self.engine
        as_of = self.as_of
        counting = [r for r in records if r.status in COUNTING_STATUSES and (as_of is None or r.date <= as_of)]
        if tallied is not None and tallied.before > date(year, 1, 1):
            raise ValueError(f"the audit of {year} needs the register from {year}-01-01 on at least, not from {tallied.before}")
        register = RunningRegister(self.known, counting, plans, tallied)
        counting.sort(key=day_and_id)  # once: each unit's records and the year's come out in order
        by_unit: dict[str, list[Any]] = defaultdict(list)
        for record in counting:
            by_unit[record.unit].append(record)
        for name, bucket in by_unit.items():
            self.unit_audit(name, bucket[-1].jurisdiction)
        in_year = [r for r in counting if r.date.year == year]
        seen_refs = None  # the packs of the last decision (the same list for every record of a day and chain)
        for record in in_year:
            ua = self.audits[record.unit]
            _count(ua, record)
            position = (record.date, record.id)
            register.advance(position)
            try:
                findings, refs = engine.findings(record, register, position, _full if type(record) is StoredRecord else None)
            except (NoPackInForce, EvaluationError) as exc:
                ua.not_checked += 1
                ua.first_not_checked = ua.first_not_checked or record.date
                self.not_checked.append(NotChecked(record.id, record.unit, record.kind, record.date, str(exc)))
            else:
                ua.checked += 1
                if findings:
                    _sort_findings(ua, record, findings, self.violations, self.advice, self.waivers)
                if refs is not seen_refs:
                    seen_refs = refs
                    for ref in refs:
                        self.packs.setdefault((ref.id, ref.version, ref.sha256), ref)
            self.done += 1
            if self.progress is not None and (self.done % self.step == 0 or self.done == self.total):
                self.progress(self.done, self.total or self.done)
        for record in counting:
            if record.kind == "bulletin" and record.date.year == self.baseline_year:
                self.audits[record.unit].baseline_issues += 1
        for (place, unit, issued), count in (tallied.bulletins.items() if tallied is not None else ()):
            if issued == self.baseline_year:
                self.unit_audit(unit, place).baseline_issues += count
        for name, bucket in by_unit.items():
            self.obligations(self.audits[name], bucket)
            self.pending.discard(name)

    def __getstate__(self) -> dict[str, Any]:  # a worker's part on its way to the parent
        state = dict(self.__dict__)
        state["violations"] = _Packed([state.pop("violations"), state.pop("advice"), state.pop("waivers")])
        state["not_checked"] = [(n.record_id, n.unit, n.kind, n.date.toordinal(), n.reason) for n in state["not_checked"]]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.violations, self.advice, self.waivers = state["violations"].unpacked()
        self.not_checked = [NotChecked(record_id, unit, kind, date.fromordinal(day), reason) for record_id, unit, kind, day, reason in state["not_checked"]]

    def merge(self, other: "_Walk") -> None:
        """Take in a part audited by a worker (in the parts' order, so the result is the serial walk's)."""
        for name, theirs in other.audits.items():
            mine = self.audits.get(name)
            if mine is None or not (mine.checked or mine.not_checked or mine.baseline_issues or mine.obligations):
                if mine is not None and theirs.jurisdiction is None:
                    theirs.jurisdiction = mine.jurisdiction
                self.audits[name] = theirs
            else:
                mine.absorb(theirs)
        self.pending -= set(other.audits) - other.pending
        self.violations += other.violations
        self.advice += other.advice
        self.waivers += other.waivers
        self.not_checked += other.not_checked
        for key, ref in other.packs.items():
            self.packs.setdefault(key, ref)
        self.done += other.done
        if self.progress is not None:
            self.progress(self.done, self.total or self.done)

    def finish(self) -> None:
        # A unit with neither a jurisdiction of its own nor records belongs to the register's city when the
        # register holds only one; otherwise its obligations cannot be checked (and it is not shown as compliant).
        places = {u.jurisdiction for u in self.audits.values() if u.jurisdiction}
        if len(places) == 1:
            only = next(iter(places))
            for ua in self.audits.values():
                ua.jurisdiction = ua.jurisdiction or only
        for name in sorted(self.pending):
            self.obligations(self.audits[name], [])
        if self.progress is not None and self.done == 0:
            self.progress(0, 0)

    def stack_at(self, jurisdiction: str):
        stacks, catalog = self.stacks, self.engine.catalog

        def at(on: date):
            key = (jurisdiction, on)
            if key not in stacks:
                try:
                    stacks[key] = catalog.stack_for(jurisdiction, on)
                except NoPackInForce as exc:
                    stacks[key] = exc
            found = stacks[key]
            if isinstance(found, NoPackInForce):
                raise found
            return found

        return at

    def obligations(self, ua: UnitAudit, records: Sequence[Any]) -> None:
        year_end = date(self.year, 12, 31)
        # Until the obligations are checked below, every review's obligations stand as not checked (grey).
        ua.reviews = [(day, False, True) for day in review_days(self.year, self.as_of)]
        if ua.jurisdiction is None:
            ua.obligations_not_checked = "单位没有所属地区，无法确定规则包 / the unit has no jurisdiction: no pack can be chosen"
            return
        at = self.stack_at(ua.jurisdiction)
        try:
            stack = at(year_end)
        except NoPackInForce as exc:
            ua.obligations_not_checked = str(exc)
            return
        params = stack.params_at(year_end)
        if "bulletin_cut" in params and params.get("bulletin_cut_year", self.year) == self.year:
            ua.bulletin_target = float(params["bulletin_cut"])
        for loaded in stack.chain:
            ref = PackRef.model_construct(id=loaded.id, version=loaded.pack.version, sha256=loaded.sha256)
            self.packs.setdefault((ref.id, ref.version, ref.sha256), ref)
        meta = self.known.get(ua.unit)
        if meta is None:
            ua.obligations_not_checked = "单位不在台账的单位名录中，类型未知 / the unit is not in the register's units: its type is unknown"
            return
        ua.obligations, ua.obligations_not_checked = check_obligations(at, meta, records, self.year, self.as_of)
        ua.reviews = []
        for day in review_days(self.year, self.as_of):
            if day == (self.as_of or year_end):
                found, unchecked = ua.obligations, ua.obligations_not_checked
            else:
                found, unchecked = check_obligations(at, meta, [r for r in records if r.date <= day], self.year, day)
            ua.reviews.append((day, any(not o.met for o in found), bool(unchecked)))


def _full(record: StoredRecord) -> Any:
    return record.full()


def _count(ua: UnitAudit, record: Any) -> None:
    kind = record.kind
    if kind == "document":
        ua.documents += 1
    elif kind == "meeting":
        if is_onsite_office_meeting(record):
            ua.onsite_office_meetings += 1
        elif record.scope == "citywide_system":
            ua.system_meetings += 1
        else:
            ua.other_meetings += 1
    elif kind == "inspection":
        ua.inspections[record.type] += 1
    elif kind == "bulletin":
        ua.bulletin_issues += 1
        ua.bulletin_series.add(record.series)


def _sort_findings(ua: UnitAudit, record: Any, findings: list[Finding], violations, advice, waivers) -> None:
    by_severity: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_severity[finding.severity].append(finding)
    if by_severity["block"]:
        ua.violations += 1
        ua.first_violation = ua.first_violation or record.date
        for finding in by_severity["block"]:
            ua.violations_by_article[finding.clause] += 1
        violations.append(RecordFindings(record.id, record.unit, record.kind, record.date, by_severity["block"]))
    if by_severity["advice"]:
        ua.advice += 1
        ua.first_advice = ua.first_advice or record.date
        advice.append(RecordFindings(record.id, record.unit, record.kind, record.date, by_severity["advice"]))
    if by_severity["waived"]:
        ua.waivers += len(by_severity["waived"])
        waivers.append(RecordFindings(record.id, record.unit, record.kind, record.date, by_severity["waived"]))
