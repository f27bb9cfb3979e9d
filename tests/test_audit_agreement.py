"""The audit agrees with the plain decide path: on a generated province, every record of 2019 decided one by one
against a register holding only the records before it (built up record by record, as a plan check does) gives the
same findings as the audit's walk with its `before` cut-off; and the database, read one jurisdiction at a time,
gives the same audit as the file.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from adapters.storage import open_store
from bench import generate
from bench.audit import province_catalog
from engine import Engine, MemoryRegister, NoPackInForce
from engine.audit import audit
from engine.records import COUNTING_STATUSES, RegisterFile


@pytest.fixture(scope="module")
def province():
    where = generate.province()
    records = list(generate.records(11, 3000, where))
    places = sorted({u.jurisdiction for u in where.units if u.jurisdiction})
    return where, records, generate.plans(where), Engine(province_catalog(places))


def _findings(decision):
    return sorted((f.rule, f.severity, f.message) for f in decision.findings)


def test_the_audit_is_the_plain_decide_path_record_by_record(province):
    where, records, plans, engine = province
    result = audit(engine, where.units, records, plans, 2019)
    from_audit = {}
    for group in (result.violations, result.advice, result.waivers):
        for item in group:
            from_audit.setdefault(item.record_id, []).extend((f.rule, f.severity, f.message) for f in item.findings)

    counting = sorted((r for r in records if r.status in COUNTING_STATUSES), key=lambda r: (r.date, r.id))
    earlier = MemoryRegister(where.units, [r for r in counting if r.date.year < 2019], plans)
    plain, not_checked = {}, []
    for record in (r for r in counting if r.date.year == 2019):
        try:
            decision = engine.decide(record, earlier)
        except NoPackInForce:
            not_checked.append(record.id)
        else:
            if decision.findings:
                plain[record.id] = _findings(decision)
        earlier.add(record)
    assert {k: sorted(v) for k, v in from_audit.items()} == plain
    assert [n.record_id for n in result.not_checked] == not_checked
    assert len(plain) > 100 and result.records_in_year - len(not_checked) > 1000, "the comparison must cover real work"


def test_the_database_read_by_jurisdiction_gives_the_same_audit(province, tmp_path):
    where, records, plans, engine = province
    store = open_store(str(tmp_path / "province.sqlite3"))
    store.import_register(RegisterFile(units=where.units, records=records, plans=plans), source="test")
    from_db = audit(engine, store.register_file(years=[]).units, year=2019, parts=store.audit_parts(2019), total=store.count_records(2019))
    store.close()
    from_file = audit(engine, where.units, records, plans, 2019)
    assert from_db.as_dict() == from_file.as_dict()
