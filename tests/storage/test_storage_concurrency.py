"""Two simultaneous requests for the last slot of a limit never both get approved: many threads and processes
race for it, on SQLite and on PostgreSQL, and exactly the free slots are given."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

from pydantic import TypeAdapter

from jianfu.adapters.storage import open_store
from jianfu.engine import Engine, load_folder
from jianfu.engine.records import Record, RegisterFile, Unit
from jianfu.engine.requests import Submission

RULES = Path(__file__).resolve().parents[2] / "rules"
REQUEST = TypeAdapter(Submission)
RECORD = TypeAdapter(Record)
UNIT = "市教育局"


def meeting(i: int) -> dict:
    return {
        "id": f"M-{i:03d}", "kind": "meeting", "jurisdiction": "景德镇市", "unit": UNIT, "date": f"2019-{(i % 9) + 4:02d}-10",
        "title": f"全市教育系统会议{i}", "held_in_name_of": "department", "remit": "department",
        "scope": "citywide_system", "routine": False,
    }


def bulletin(i: int, year: int = 2019, status: str | None = None) -> dict:
    data = {"id": f"B-{year}-{i:03d}", "kind": "bulletin", "jurisdiction": "景德镇市", "unit": UNIT,
            "date": f"{year}-{(i % 9) + 4:02d}-{(i % 27) + 1:02d}", "series": "教育简报", "issue_no": i}
    if status:
        data["status"] = status
    return data


def _race(store, engine, requests, threads: int = 8):
    results, errors = [], []
    barrier = threading.Barrier(len(requests))

    def attempt(request):
        try:
            barrier.wait()
            results.append(store.decide_and_record(engine, request))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    workers = [threading.Thread(target=attempt, args=(r,)) for r in requests]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors, errors
    return results


def test_threads_race_for_the_one_system_meeting(store, engine):
    store.add_unit(Unit(name=UNIT, type="department", level="city"))
    results = _race(store, engine, [REQUEST.validate_python(meeting(i)) for i in range(16)])
    assert sum(d.approved for d in results) == 1
    assert sum(1 for r in store.records(unit=UNIT, kind="meeting") if r["status"] == "approved") == 1


def test_threads_race_for_the_last_bulletin_issues(store, engine):
    # 2018: 5 issues → 2019 quota floor(5 × 0.8) = 4; 2 already issued → exactly 2 slots are left.
    history = [bulletin(i, 2018, "issued") for i in range(5)] + [bulletin(i, 2019, "issued") for i in range(2)]
    store.import_register(
        RegisterFile(units=[Unit(name=UNIT, type="department", level="city")], records=[RECORD.validate_python(r) for r in history]),
        source="test",
    )
    results = _race(store, engine, [REQUEST.validate_python(bulletin(100 + i)) for i in range(12)])
    assert sum(d.approved for d in results) == 2
    assert all("bulletin_cut" in [f.rule for f in d.blocking] for d in results if not d.approved)


def _process_attempts(url: str, start: int, count: int, queue) -> None:
    store = open_store(url, migrate=False)
    engine = Engine(load_folder(RULES))
    approvals = 0
    for i in range(start, start + count):
        approvals += store.decide_and_record(engine, REQUEST.validate_python(meeting(i))).approved
    queue.put(approvals)
    store.close()


def test_processes_race_for_the_one_system_meeting(store, db_url):
    store.add_unit(Unit(name=UNIT, type="department", level="city"))
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    workers = [context.Process(target=_process_attempts, args=(db_url, p * 5, 5, queue)) for p in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
        assert w.exitcode == 0
    approvals = sum(queue.get(timeout=5) for _ in workers)
    assert approvals == 1
    assert sum(1 for r in store.records(unit=UNIT, kind="meeting") if r["status"] == "approved") == 1
