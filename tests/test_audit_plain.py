"""The benchmark's plain-Python audit (bench/plain_audit.py) finds what the engine's audit finds on the same database:
the same blocking rules broken by the same records, the same records not checked, the same bulletin counts per unit.
Without it the benchmark's `audit_engine_to_plain_ratio` would compare two different audits.
"""

from __future__ import annotations

from collections import Counter

import pytest

from adapters.storage import open_store
from bench import generate
from bench.audit import province_catalog
from bench.plain_audit import disagreements, plain_audit
from bench.run import load
from engine import Engine
from engine.audit import audit


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    db = tmp_path_factory.mktemp("plain-audit") / "province.sqlite3"
    store = open_store(f"sqlite:///{db}")
    load(store, 11, 3000, lambda message: None)
    units = store.units()
    engine = Engine(province_catalog(sorted({u.jurisdiction for u in units if u.jurisdiction})))
    result = audit(engine, units, year=2019, parts=store.audit_parts(2019), total=store.count_records(2019))
    raw = store.engine.raw_connection()
    try:
        plain = plain_audit(raw.driver_connection, 2019)
    finally:
        raw.close()
        store.close()
    return result, plain


def test_the_plain_audit_agrees_with_the_engine_audit(audited):
    result, plain = audited
    assert disagreements(result, plain) == {"records": 0, "bulletin_units": 0, "records_in_year": 0}


def test_the_comparison_covers_every_blocking_rule_and_real_counts(audited):
    result, plain = audited
    rules = Counter(rule for broken in plain.violations.values() for rule in broken)
    engine_rules = Counter(f.rule for v in result.violations for f in v.findings)
    assert rules == engine_rules
    assert len(plain.violations) > 100 and len(plain.not_checked) > 100
    # the generated year breaks 7 of the pack's 14 blocking rules (documents, meetings, inspections, bulletins)
    assert {"bulletin_cut", "one_bulletin_series", "no_duplicate_document", "inspection_in_filed_plan"} <= set(rules), rules
    assert sum(plain.bulletin_issues.values()) > 50 and sum(plain.baseline_issues.values()) > 50


def test_a_changed_finding_is_a_disagreement(audited):
    result, plain = audited
    rid, broken = next(iter(plain.violations.items()))
    plain.violations[rid] = broken | {"one_bulletin_series"} if "one_bulletin_series" not in broken else broken - {"one_bulletin_series"}
    try:
        assert disagreements(result, plain)["records"] == 1
    finally:
        plain.violations[rid] = broken
