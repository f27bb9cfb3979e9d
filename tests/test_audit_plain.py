"""The benchmark's plain-Python audit (bench/plain_audit.py) finds what the engine's audit finds on the same database:
the same blocking rules broken by the same records, the same records not checked, the same bulletin counts per unit.
Without it the benchmark's `audit_engine_to_plain_ratio` would compare two different audits.
"""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from jianfu.adapters.storage import open_store
from jianfu import shipped
from jianfu.bench.audit import province_catalog
from jianfu.bench.plain_audit import disagreements, plain_audit
from jianfu.bench.run import load
from jianfu.engine import Engine
from jianfu.engine.audit import audit
from jianfu.engine.records import RegisterFile
from jianfu.engine.requests import Approval


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    db = tmp_path_factory.mktemp("plain-audit") / "province.sqlite3"
    store = open_store(f"sqlite:///{db}")
    load(store, 11, 3000, lambda message: None)
    return _both_audits(store)


def _both_audits(store):
    """The engine's audit of 2019 (the pack applied to every jurisdiction, as the benchmark does), then the plain one."""
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
    assert disagreements(result, plain) == {"records": 0, "advice_records": 0, "bulletin_units": 0, "records_in_year": 0}


def test_the_comparison_covers_every_blocking_rule_and_real_counts(audited):
    result, plain = audited
    rules = Counter(rule for broken in plain.violations.values() for rule in broken)
    engine_rules = Counter(f.rule for v in result.violations for f in v.findings)
    assert rules == engine_rules
    assert len(plain.violations) > 100 and len(plain.not_checked) > 100
    # the generated year breaks 7 of the pack's 14 blocking rules (documents, meetings, inspections, bulletins)
    assert {"bulletin_cut", "one_bulletin_series", "no_duplicate_document", "inspection_in_filed_plan"} <= set(rules), rules
    assert sum(plain.bulletin_issues.values()) > 50 and sum(plain.baseline_issues.values()) > 50


def test_the_comparison_covers_the_advice_too(audited):
    """The engine checks every rule in force, advice as well (art. 6's unit share): so does the yardstick."""
    result, plain = audited
    rules = Counter(rule for advised in plain.advice.values() for rule in advised)
    assert rules == Counter(f.rule for a in result.advice for f in a.findings)
    assert rules["bulletin_unit_share"] > 20, rules
    rid, advised = next(iter(plain.advice.items()))
    plain.advice[rid] = advised - {next(iter(advised))}
    try:
        assert disagreements(result, plain)["advice_records"] == 1
    finally:
        plain.advice[rid] = advised


def test_a_changed_finding_is_a_disagreement(audited):
    result, plain = audited
    rid, broken = next(iter(plain.violations.items()))
    plain.violations[rid] = broken | {"one_bulletin_series"} if "one_bulletin_series" not in broken else broken - {"one_bulletin_series"}
    try:
        assert disagreements(result, plain)["records"] == 1
    finally:
        plain.violations[rid] = broken


JDZ = "景德镇市"
EDU, FIN = "景德镇市教育局", "景德镇市财政局"


def _record(rid: str, kind: str, day: str, unit: str = EDU, status: str = "issued", **fields) -> dict:
    return {"id": rid, "kind": kind, "jurisdiction": JDZ, "unit": unit, "date": day, "status": status, "title": rid, **fields}


def _doc(rid, day, issuer, remit, subject, **fields):
    return _record(rid, "document", day, issuer=issuer, remit=remit, subject=subject, **fields)


def _meeting(rid, day, **fields):
    fields = {"held_in_name_of": "department", "remit": "department", "scope": "other", "routine": False, "status": "held", **fields}
    return _record(rid, "meeting", day, **fields)


def _inspection(rid, day, **fields):
    plan = {"targets": ["整改到位"], "indicators": [{"name": "整改完成率", "target": "95%"}]}
    return _record(rid, "inspection", day, **{"type": "special", "scope": "other", "work_plan": plan, "status": "approved", **fields})


