"""The yearly audit of the generated province, timed in a process of its own (so its peak memory is its own).

The seeded province has rule packs for only a few of its cities; to time an audit that re-checks every record, the
benchmark applies the Jingdezhen pack (004) to every jurisdiction of the province (a copy of the pack, changed in
its `jurisdiction` list only). `python -m jianfu.bench.audit DB YEAR [WORKERS]` prints one run's figures as one JSON
object; `bench/run.py` names them in `jianfu bench --json`:

- `audit_records_per_s` is SPEC's figure ("the yearly audit of that register ≥ 50,000 records/s"): the register's
  records (every one, of every year and status: the 1,000,000 SPEC sizes the register by) over the seconds of the
  audit as `jianfu audit --db` runs it by default, one process per core (`audit_workers`), reading the database
  included. `audit_year_records_per_s` is the audited year's records over the same seconds (the audit decides those;
  of the years before it reads what the year's questions reach: documents still valid, the days of the widest window,
  the earlier bulletins counted). `audit_peak_rss_mb` is that audit's peak memory; with workers a bound, the parent's
  peak plus each worker at the largest one's.
- `audit_one_process_…`: the same audit in one process, and `audit_one_process_load_s`, the part of its seconds spent
  reading the database (the rows only: a record is validated and built when the walk takes it).

Then (one process, SQLite) the same audit hand-written in plain Python (bench/plain_audit.py), timed the same way,
reading included: `audit_plain_python_records_per_s` (and `…_year_records_per_s`), `audit_engine_to_plain_ratio` (the
one-process engine audit's seconds over plain Python's) and `audit_plain_python_disagreements` (records whose violated
blocking rules differ, which must be 0; records whose advice differs are `audit_plain_python_advice_disagreements`,
the units whose bulletin counts differ `audit_plain_python_bulletin_disagreements`).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from jianfu import shipped



def province_catalog(places: list[str], effective_from: str | None = None):
    """Pack 004 applied to every place (and, for a test, in force from another day)."""
    from jianfu.engine import load_folder

    folder = Path(tempfile.mkdtemp(prefix="jianfu-bench-packs-"))
    try:
        shutil.copytree(shipped("rules") / "sources", folder / "sources")
        text = (shipped("rules") / "jingdezhen-2019.yaml").read_text(encoding="utf-8")
        text = re.sub(r"(?m)^jurisdiction: \[景德镇市\]$", "jurisdiction: [" + ", ".join(places) + "]", text, count=1)
        if effective_from is not None:  # the pack and its parameters' values
            text = text.replace('"2019-03-19"', f'"{effective_from}"')
        (folder / "province.yaml").write_text(text, encoding="utf-8")
        return load_folder(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(db: str, year: int, workers: int = 1) -> dict[str, Any]:
    """Audit `year` of the register at `db` the way `jianfu audit --db` does; figures only."""
    from jianfu.adapters.storage import open_store
    from jianfu.engine import Engine
    from jianfu.adapters.storage.audit_workers import audit
    from jianfu.engine.audit import read_from

    from .run import peak_children_rss_mb, peak_rss_mb

    store = open_store(db)
    units = store.units()
    places = sorted({u.jurisdiction for u in units if u.jurisdiction})
    engine = Engine(province_catalog(places))
    reach = read_from(engine.catalog, year)
    total = store.count_records(year)
    loading = [0.0]

    def timed(parts):
        while True:
            started = time.perf_counter()
            part = next(parts, None)
            loading[0] += time.perf_counter() - started
            if part is None:
                return
            yield part

    started = time.perf_counter()
    if workers > 1:
        result = audit(engine, units, year=year, loaders=store.audit_loaders(year, reach), workers=workers, total=total)
    else:
        result = audit(engine, units, year=year, parts=timed(store.audit_parts(year, reach)), total=total)
    seconds = time.perf_counter() - started
    read = store.audit_reads(year, reach)  # the records the parts held (the year's, and what its questions reach before it)
    register = store.counts()["records"]
    # the engine audit's own peak, before the plain one runs; with workers, at most the parent's (it audits parts
    # too) plus each forked worker at the largest one's peak
    peak = peak_rss_mb() + (workers - 1) * peak_children_rss_mb()
    plain = plain_figures(store, year, result, seconds, register) if workers == 1 and store.dialect == "sqlite" else {}
    store.close()
    return {
        "workers": workers,
        "year": year,
        "year_records": result.records_in_year,
        "checked": result.records_in_year - len(result.not_checked),
        "violations": len(result.violations),
        "records_read": read,
        "register_records": register,
        "s": round(seconds, 1),
        "load_s": round(loading[0], 1) if workers == 1 else None,  # with workers, the reading happens in them
        "records_per_s": round(register / seconds) if seconds else None,
        "year_records_per_s": round(result.records_in_year / seconds) if seconds else None,
        "peak_rss_mb": round(peak, 1),
        **plain,
    }


def plain_figures(store, year: int, result, engine_seconds: float, register: int) -> dict[str, Any]:
    """The same audit hand-written in plain Python over the same database, and where it differs from the engine's."""
    from .plain_audit import PLAIN_EXCLUDED, disagreements, plain_audit

    raw = store.engine.raw_connection()
    try:
        started = time.perf_counter()
        plain = plain_audit(raw.driver_connection, year)
        seconds = time.perf_counter() - started
    finally:
        raw.close()
    differ = disagreements(result, plain)
    return {
        "audit_plain_python_s": round(seconds, 1),
        "audit_plain_python_records_per_s": round(register / seconds) if seconds else None,
        "audit_plain_python_year_records_per_s": round(plain.records / seconds) if seconds else None,
        "audit_engine_to_plain_ratio": round(engine_seconds / seconds, 2) if seconds else None,
        "audit_plain_python_disagreements": differ["records"],
        "audit_plain_python_advice_disagreements": differ["advice_records"],
        "audit_plain_python_bulletin_disagreements": differ["bulletin_units"],
        "audit_plain_python_records_in_year_difference": differ["records_in_year"],
        "audit_plain_python_rules_excluded": PLAIN_EXCLUDED,
    }


def warmed(db: str) -> int:
    """Read an SQLite database's file once, end to end, and return its bytes (0 for a server's database).

    Each timed audit starts from the file in the machine's page cache, so that runs compare: this project's machine
    lets go of cached files within a minute or two (1.49 GB cached after reading the 1,000,000-record register, 1.18 GB
    a minute later), and reading the year's rows of that register from a file the cache had let go took 9.9 s, against
    1.7 s from the cache. The first audit after such a pause pays the difference."""
    from jianfu.adapters.storage.store import sqlite_file

    path = sqlite_file(db)
    if path is None:
        return 0
    size = 0
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            size += len(chunk)
    return size


def in_own_process(db: str, year: int, workers: int = 1) -> dict[str, Any]:
    warmed(db)
    done = subprocess.run([sys.executable, "-m", "jianfu.bench.audit", db, str(year), str(workers)], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout)


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 1)))
