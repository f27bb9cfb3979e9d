"""The yearly audit hand-written in plain Python over the same SQLite database: the yardstick for the engine's audit.

It walks the year's records that count, jurisdiction by jurisdiction, in (date, id) order, and asks each one the
hand-written checks of bench/plain.py with only the records before it counting (`before=True`), as the engine's audit
does. A record dated before the pack took effect (2019-03-19, for every jurisdiction of the benchmark's province) is
not checked, as the engine reports it. It counts each unit's bulletin issues of the year and of the year before, and
each city's bulletins to the city government as it walks (004 art. 6's city-wide cut).

The record's body is validated with the register's record model, as the engine's audit does when it decides a record:
both sides pay for the same reading. Every rule of the pack is checked, blocking and advice (the unit's share of the
bulletin cut, joint inspections, on-site checks); the yearly obligations and the quarterly lights are not.
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import TypeAdapter

from jianfu.engine.records import Record

from .plain import TO_CITY, plain_advice, plain_violations

EFFECTIVE = date(2019, 3, 19)  # the Jingdezhen pack's `effective.from`, applied to every jurisdiction by bench/audit.py
RECORD: TypeAdapter = TypeAdapter(Record)
# Rules of the pack left out of the comparison because they are not hand-written here: none, all 17 are (14 blocking, 3 advice).
PLAIN_EXCLUDED: list[str] = []


@dataclass
class PlainAudit:
    records: int = 0  # the year's records that count
    not_checked: set[str] = field(default_factory=set)
    violations: dict[str, frozenset[str]] = field(default_factory=dict)  # record id -> the blocking rules it breaks
    advice: dict[str, frozenset[str]] = field(default_factory=dict)  # record id -> the advice rules it gets
    bulletin_issues: Counter = field(default_factory=Counter)  # unit -> issues in the year
    baseline_issues: Counter = field(default_factory=Counter)  # unit -> issues in the year before


def plain_audit(db: sqlite3.Connection, year: int = 2019) -> PlainAudit:
    out = PlainAudit()
    stored = defaultdict(list)  # the approvals recorded in the database, by the record they are for
    for request_id, by, day in db.execute("SELECT request_id, by, date FROM approvals WHERE status='valid'"):
        stored[request_id].append((by, day))
    for unit, n in db.execute("SELECT unit, count(*) FROM records WHERE kind='bulletin' AND year=? AND counts GROUP BY unit", (year - 1,)):
        out.baseline_issues[unit] += n
    # 004 art. 6's city-wide cut: each city's bulletins to the city government of the year before, counted once, and
    # of the year, counted as the walk passes them (counted by a query for each record instead, the walk grew with the
    # square of a city's size: 79 s at 1,000,000 records)
    city_baseline = Counter(dict(db.execute(
        "SELECT jurisdiction, count(*) FROM records WHERE kind='bulletin' AND year=? AND counts" + TO_CITY + " GROUP BY jurisdiction", (year - 1,))))
    city_so_far: Counter = Counter()
    # one pass over the year, jurisdiction by jurisdiction, each in (date, id) order
    for rid, kind, place, unit, day, status, to, body in db.execute(
        "SELECT id, kind, jurisdiction, unit, date, status, addressed_to, body FROM records WHERE year=? AND counts ORDER BY jurisdiction, date, id",
        (year,),
    ):
        out.records += 1
        to_city = kind == "bulletin" and to in (None, "city_government")
        if kind == "bulletin":
            out.bulletin_issues[unit] += 1
        if date.fromisoformat(day) >= EFFECTIVE:
            record = RECORD.validate_json(f'{body[:-1]},"status":"{status}"}}')
            broken = plain_violations(db, record, before=True, stored_approvals=stored.get(rid, ()),
                                      city_bulletins=(city_so_far[place], city_baseline[place]))
            if broken:
                out.violations[rid] = frozenset(broken)
            advised = plain_advice(db, record, before=True)
            if advised:
                out.advice[rid] = frozenset(advised)
        else:
            out.not_checked.add(rid)
        if to_city:
            city_so_far[place] += 1
    return out


def disagreements(engine_audit: Any, plain: PlainAudit) -> dict[str, int]:
    """Where the engine's audit (engine.audit.Audit) and the plain one differ: records whose set of violated blocking
    rule ids differs (a record checked by one side only counts too), records whose advice rule ids differ, units whose
    bulletin counts differ."""
    def differ(listed: list, theirs: dict[str, frozenset[str]]) -> int:
        mine = {item.record_id: frozenset(f.rule for f in item.findings) for item in listed}
        return sum(mine.get(rid, frozenset()) != theirs.get(rid, frozenset()) for rid in mine.keys() | theirs.keys())

    records = differ(engine_audit.violations, plain.violations)
    records += len({n.record_id for n in engine_audit.not_checked} ^ plain.not_checked)
    units = {u.unit for u in engine_audit.units} | set(plain.bulletin_issues) | set(plain.baseline_issues)
    by_unit = {u.unit: u for u in engine_audit.units}
    bulletins = sum(
        (by_unit[name].bulletin_issues, by_unit[name].baseline_issues) != (plain.bulletin_issues[name], plain.baseline_issues[name])
        if name in by_unit else bool(plain.bulletin_issues[name] or plain.baseline_issues[name])
        for name in units
    )
    return {"records": records, "advice_records": differ(engine_audit.advice, plain.advice), "bulletin_units": bulletins,
            "records_in_year": abs(engine_audit.records_in_year - plain.records)}