def test_a_register_breaking_every_blocking_rule_is_audited_alike(tmp_path):
    """Every blocking rule of the pack broken at least once (the generated register breaks only some of them), one
    cancelled record that must not count, approvals recorded in the database that lift a rule or satisfy it."""
    relay = {"doc_no": "赣府字〔2019〕1号", "explicit": True, "sent_to_counties": True, "requires_local_rules": False}
    plan = {"targets": ["达标"], "indicators": [{"name": "领导批示件数", "target": "10"}]}
    records = [
        _doc("D1", "2019-04-01", "city_government", "coordinating_body", "营商环境", relays=relay, doc_no="景府字〔2019〕1号"),
        _doc("D2", "2019-04-02", "department", "department", "营商环境", deployed_via=["电话"]),
        _doc("D3", "2019-04-03", "general_office", "joint_departments", "教育督导"),
        _doc("D4", "2019-04-04", "city_government", "city_government", "教育督导", replaces="景府字〔2019〕1号"),
        _meeting("M0", "2019-04-05", scope="citywide_system", status="cancelled"),  # cancelled: never counts
        _meeting("M1", "2019-04-06", held_in_name_of="city_government"),
        _meeting("M2", "2019-04-07", held_in_name_of="city_government", remit="city_government", arranged_by_general_office=True),
        _meeting("M3", "2019-04-08", scope="citywide_system", routine=True, topics=["项目建设"],
                 attendees=[{"unit": FIN, "directly_related": False}]),
        _meeting("M4", "2019-04-20", scope="citywide_system", routine=True, topics=["项目 建设"]),
        _meeting("M5", "2019-06-01", scope="citywide_system"),  # a second system meeting, approved in the database
        _meeting("M6", "2019-06-02", scope="citywide_system", title="全市教育现场办公会", onsite_office=True),  # declared on-site office: not limited
        _inspection("I1", "2019-05-01", type="comprehensive", scope="citywide", involved_units=[FIN], work_plan=plan),
        _inspection("I2", "2019-05-02", type="comprehensive", joint=True, involved_units=[FIN]),
        _inspection("I3", "2019-05-03", unit=FIN, work_plan=None),
        _inspection("I4", "2019-05-04", unit=FIN, onsite={"unannounced": False, "demands": ["准备汇报材料"]}),  # advice only
        _record("B0", "bulletin", "2018-05-01", series="教育简报", issue_no=1),
        _record("B1", "bulletin", "2019-05-01", series="教育简报", issue_no=1),
        _record("B2", "bulletin", "2019-05-02", series="教育动态", issue_no=1),
        _record("B3", "bulletin", "2019-01-05", unit=FIN, series="财政简报", issue_no=1),  # before the pack: not checked
    ]
    units = [{"name": n, "type": t, "level": "city", "jurisdiction": JDZ}
             for n, t in (("景德镇市人民政府", "government"), ("景德镇市人民政府办公室", "general_office"), (EDU, "department"), (FIN, "department"))]
    store = open_store(f"sqlite:///{tmp_path / 'register.sqlite3'}")
    store.import_register(RegisterFile.model_validate({"units": units, "records": records}), source="test")
    store.add_approval("M2", Approval(by="city_government_leader", date="2019-04-01"))
    store.add_approval("M5", Approval(by="city_government", date="2019-05-20"))
    result, plain = _both_audits(store)

    assert disagreements(result, plain) == {"records": 0, "advice_records": 0, "bulletin_units": 0, "records_in_year": 0}
    pack = yaml.safe_load((shipped("rules") / "jingdezhen-2019.yaml").read_text(encoding="utf-8"))
    blocking = {r["id"] for r in pack["rules"] if r["severity"] == "block"}
    assert set().union(*plain.violations.values()) == blocking
    advice = {r["id"] for r in pack["rules"] if r["severity"] == "advice"}
    assert set().union(*plain.advice.values()) == advice and "I4" in plain.advice and "I4" not in plain.violations
    assert "M2" not in plain.violations and "M6" not in plain.violations and plain.not_checked == {"B3"}
    assert "system_meeting_once_a_year" in plain.violations["M4"] and "M5" not in plain.violations  # M0 never counted
    assert plain.bulletin_issues == Counter({EDU: 2, FIN: 1}) and plain.baseline_issues == Counter({EDU: 1})
