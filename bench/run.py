"""`jianfu bench`: the province-sized register, screenings through the real engine and register, the same checks in
plain Python, a department's plan pre-check, the yearly audit of 2019 (bench/audit.py, in a process of its own so
its peak memory is its own), peak memory. Figures, never assertions: see the README.
"""

from __future__ import annotations

import random
import resource
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable

from pydantic import TypeAdapter

from jianfu.adapters.storage import SqlRegister, open_store
from platformdirs import user_cache_dir

from jianfu import shipped
from jianfu.engine import Engine, Memo, load_folder
from jianfu.engine.evaluator import Evaluator
from jianfu.engine.records import RegisterFile
from jianfu.engine.requests import Plan, Submission

from . import audit as audit_bench
from . import generate
from .plain import plain_screening

CACHE = Path(user_cache_dir("jianfu")) / "bench"  # generated registers, kept between runs (never in the install)
REQUEST = TypeAdapter(Submission)
BATCH = 50_000


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_children_rss_mb() -> float:
    """The peak resident memory of the largest finished child process."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def load(store, seed: int, count: int, say: Callable[[str], None]) -> float:
    """Fill an empty register with the generated province; seconds taken."""
    started = time.perf_counter()
    where = generate.province()
    store.import_register(RegisterFile(units=where.units, plans=generate.plans(where)), source="bench")
    batch: list[Any] = []
    done = 0
    for record in generate.records(seed, count, where):
        batch.append(record)
        if len(batch) == BATCH:
            store.import_register(RegisterFile.model_construct(units=[], records=batch, plans=[]), source="bench")
            done += len(batch)
            batch = []
            say(f"loaded {done}/{count} records")
    if batch:
        store.import_register(RegisterFile.model_construct(units=[], records=batch, plans=[]), source="bench")
    return time.perf_counter() - started


def screening_requests(seed: int, count: int) -> list[Any]:
    """Requests of Jingdezhen's city departments in 2019, after the pack took effect, of every kind."""
    rng = random.Random(seed * 31 + 1)
    departments = [f"景德镇市{d}" for d in generate.CITY_DEPARTMENTS]
    out = []
    for i in range(count):
        unit = rng.choice(departments)
        day = date(2019, 3, 20) + timedelta(days=rng.randrange(280))
        kind = rng.choice(("document", "meeting", "inspection", "bulletin"))
        data: dict[str, Any] = {"id": f"BENCH-{i:05d}", "kind": kind, "jurisdiction": "景德镇市", "unit": unit, "date": day.isoformat(),
                                "title": f"基准申请{i}", "topics": rng.sample(generate.TOPICS, rng.randrange(0, 3))}
        if kind == "document":
            data.update(issuer=rng.choice(("department", "city_government")), remit="department", subject=rng.choice(generate.DOC_SUBJECTS))
        elif kind == "meeting":
            data.update(held_in_name_of="department", remit="department", scope=rng.choice(("citywide_system", "other")),
                        routine=rng.random() < 0.5, attendees=[{"unit": rng.choice(departments), "directly_related": rng.random() < 0.8}])
        elif kind == "inspection":
            data.update(type=rng.choice(("comprehensive", "special")), scope="citywide", plan_item=f"{unit}-2019-{rng.randrange(6)}",
                        work_plan={"targets": ["整改到位"], "indicators": [{"name": rng.choice(["整改完成率", "领导批示件数"]), "target": "95%"}]})
        else:
            data.update(series=f"{unit}工作简报", issue_no=i)
        out.append(REQUEST.validate_python(data))
    return out


def department_plan(unit: str) -> Plan:
    items = []
    for m in range(4, 13):
        items.append({"id": f"P-{m}-M", "kind": "meeting", "date": f"2019-{m:02d}-05", "title": f"{m}月工作会议", "topics": ["项目建设"],
                      "held_in_name_of": "department", "remit": "department", "scope": "citywide_system" if m == 4 else "other", "routine": True})
        items.append({"id": f"P-{m}-B", "kind": "bulletin", "date": f"2019-{m:02d}-20", "series": f"{unit}工作简报", "issue_no": m})
        items.append({"id": f"P-{m}-I", "kind": "inspection", "date": f"2019-{m:02d}-12", "type": "special", "scope": "citywide",
                      "work_plan": {"targets": ["达标"], "indicators": [{"name": "完成率", "target": "90%"}]}})
        items.append({"id": f"P-{m}-D", "kind": "document", "date": f"2019-{m:02d}-25", "issuer": "department", "remit": "department",
                      "subject": f"年度事项{m}"})
    return Plan.model_validate({"id": "BENCH-PLAN", "kind": "plan", "jurisdiction": "景德镇市", "unit": unit, "year": 2019, "items": items})


