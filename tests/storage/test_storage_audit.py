"""The audit from the database (SQLite and PostgreSQL): read one jurisdiction at a time it gives the same report as
the same register read from a file, and approvals recorded in the database (not in the record) are honoured."""

from __future__ import annotations

import os
import signal
import tempfile
import time
from datetime import date

import pytest
from pydantic import ValidationError
from sqlalchemy import update

from jianfu.adapters.storage import tables as t
from jianfu.bench import generate
from jianfu.bench.audit import province_catalog
from jianfu.engine import AuditIncomplete, Engine
from jianfu.adapters.storage.audit_workers import audit
from jianfu.engine.audit import read_from, with_parameters
from jianfu.engine.records import RegisterFile
from jianfu.engine.requests import Approval


def _province_in(store, seed: int, count: int):
    """A generated province imported into the store, and an engine applying pack 004 to all of it."""
    where = generate.province()
    records = list(generate.records(seed, count, where))
    plans = generate.plans(where)
    store.import_register(RegisterFile(units=where.units, records=records, plans=plans), source="test")
    engine = Engine(province_catalog(sorted({u.jurisdiction for u in where.units if u.jurisdiction})))
    return where, records, plans, engine


def test_the_database_read_by_jurisdiction_gives_the_same_audit_as_the_file(store):
    where, records, plans, engine = _province_in(store, 13, 1500)
    from_db = audit(engine, store.units(), year=2019, parts=store.audit_parts(2019), total=store.count_records(2019))
    from_file = audit(engine, where.units, records, plans, 2019)
    assert from_db.records_in_year == store.count_records(2019) > 500
    assert from_db.as_dict() == from_file.as_dict()


def _two_system_meetings(store) -> None:
    """A department's two city-wide system meetings of 2019: the second one is over art. 8's limit of one."""
    meeting = {"kind": "meeting", "jurisdiction": "景德镇市", "unit": "市教育局", "held_in_name_of": "department", "remit": "department",
               "scope": "citywide_system", "routine": False, "status": "held"}
    data = RegisterFile.model_validate({"units": [{"name": "市教育局", "type": "department", "level": "city", "jurisdiction": "景德镇市"}], "records": [
        {**meeting, "id": "M-1", "date": "2019-04-01", "title": "第一次系统会议"},
        {**meeting, "id": "M-2", "date": "2019-06-01", "title": "第二次系统会议"},
    ]})
    store.import_register(data, source="test")


def test_reading_only_what_the_years_questions_reach_gives_the_audit_of_the_whole_register(store):
    """The audit reads, of the years before, only what a question about the year can reach: records of the days
    within the widest window before it, documents still valid, and earlier bulletins counted. With the pack in force
    from the first day of the year, a routine meeting of late December counts for one of early January, a document
    of 2017 still valid counts, an expired one does not, and the baseline's bulletins are counted all the same."""
    where = generate.province()
    records = list(generate.records(21, 2500, where))
    unit = next(u for u in where.units if u.jurisdiction == "景德镇市" and u.type == "department")
    base = {"jurisdiction": "景德镇市", "unit": unit.name, "status": "held"}
    meeting = {**base, "kind": "meeting", "held_in_name_of": "department", "remit": "department", "scope": "other", "routine": True, "topics": ["边界议题"]}
    document = {**base, "kind": "document", "status": "issued", "issuer": "department", "remit": "department", "subject": "边界事项"}
    edge = RegisterFile.model_validate({"records": [
        {**meeting, "id": "EDGE-M-2018", "date": "2018-12-20", "title": "年末部署会"},
        {**meeting, "id": "EDGE-M-2019", "date": "2019-01-05", "title": "年初部署会"},
        {**document, "id": "EDGE-D-2017", "date": "2017-05-01", "title": "仍有效的文件", "doc_no": "景字〔2017〕1号", "valid_until": "2020-12-31"},
        {**document, "id": "EDGE-D-2017X", "date": "2017-05-02", "title": "已失效的文件", "doc_no": "景字〔2017〕2号", "valid_until": "2018-12-31"},
        {**document, "id": "EDGE-D-2019", "date": "2019-02-01", "title": "重复发文", "doc_no": "景字〔2019〕9号"},
    ]})
    store.import_register(RegisterFile(units=where.units, records=records, plans=generate.plans(where)), source="test")
    store.import_register(edge, source="test")
    engine = Engine(province_catalog(sorted({u.jurisdiction for u in where.units if u.jurisdiction}), effective_from="2018-01-01"))
    since = read_from(engine.catalog, 2019)
    assert since == date(2018, 10, 3)  # art. 13's 90-day closure window (findings_closure_days) reaches furthest
    assert read_from(with_parameters(engine.catalog, {"routine_merge_window_days": 90}), 2019) == date(2018, 10, 3)  # a what-if's wider one
    narrow = audit(engine, store.units(), year=2019, parts=store.audit_parts(2019, since))
    whole = audit(engine, store.units(), year=2019, parts=store.audit_parts(2019))
    assert store.audit_reads(2019, since) < store.audit_reads(2019) * 0.8
    assert narrow.as_dict() == whole.as_dict()
    found = {v.record_id: {f.rule for f in v.findings} for v in narrow.violations}
    assert "merge_similar_routine_meetings" in found["EDGE-M-2019"]
    assert "no_duplicate_document" in found["EDGE-D-2019"]
    assert "EDGE-D-2017X" not in str(next(v for v in narrow.violations if v.record_id == "EDGE-D-2019").findings)
    assert narrow.baseline_issues == sum(1 for r in records if r.kind == "bulletin" and r.date.year == 2018 and r.status == "issued") > 50


