"""The audit walk: the year's records in date order, each decided with the packs in force on its own date and
counted only against the records before it (`before=(date, id)`), exactly as it would have been screened.

What counts is the register's own rule (approved, held, issued, filed; never cancelled or rejected). A record whose
jurisdiction has no pack in force on its date is reported as not checked, with the reason: never as compliant.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable, Iterable, Sequence

from ..decide import Engine
from ..decisions import Finding, PackRef
from ..errors import EvaluationError, FieldError, NoPackInForce
from ..facts import cut_achieved
from ..counting import BULLETINS, counts, meeting_tally
from ..records import FiledPlan, StoredRecord, Unit
from ..register import day_and_id
from .obligations import ObligationResult, check_obligations
from .running import RunningRegister, Tallied

LIGHTS = ("green", "yellow", "red", "grey")
YEARS = (1900, 2200)  # the years an audit may name: a slip such as 219 or 20199 is refused, not audited as empty


def implausible_years(*named: tuple[str, int | None]) -> list[FieldError]:
    """An error for each (field, year) outside YEARS, the field named as the caller's user knows it."""
    low, high = YEARS
    return [FieldError((name,), f"年度 {value} 不合理（应在 {low}–{high} 之间）", f"implausible year {value} (expected {low}-{high})", code="implausible_year")
            for name, value in named if value is not None and not low <= value <= high]


def review_day(text: str | None, year: int, problems: list[FieldError], field: str = "as_of") -> date | None:
    """The day of a quarterly review (004 art. 18), which must fall in the audited year: None when not given, else
    the day, with a problem naming `field` (as the caller's user knows it) when it is no day of the year."""
    if text is None or not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        problems.append(FieldError((field,), f"日期应为 YYYY-MM-DD，收到 {text!r}", f"expected YYYY-MM-DD, got {text!r}", code="bad_date"))
        return None
    if day.year != year:
        problems.append(FieldError((field,), f"日期 {day} 不在审计年度 {year} 内", f"{day} is not in the audited year {year}"))
    return day


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
    return (0, int(article), "") if article.isascii() and article.isdigit() else (1, 0, article)


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
    as_of: date | None = None,
) -> Audit:
    """Audit `year` of the register given as its units, records and filed plans (records of earlier years are what
    the rules count; the baseline year gives the bulletin cut).

    A large register comes as `parts` instead: (records, plans) each holding every record of one or more whole
    jurisdictions. Every question the rules ask stays within a jurisdiction, so each part is audited on its own and
    let go, and memory stays that of the largest city, not of the province. A part may hold only what the year's
    questions can reach (records from `running.read_from` on, documents still valid, earlier bulletins counted in a
    `Tallied`) as its third element. `total` (the year's records) sizes the progress bar. Parts audited in other
    processes are the storage adapter's business (adapters/storage/audit_workers.py): it walks them with a `Walk`
    each and merges them in their order, so the result is this serial one.

    `as_of` (the quarterly review, 004 art. 18): the year up to that day, as it stood then: records after it do not
    exist yet, and an obligation counts only for the periods ended by then.
    """
    walk = Walk.begin(engine, units, year, baseline_year, progress, total, as_of)
    for part in (parts if parts is not None else [(list(records), list(plans))]):
        walk.part(*part)
    return walk.report(parameters)


