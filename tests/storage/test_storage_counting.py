"""What counts toward each limit is said once (engine/counting.py): the SQL each register asks and the Python the
memory and running registers use select the same records, and no register spells a counting rule of its own."""

from __future__ import annotations

import ast
from pathlib import Path

from jianfu.adapters.storage import SqlRegister
from jianfu.bench import generate
from jianfu.engine import counting
from jianfu.engine.records import RegisterFile

ROOT = Path(__file__).resolve().parents[2]
LIMITS = (counting.SYSTEM_MEETINGS, counting.ROUTINE_MEETINGS, counting.COMPREHENSIVE_INSPECTIONS, counting.BULLETINS, counting.DOCUMENTS)
USERS = ("engine/register.py", "engine/audit/running.py", "engine/audit/run.py", "adapters/storage/sql_register.py", "adapters/storage/writes.py",
         "adapters/storage/audit_reads.py")


def test_sql_and_python_count_the_same_records(store):
    where = generate.province()
    records = list(generate.records(23, 2500, where))
    meetings = [r for r in records if r.kind == "meeting" and counting.counts(r)][:40]
    # art. 39's on-site office meetings are the declared ones (onsite_office: true), held as system meetings or not;
    # a title or topic that merely names 现场办公会 declares nothing
    records += [m.model_copy(update={"id": f"{m.id}-onsite", "onsite_office": i % 2 == 0,
                                     "title": "现场办公会" if i % 2 else m.title})
                for i, m in enumerate(meetings)]
    onsite = [r for r in records if r.kind == "meeting" and counting.counts(r) and counting.is_onsite_office_meeting(r)]
    assert any(r.scope == "citywide_system" for r in onsite)  # art. 39's exclusion is among what is compared
    named_only = [r for r in records if r.kind == "meeting" and "现场办公会" in r.title and not r.onsite_office]
    assert any(r.scope == "citywide_system" and counting.SYSTEM_MEETINGS.holds(r) for r in named_only)
    # a public column (to: public) is no bulletin of art. 6
    bulletins = [r for r in records if r.kind == "bulletin" and counting.counts(r)][:20]
    records += [b.model_copy(update={"id": f"{b.id}-public", "to": "public"}) for b in bulletins]
    assert {r.status for r in records} - counting.COUNTING_STATUSES  # and records that never count
    store.import_register(RegisterFile(units=where.units, records=records), source="test")
    with store.reading() as connection:
        register = SqlRegister(connection)
        for limit in LIMITS:
            in_sql = {row[0] for row in register.rows("SELECT id FROM records WHERE " + limit.sql())}
            in_python = {r.id for r in records if counting.counts(r) and limit.holds(r)}
            assert in_sql == in_python and in_python, limit.name
        public = {row[0] for row in register.rows("SELECT id FROM records WHERE " + counting.BULLETINS.sql())} & {b.id for b in records if b.id.endswith("-public")}
        assert public == set()


def test_every_register_reads_what_counts_from_the_one_module():
    for path in USERS:
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        modules = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        assert any(m == "counting" or m.endswith(".counting") for m in modules), path
        text = (ROOT / path).read_text(encoding="utf-8")
        for spelled in ("现场办公会", "= 'citywide_system'", 'scope == "citywide_system"', 'type == "comprehensive"', "in COUNTING_STATUSES",
                        "NOT onsite_office", "AND counts AND"):
            assert spelled not in text, (path, spelled)
