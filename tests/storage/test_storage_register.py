"""The register in a database answers the rules' questions exactly as the in-memory reference does, keeps every
record (cancel, never delete) and round-trips through the file formats."""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

import pytest
from pydantic import TypeAdapter
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from jianfu.adapters.files.read import read_register, read_requests
from jianfu.adapters.files.write import write_register
from jianfu.adapters.storage import SqlRegister
from jianfu.engine import InvalidInput, MemoryRegister
from jianfu.engine.records import FiledPlan, Record, RegisterFile, Unit
from jianfu.engine.requests import Approval

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
RECORD = TypeAdapter(Record)
UNITS = ["市教育局", "市财政局", "市卫生健康委"]
JURISDICTIONS = ["景德镇市", "萍乡市"]
STATUSES = ["approved", "held", "issued", "filed", "cancelled", "rejected"]


def random_register(seed: int, n: int = 400) -> RegisterFile:
    rng = random.Random(seed)
    units = [Unit(name=u, type="department", level="city") for u in UNITS]
    records = []
    start = date(2018, 11, 1)
    for i in range(n):
        kind = rng.choice(["document", "meeting", "inspection", "bulletin"])
        base = {
            "id": f"R{i:04d}",
            "kind": kind,
            "jurisdiction": rng.choice(JURISDICTIONS),
            "unit": rng.choice(UNITS),
            "date": (start + timedelta(days=rng.randrange(0, 500))).isoformat(),
            "title": rng.choice(["", "工作会议", "校舍建设现场办公会", "通知"]),
            "topics": rng.sample(["安全", "教育", "财政", "卫生"], rng.randrange(0, 3)),
            "status": rng.choice(STATUSES),
        }
        if kind == "document":
            base.update(issuer="department", remit="department", subject=rng.choice(["甲", "乙", "丙"]),
                        doc_no=rng.choice([None, "景字〔2019〕1号", "景字〔2019〕2号"]),
                        valid_until=rng.choice([None, "2019-06-30", "2020-12-31"]))
        elif kind == "meeting":
            base.update(held_in_name_of="department", remit="department", scope=rng.choice(["citywide_system", "other"]),
                        routine=rng.random() < 0.5)
        elif kind == "inspection":
            base.update(type=rng.choice(["comprehensive", "special", "ad_hoc"]), scope=rng.choice(["citywide", "other"]))
        else:
            base.update(series=rng.choice(["简报甲", "简报乙"]))
        records.append(RECORD.validate_python({k: v for k, v in base.items() if v is not None}))
    plans = [
        FiledPlan.model_validate({
            "id": f"P{j}", "kind": "plan", "jurisdiction": "景德镇市", "unit": UNITS[j % 3], "year": 2019,
            "filed_with": "supervision_office", "filed_on": f"2019-0{j + 1}-15",
            "items": [{"id": f"P{j}-{k}", "kind": "inspection", "date": "2019-09-01", "type": "special", "scope": "citywide"} for k in range(3)],
        })
        for j in range(3)
    ]
    return RegisterFile(units=units, records=records, plans=plans)


def questions(view, rng: random.Random):
    """The same questions, with and without cut-offs, to ask both registers."""
    answers = []
    for _ in range(150):
        j, u = rng.choice(JURISDICTIONS), rng.choice(UNITS)
        year = rng.choice([2018, 2019, 2020])
        exclude = f"R{rng.randrange(0, 400):04d}"
        day = date(2018, 11, 1) + timedelta(days=rng.randrange(0, 500))
        before = rng.choice([None, (day, exclude)])
        answers.append(sorted(view.system_meetings(j, u, year, exclude, before)))
        answers.append(sorted(view.comprehensive_inspections(j, u, year, exclude, before)))
        answers.append(sorted(view.bulletin_series(j, u, year, exclude, before)))
        answers.append(view.bulletin_issues(j, u, year, exclude, before))
        # documents in the order a message names them: (date, id), whichever way the register was read
        answers.append([(d.id, d.doc_no, d.valid_until) for d in view.valid_documents(j, rng.choice("甲乙丙"), day, exclude, before)])
        answers.append(sorted((m.id, m.date, tuple(sorted(m.topics)), m.title) for m in view.routine_meetings(j, u, day - timedelta(days=30), day + timedelta(days=30), exclude, before)))
        entry = view.filed_plan_item("景德镇市", u, 2019, f"P{rng.randrange(0, 3)}-{rng.randrange(0, 4)}", day)
        answers.append(None if entry is None else (entry.plan_id, entry.filed_on))
    return answers