def test_an_approval_recorded_in_the_database_is_a_waiver_used(store, engine):
    _two_system_meetings(store)
    units = store.units()
    before = audit(engine, units, year=2019, parts=store.audit_parts(2019))
    assert [v.record_id for v in before.violations] == ["M-2"] and before.waivers == []
    store.add_approval("M-2", Approval(by="city_government", ref="景府字〔2019〕3号", date=date(2019, 5, 20), covers="8"), actor="office")
    after = audit(engine, units, year=2019, parts=store.audit_parts(2019))
    assert after.violations == [] and [w.record_id for w in after.waivers] == ["M-2"]
    assert "景府字〔2019〕3号" in after.waivers[0].findings[0].message


def test_two_worker_processes_give_the_serial_audit(store, tmp_path, monkeypatch):
    """The worker's parts come back through files in a spool of the audit's own, which is gone once the audit is."""
    engine = _province_in(store, 17, 1200)[3]
    units = store.units()
    serial = audit(engine, units, year=2019, parts=store.audit_parts(2019))
    seen: list[int] = []
    spools = tmp_path / "spools"
    spools.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spools))
    parallel = audit(engine, units, year=2019, loaders=store.audit_loaders(2019), workers=2, progress=lambda done, total: seen.append(done))
    assert parallel.as_dict() == serial.as_dict()
    assert seen and seen[-1] == serial.records_in_year > 300
    assert list(spools.iterdir()) == []


def _dying_in_the_worker(load, parent: int):
    """A part's loader that kills the forked worker running it (as the kernel's out-of-memory killer would), and
    takes its time in the parent, so that the worker has begun before the parent has audited every part."""

    def loaded():
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        time.sleep(0.05)
        return load()

    return loaded


def test_a_worker_process_that_dies_fails_the_audit_instead_of_hanging(store, tmp_path, monkeypatch):
    """A part claimed by a worker that dies is nobody's: the audit stops with AuditIncomplete (no report that would
    show its units as compliant, and no wait for an answer that never comes), and the spool is removed."""
    engine = _province_in(store, 17, 1200)[3]
    spools = tmp_path / "spools"
    spools.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spools))
    loaders = [_dying_in_the_worker(load, os.getpid()) for load in store.audit_loaders(2019)]
    with pytest.raises(AuditIncomplete, match="工作进程意外退出"):
        audit(engine, store.units(), year=2019, loaders=loaders, workers=2)
    assert list(spools.iterdir()) == []


def test_a_damaged_body_in_a_part_a_worker_audits_fails_the_audit_naming_the_field(store):
    """The error a worker meets comes back to the parent as itself: a damaged stored body names its field."""
    engine = _province_in(store, 17, 1200)[3]
    first = store.jurisdictions()[0]  # the workers take the parts from the front
    with store.writing() as connection:
        row = connection.execute(t.records.select().where(t.records.c.jurisdiction == first, t.records.c.year == 2019,
                                                          t.records.c.kind == "meeting", t.records.c.counts)).first()
        connection.execute(update(t.records).where(t.records.c.id == row.id).values(body=row.body.replace('"routine": false', '"routine": "no"').replace('"routine": true', '"routine": "no"')))
    with pytest.raises(ValidationError, match="routine"):
        audit(engine, store.units(), year=2019, loaders=store.audit_loaders(2019), workers=2)


def test_a_damaged_body_of_a_record_the_audit_decides_fails_the_audit(store, engine):
    """The audit reads the register's columns and validates a record's stored body again when it decides it: a body
    damaged in the database is an error naming the field, never a record decided on what it could not read."""
    _two_system_meetings(store)
    assert [v.record_id for v in audit(engine, store.units(), year=2019, parts=store.audit_parts(2019)).violations] == ["M-2"]
    with store.writing() as connection:
        body = connection.execute(t.records.select().where(t.records.c.id == "M-2")).first().body
        connection.execute(update(t.records).where(t.records.c.id == "M-2").values(body=body.replace('"routine": false', '"routine": "no"')))
    with pytest.raises(ValidationError, match="routine"):
        audit(engine, store.units(), year=2019, parts=store.audit_parts(2019))


