"""The yearly audit of the generated province, timed in a process of its own (so its peak memory is its own).

The seeded province has rule packs for only a few of its cities; to time an audit that re-checks every record, the
benchmark applies the Jingdezhen pack (004) to every jurisdiction of the province (a copy of the pack, changed in
its `jurisdiction` list only). Run: `python -m bench.audit DB YEAR` prints one JSON object.
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

ROOT = Path(__file__).resolve().parents[1]


def province_catalog(places: list[str]):
    from engine import load_folder

    folder = Path(tempfile.mkdtemp(prefix="jianfu-bench-packs-"))
    try:
        shutil.copytree(ROOT / "rules" / "sources", folder / "sources")
        text = (ROOT / "rules" / "jingdezhen-2019.yaml").read_text(encoding="utf-8")
        text = re.sub(r"(?m)^jurisdiction: \[景德镇市\]$", "jurisdiction: [" + ", ".join(places) + "]", text, count=1)
        (folder / "province.yaml").write_text(text, encoding="utf-8")
        return load_folder(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(db: str, year: int) -> dict[str, Any]:
    """Audit `year` of the register at `db` the way `jianfu audit --db` does; figures only."""
    from adapters.storage import open_store
    from engine import Engine
    from engine.audit import audit

    from .run import peak_rss_mb

    store = open_store(db)
    units = store.register_file(years=[]).units
    places = sorted({u.jurisdiction for u in units if u.jurisdiction})
    engine = Engine(province_catalog(places))
    total = store.count_records(year)
    started = time.perf_counter()
    result = audit(engine, units, year=year, parts=store.audit_parts(year), total=total)
    seconds = time.perf_counter() - started
    store.close()
    return {
        "audit_year": year,
        "audit_records": result.records_in_year,
        "audit_checked": result.records_in_year - len(result.not_checked),
        "audit_violations": len(result.violations),
        "audit_s": round(seconds, 1),
        "audit_records_per_s": round(result.records_in_year / seconds) if seconds else None,
        "audit_peak_rss_mb": round(peak_rss_mb(), 1),
    }


def in_own_process(db: str, year: int) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "bench.audit", db, str(year)], capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout)


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]))))