class Walk:
    """The audit's running state across the parts of the register: `begin`, a `part` at a time (or parts walked
    elsewhere and `merge`d in their order), then the `report`."""

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

    @classmethod
    def begin(cls, engine: Engine, units: Iterable[Unit], year: int, baseline_year: int | None = None,
              progress: Progress | None = None, total: int | None = None, as_of: date | None = None) -> "Walk":
        """A walk of `year` over the register's units (every unit is reported, with records or without), up to
        `as_of` when given."""
        units = list(units)
        walk = cls(engine, {u.name: u for u in units}, year, year - 1 if baseline_year is None else baseline_year, progress, total, as_of)
        for u in units:
            walk.unit_audit(u.name, u.jurisdiction)
        return walk

    def report(self, parameters: dict[str, Any] | None = None) -> Audit:
        """The audit, once every part is in."""
        self.finish()
        ordered = sorted(self.audits.values(), key=lambda u: (u.jurisdiction or "", u.unit))
        for listed in (self.violations, self.advice, self.waivers, self.not_checked):
            listed.sort(key=lambda item: (item.date, item.record_id))  # the same order however the register was read
        return Audit(
            year=self.year,
            baseline_year=self.baseline_year,
            units=ordered,
            violations=self.violations,
            advice=self.advice,
            waivers=self.waivers,
            not_checked=self.not_checked,
            packs=list(self.packs.values()),
            records_in_year=self.done,
            parameters=dict(parameters or {}),
            as_of=self.as_of,
        )

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
        as_of = self.as_of  # the quarterly review: what was after the day did not exist yet
        counting = [r for r in records if counts(r) and (as_of is None or r.date <= as_of)]
        if tallied is not None and tallied.before > date(year, 1, 1):
            raise ValueError(f"the audit of {year} needs the register from {year}-01-01 on at least, not from {tallied.before}")
        counting.sort(key=day_and_id)  # once: each unit's records and the year's come out in order
        register = RunningRegister(self.known, counting, plans, tallied, in_order=True)
        by_unit: dict[str, list[Any]] = defaultdict(list)
        for record in counting:
            by_unit[record.unit].append(record)
        for name, bucket in by_unit.items():
            self.unit_audit(name, bucket[-1].jurisdiction)
        in_year = [r for r in counting if r.date.year == year]
        # the pack lists already taken in (one list for every record of a day and chain), kept so no id is reused
        seen_refs: dict[int, list] = {}
        for record in in_year:
            ua = self.audits[record.unit]
            _count(ua, record)
            position = (record.date, record.id)
            register.advance(position)
            try:
                found = engine.findings(record, register, position, _full if type(record) is StoredRecord else None)
                findings, refs = found.findings, found.packs
            except (NoPackInForce, EvaluationError) as exc:
                ua.not_checked += 1
                ua.first_not_checked = ua.first_not_checked or record.date
                self.not_checked.append(NotChecked(record.id, record.unit, record.kind, record.date, str(exc)))
            else:
                ua.checked += 1
                if findings:
                    _sort_findings(ua, record, findings, self.violations, self.advice, self.waivers)
                if id(refs) not in seen_refs:
                    seen_refs[id(refs)] = refs
                    for ref in refs:
                        self.packs.setdefault((ref.id, ref.version, ref.sha256), ref)
            self.done += 1
            if self.progress is not None and (self.done % self.step == 0 or self.done == self.total):
                self.progress(self.done, self.total or self.done)
        for record in counting:
            if record.date.year == self.baseline_year and BULLETINS.holds(record):
                self.audits[record.unit].baseline_issues += 1
        for (place, unit, issued), count in (tallied.bulletins.items() if tallied is not None else ()):
            if issued == self.baseline_year:
                self.unit_audit(unit, place).baseline_issues += count
        year_ends: dict = {}  # what each stack gives at the year's end, worked out once for the part's units
        for name, bucket in by_unit.items():
            self.obligations(self.audits[name], bucket, year_ends)
            self.pending.discard(name)

    def merge(self, other: "Walk") -> None:
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
        year_ends: dict = {}
        for name in sorted(self.pending):
            self.obligations(self.audits[name], [], year_ends)
        if self.progress is not None and self.done == 0:
            self.progress(0, 0)

    def stack_at(self, jurisdiction: str) -> Callable[[date], Any]:
        """The packs in force for the jurisdiction on a day, as the obligations ask for them (the engine's memo)."""
        engine = self.engine
        return lambda on: engine.stack(jurisdiction, on)

    def obligations(self, ua: UnitAudit, records: Sequence[Any], year_ends: dict | None = None) -> None:
        """The unit's obligations and its quarterly lights. `year_ends` keeps, for the units checked one after
        another, each stack's parameters at the year's end and that its packs are listed (thousands of units share
        one stack)."""
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
        ends = {} if year_ends is None else year_ends
        found = ends.get(id(stack))
        if found is None or found[0] is not stack:  # the stack is kept beside its entry: its id is no other's
            for loaded in stack.chain:
                ref = PackRef.model_construct(id=loaded.id, version=loaded.pack.version, sha256=loaded.sha256)
                self.packs.setdefault((ref.id, ref.version, ref.sha256), ref)
            found = ends[id(stack)] = (stack, stack.params_at(year_end))
        params = found[1]
        if "bulletin_cut" in params and params.get("bulletin_cut_year", self.year) == self.year:
            ua.bulletin_target = float(params["bulletin_cut"])
        meta = self.known.get(ua.unit)
        if meta is None:
            ua.obligations_not_checked = "单位不在台账的单位名录中，类型未知 / the unit is not in the register's units: its type is unknown"
            return
        matched: dict = {}  # each obligation's records found once for the review days below
        ua.obligations, ua.obligations_not_checked = check_obligations(at, meta, records, self.year, self.as_of, matched)
        ua.reviews = []
        for day in review_days(self.year, self.as_of):
            if day == (self.as_of or year_end):
                found, unchecked = ua.obligations, ua.obligations_not_checked
            else:
                found, unchecked = check_obligations(at, meta, records, self.year, day, matched)
            ua.reviews.append((day, any(not o.met for o in found), bool(unchecked)))


def _full(record: StoredRecord) -> Any:
    return record.full()


def _count(ua: UnitAudit, record: Any) -> None:
    kind = record.kind
    if kind == "document":
        ua.documents += 1
    elif kind == "meeting":
        tally = meeting_tally(record)
        if tally == "onsite_office":
            ua.onsite_office_meetings += 1
        elif tally == "citywide_system":
            ua.system_meetings += 1
        else:
            ua.other_meetings += 1
    elif kind == "inspection":
        ua.inspections[record.type] += 1
    elif BULLETINS.holds(record):  # a public column is no bulletin of art. 6
        ua.bulletin_issues += 1
        ua.bulletin_series.add(record.series)


def _sort_findings(ua: UnitAudit, record: Any, findings: list[Finding], violations, advice, waivers) -> None:
    blocking: list[Finding] = []
    advised: list[Finding] = []
    waived: list[Finding] = []
    for finding in findings:
        severity = finding.severity
        if severity == "block":
            blocking.append(finding)
        elif severity == "advice":
            advised.append(finding)
        elif severity == "waived":
            waived.append(finding)
    if blocking:
        ua.violations += 1
        ua.first_violation = ua.first_violation or record.date
        for finding in blocking:
            ua.violations_by_article[finding.clause] += 1
        violations.append(RecordFindings(record.id, record.unit, record.kind, record.date, blocking))
    if advised:
        ua.advice += 1
        ua.first_advice = ua.first_advice or record.date
        advice.append(RecordFindings(record.id, record.unit, record.kind, record.date, advised))
    if waived:
        ua.waivers += len(waived)
        waivers.append(RecordFindings(record.id, record.unit, record.kind, record.date, waived))