@pytest.mark.parametrize("seed", [1, 2])
def test_sql_register_answers_as_the_reference_does(store, seed):
    data = random_register(seed)
    store.import_register(data, source="test")
    reference = MemoryRegister(data.units, data.records, data.plans)
    with store.reading() as connection:
        from_sql = questions(SqlRegister(connection), random.Random(seed))
    assert from_sql == questions(reference, random.Random(seed))
    assert any(from_sql), "the questions must find something, or the comparison proves nothing"


def test_examples_decide_the_same_from_file_and_database(store, engine):
    data = read_register(EXAMPLES / "register.yaml")
    store.import_register(data, source="test")
    reference = MemoryRegister(data.units, data.records, data.plans)
    for request in read_requests(EXAMPLES / "requests.yaml"):
        assert store.decide(engine, request) == engine.decide(request, reference)


def test_records_are_never_deleted(store):
    store.import_register(read_register(EXAMPLES / "register.yaml"), source="test")
    before = store.counts()
    with pytest.raises(DBAPIError, match="never deleted"):
        with store.writing() as connection:
            connection.execute(text("DELETE FROM records"))
    assert store.counts() == before


def test_a_cancelled_record_stays_and_no_longer_counts(store, engine):
    store.import_register(read_register(EXAMPLES / "register.yaml"), source="test")
    request = read_requests(EXAMPLES / "requests.yaml")[0]  # 市教育局's second system meeting of 2019
    assert store.decide(engine, request).decision == "reject"
    store.cancel("JDZ-M-2019-001", reason="会议取消", actor="office")
    decision = store.decide(engine, request)
    assert "system_meeting_once_a_year" in decision.passed
    record = store.record("JDZ-M-2019-001")
    assert record["status"] == "cancelled"
    assert [e["event"] for e in record["events"]] == ["imported", "cancelled"]
    assert record["events"][1]["reason"] == "会议取消"
    with pytest.raises(InvalidInput):
        store.cancel("JDZ-M-2019-001", reason="again")


def test_record_checks_and_appends_only_approved_requests(store, engine):
    store.import_register(read_register(EXAMPLES / "register.yaml"), source="test")
    rejected, approved = read_requests(EXAMPLES / "requests.yaml")[:2]
    before = store.counts()["records"]
    assert store.decide_and_record(engine, rejected).decision == "reject"
    assert store.decide_and_record(engine, approved, actor="office").decision == "approve"
    assert store.counts()["records"] == before + 1
    stored = store.record(approved.id)
    assert stored["status"] == "approved" and stored["source"] == "screening" and stored["recorded_by"] == "office"
    assert json.loads(stored["decision"])["decision"] == "approve"
    with pytest.raises(InvalidInput, match="already holds"):
        store.decide_and_record(engine, approved)


def test_a_stored_approval_applies_to_its_request(store, engine):
    store.import_register(read_register(EXAMPLES / "register.yaml"), source="test")
    request = read_requests(EXAMPLES / "requests.yaml")[0]
    assert "system_meeting_once_a_year" in [f.rule for f in store.decide(engine, request).blocking]
    store.add_approval(request.id, Approval(by="city_government", ref="景府字〔2019〕9号", date=date(2019, 5, 1)), actor="office")
    decision = store.decide(engine, request)
    waived = [f for f in decision.findings if f.rule == "system_meeting_once_a_year"]
    assert waived and waived[0].severity == "waived"
    assert "景府字〔2019〕9号" in waived[0].message


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".xlsx"])
def test_export_and_import_round_trip(store, tmp_path, suffix, db_url):
    original = read_register(EXAMPLES / "register.yaml")
    store.import_register(original, source="test")
    out = tmp_path / f"export{suffix}"
    write_register(store.register_file(), out)
    again = read_register(out)
    assert sorted(r.model_dump_json() for r in again.records) == sorted(r.model_dump_json() for r in original.records)
    assert again.plans == original.plans
    assert sorted(u.name for u in again.units) == sorted(u.name for u in original.units)


def test_migrations_build_the_schema_the_code_queries(store):
    """The Alembic migrations and adapters/storage/tables.py describe the same tables and indexes."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from jianfu.adapters.storage.tables import metadata

    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []
