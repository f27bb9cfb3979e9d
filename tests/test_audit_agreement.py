"""The audit agrees with the plain decide path: on a generated province, every record of 2019 decided one by one
against a register holding only the records before it (built up record by record, as a plan check does) gives the
same findings as the audit's walk with its `before` cut-off. (The database's side: tests/storage/test_storage_audit.py.)
"""

from __future__ import annotations

import pytest

from jianfu.bench import generate
from jianfu.bench.audit import province_catalog
from jianfu.engine import Engine, MemoryRegister, NoPackInForce
from jianfu.engine.audit import audit
from jianfu.engine.records import COUNTING_STATUSES


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