def audit_figures(db: str, say: Callable[[str], None]) -> dict[str, Any]:
    """The yearly audit of 2019 as `jianfu audit --db` runs it by default (one process per core), then in one process
    and hand-written in plain Python; each audit in a process of its own."""
    from jianfu.adapters.cli.audit import default_workers

    workers = default_workers()
    say(f"the yearly audit of 2019 in {workers} process(es), as jianfu audit runs it …")
    default = audit_bench.in_own_process(db, 2019, workers)
    if workers > 1:
        say("the yearly audit again in one process, and hand-written in plain Python …")
        one = audit_bench.in_own_process(db, 2019, 1)
    else:
        one = default
    plain = {name: value for name, value in one.items() if name.startswith("audit_plain_python_") or name == "audit_engine_to_plain_ratio"}
    return {
        "audit_year": one["year"],
        "audit_year_records": one["year_records"],
        "audit_checked": one["checked"],
        "audit_violations": one["violations"],
        "audit_records_read": one["records_read"],
        "audit_register_records": one["register_records"],
        "audit_workers": workers,
        "audit_s": default["s"],
        "audit_records_per_s": default["records_per_s"],
        "audit_year_records_per_s": default["year_records_per_s"],
        "audit_peak_rss_mb": default["peak_rss_mb"],
        "audit_one_process_s": one["s"],
        "audit_one_process_load_s": one["load_s"],
        "audit_one_process_records_per_s": one["records_per_s"],
        "audit_one_process_year_records_per_s": one["year_records_per_s"],
        "audit_one_process_peak_rss_mb": one["peak_rss_mb"],
        **plain,
    }


def run(records: int = 1_000_000, db: str | None = None, seed: int = 7, samples: int = 2_000, say: Callable[[str], None] | None = None,
        only: str | None = None) -> dict[str, Any]:
    """The whole benchmark, or (`only="audit"`) the register and the yearly audit alone, screenings left out."""
    say = say or (lambda message: print(message, file=sys.stderr))
    if db is None:
        CACHE.mkdir(parents=True, exist_ok=True)
        path = CACHE / f"province-{seed}-{records}.sqlite3"
        marker = path.with_suffix(".complete")
        if path.exists() and not marker.exists():
            for stale in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                stale.unlink(missing_ok=True)
        db = str(path)
    else:
        marker = None
    store = open_store(db)
    load_s = None
    if store.counts()["records"] == 0:
        say(f"generating and loading {records} records into {store.url} …")
        load_s = load(store, seed, records, say)
        if marker is not None:
            marker.write_text("ok")
    in_register = store.counts()["records"]
    if only == "audit":
        store.close()
        return {"records": in_register, "database": store.dialect, "load_s": round(load_s, 1) if load_s is not None else None, **audit_figures(db, say)}
    engine = Engine(load_folder(shipped("rules")))
    requests = screening_requests(seed, samples)

    say("screening through the engine …")
    audit_bench.warmed(db)  # each timed part starts from the file in the page cache (bench.audit.warmed)
    for request in requests[:200]:
        store.decide(engine, request)  # warm-up: rulesets compiled, caches filled
    engine_us, decisions = [], []
    for request in requests:
        started = time.perf_counter_ns()
        decisions.append(store.decide(engine, request))
        engine_us.append((time.perf_counter_ns() - started) / 1000)

    say("again, durable-rules evaluating every request (no memo) …")
    fresh = Engine(engine.catalog, Evaluator(), Memo.off())
    for request in requests[:200]:
        store.decide(fresh, request)
    fresh_us = []
    for request in requests:
        started = time.perf_counter_ns()
        store.decide(fresh, request)
        fresh_us.append((time.perf_counter_ns() - started) / 1000)

    say("the same checks in plain Python …")
    audit_bench.warmed(db)  # its queries read index pages the engine's do not (the city's bulletins): from the cache too
    plain_us: list[float] = []
    mismatches = 0
    if store.dialect == "sqlite":
        raw = store.engine.raw_connection()
        try:
            for request, decision in zip(requests, decisions):
                started = time.perf_counter_ns()
                verdict, advice = plain_screening(raw.driver_connection, request)
                plain_us.append((time.perf_counter_ns() - started) / 1000)
                given = sorted(f.rule for f in decision.findings if f.severity == "advice")
                mismatches += verdict != decision.decision or sorted(advice) != given
        finally:
            raw.close()

    say("a department's plan pre-check …")
    plan = department_plan("景德镇市教育局")
    with store.reading() as connection:
        started = time.perf_counter()
        checked = engine.check_plan(plan, SqlRegister(connection))
        plan_ms = (time.perf_counter() - started) * 1000

    audited = audit_figures(db, say)

    result = {
        "records": in_register,
        "database": store.dialect,
        "samples": len(requests),
        "screening_median_us": round(statistics.median(engine_us), 1),
        "screening_p99_us": round(percentile(engine_us, 99), 1),
        "screening_without_memo_median_us": round(statistics.median(fresh_us), 1),
        "screening_without_memo_p99_us": round(percentile(fresh_us, 99), 1),
        "plain_python_median_us": round(statistics.median(plain_us), 1) if plain_us else None,
        "plain_python_p99_us": round(percentile(plain_us, 99), 1) if plain_us else None,
        "engine_to_plain_ratio": round(statistics.median(engine_us) / statistics.median(plain_us), 2) if plain_us else None,
        "plain_python_disagreements": mismatches if plain_us else None,
        "rejected_share": round(sum(not d.approved for d in decisions) / len(decisions), 3),
        "plan_items": len(plan.items),
        "plan_check_ms": round(plan_ms, 1),
        "plan_rejected_items": sum(not d.approved for d in checked.decisions),
        "load_s": round(load_s, 1) if load_s is not None else None,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        **audited,
    }
    store.close()
    return result
