"""`jianfu bench --only audit` end to end on a small generated register: the figures the README reports are there,
consistent with each other, and the engine's audit agrees with the hand-written one on every record."""

from __future__ import annotations

import json
import os

from jianfu_cli import jianfu


def test_the_audit_benchmark_reports_its_figures(tmp_path):
    done = jianfu("bench", "--records", "4000", "--only", "audit", "--json", "--db", f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["records"] == figures["audit_register_records"] == 4000
    # the year's records are about half of a register spread over two years; fewer are checked (a pack from March)
    assert 1500 < figures["audit_year_records"] < 2500 and 0 < figures["audit_checked"] < figures["audit_year_records"]
    # what was read: the year's records and, of the year before, only what its questions reach
    assert figures["audit_year_records"] < figures["audit_records_read"] < 4000
    # SPEC's figure counts the register's records, the year's figure the year's, over the same seconds
    assert figures["audit_workers"] == (os.cpu_count() or 1)
    assert figures["audit_records_per_s"] > figures["audit_year_records_per_s"] > 0
    assert figures["audit_one_process_records_per_s"] > figures["audit_one_process_year_records_per_s"] > 0
    assert figures["audit_peak_rss_mb"] >= figures["audit_one_process_peak_rss_mb"] > 0
    assert figures["audit_plain_python_records_per_s"] > figures["audit_plain_python_year_records_per_s"] > 0
    assert figures["audit_plain_python_disagreements"] == 0 and figures["audit_plain_python_bulletin_disagreements"] == 0
    assert figures["audit_plain_python_advice_disagreements"] == 0
    assert figures["audit_plain_python_rules_excluded"] == []


def test_each_timed_audit_starts_from_the_database_file_read_once(tmp_path):
    """`warmed` reads an SQLite register's whole file, given as a URL or as a path; a server's database is not read."""
    from jianfu.bench.audit import warmed

    register = tmp_path / "台账.sqlite3"
    register.write_bytes(os.urandom(3 * (1 << 20) + 5))
    assert warmed(f"sqlite:///{register}") == warmed(str(register)) == 3 * (1 << 20) + 5
    assert warmed("postgresql://postgres@127.0.0.1:5432/test") == 0


def test_the_screening_benchmark_checks_the_same_rules_as_plain_python(tmp_path):
    """The screenings' yardstick decides as the engine does and gives the same advice (the unit's share of art. 6's
    cut, joint inspections, on-site checks): every rule the engine checks, plain Python checks too."""
    done = jianfu("bench", "--records", "3000", "--samples", "300", "--json", "--db", f"sqlite:///{tmp_path / 'bench.sqlite3'}")
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["samples"] == 300 and figures["plain_python_disagreements"] == 0
    assert figures["plain_python_median_us"] > 0 and figures["engine_to_plain_ratio"] > 0