def test_an_audit_part_is_read_from_the_index_by_jurisdiction_and_date(tmp_path):
    """The year's rows and the earlier ones are found by jurisdiction and date in the index of migration 0003, and
    the reach's filter is answered there too: no walk through every record the jurisdiction ever had (the audit of
    a province read three table rows for each one it kept). The bulletins before the reach are counted from the
    index alone, and so are the year's records that count."""
    from jianfu.adapters.storage import open_store
    from jianfu.adapters.storage.store import AUDIT_EARLIER_ROWS, AUDIT_TALLY, AUDIT_YEAR_ROWS, _reach

    store = open_store(f"sqlite:///{tmp_path / 'register.sqlite3'}")
    try:
        raw = store.engine.raw_connection()
        try:
            reach, params = _reach(date(2018, 12, 1))
            plans = {
                "year": raw.execute("EXPLAIN QUERY PLAN " + AUDIT_YEAR_ROWS, {"j": "景德镇市", "start": "2019-01-01", "end": "2019-12-31"}).fetchall(),
                "earlier": raw.execute("EXPLAIN QUERY PLAN " + AUDIT_EARLIER_ROWS + reach,
                                       {"j": "景德镇市", "start": "2019-01-01", **{k: v.isoformat() for k, v in params.items()}}).fetchall(),
                "tally": raw.execute("EXPLAIN QUERY PLAN " + AUDIT_TALLY, {"j": "景德镇市", "since": "2018-12-01"}).fetchall(),
                "count": raw.execute("EXPLAIN QUERY PLAN " + str(store.count_statement(2019).compile(
                    store.engine, compile_kwargs={"literal_binds": True}))).fetchall(),
            }
        finally:
            raw.close()
    finally:
        store.close()
    assert "USING INDEX ix_records_place_date (jurisdiction=? AND date>? AND date<?)" in plans["year"][0][-1]
    assert "USING INDEX ix_records_place_date (jurisdiction=? AND date<?)" in plans["earlier"][0][-1]
    assert "USING COVERING INDEX ix_records_place_date (jurisdiction=? AND date<?)" in plans["tally"][0][-1]
    assert "USING COVERING INDEX ix_records_year_kind (year=?)" in plans["count"][0][-1]


def test_the_paused_collector_leaves_no_cycles_of_the_walk_behind(store, monkeypatch):
    """With the collector paused for the audit, the cycles durable-rules leaves at each evaluation are collected
    after a part once the engine has evaluated enough times since the last collection (audit_workers.Collections,
    EVALUATIONS): left to the audit's end they held gigabytes at a million records. With the memo off every record
    is evaluated, so each part leaves some; here the bound is set low enough for this small register."""
    import gc

    from jianfu.adapters.storage import audit_workers
    from jianfu.engine import Memo

    monkeypatch.setattr(audit_workers, "EVALUATIONS", 20)

    where, _, _, engine = _province_in(store, 5, 1500)
    off = Engine(engine.catalog, memo=Memo.off())
    gc.collect()
    gc.disable()  # kept off after the audit too, so that nothing collects what the walk left before it is counted
    try:
        result = audit(off, where.units, year=2019, parts=store.audit_parts(2019, read_from(off.catalog, 2019)))
        left = gc.collect()
    finally:
        gc.enable()
    assert result.records_in_year > 300  # the walk evaluated hundreds of records
    assert left < 1_000  # left unreachable: less than the bound, not the walk's tens of thousands


def test_the_report_leaves_the_paused_collector_in_the_oldest_generation(store):
    """Switched back on, the collector would scan everything the walk kept (the whole report) at the next allocation:
    what the walk kept is moved to the oldest generation instead, unscanned (audit_workers._promoted). A process that
    keeps objects frozen of its own keeps them frozen."""
    import gc

    where, _, _, engine = _province_in(store, 5, 1500)
    gc.collect()
    gc.disable()  # so that nothing collects the youngest generation before it is counted
    try:
        result = audit(engine, where.units, year=2019, parts=store.audit_parts(2019, read_from(engine.catalog, 2019)))
        young = len(gc.get_objects(generation=0))
    finally:
        gc.enable()
    assert len(result.violations) > 100 and young < 100, young  # the report's findings alone are thousands of objects

    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        audit(engine, where.units, year=2019, parts=store.audit_parts(2019, read_from(engine.catalog, 2019)))
        assert gc.get_freeze_count() > frozen * 0.9  # a few frozen objects freed, none let go (unfrozen: 0)
    finally:
        gc.unfreeze()
