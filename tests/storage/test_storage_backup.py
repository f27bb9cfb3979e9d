"""Issue 14: `jianfu register backup` while the register is being written, and `restore` into a fresh database:
a consistent register, and a decision log that still verifies."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from jianfu.adapters.files.read import read_register
from jianfu.adapters.storage import decision_log as log
from jianfu.adapters.storage import open_store
from jianfu_cli import jianfu
from pg_schemas import POSTGRES, drop_schema, postgres_schema_url

ROOT = Path(__file__).resolve().parents[2]
REGISTER = ROOT / "examples" / "register.yaml"


@pytest.fixture
def fresh_url(db_url, tmp_path):
    """A second, empty database of the same kind as `db_url`, to restore into."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    assert POSTGRES
    url, schema = postgres_schema_url("jr")
    try:
        yield url
    finally:
        drop_schema(schema)


def _state(url: str) -> tuple[int, int, list[dict]]:
    store = open_store(url)
    try:
        with store.reading() as connection:
            count, problems = log.verify_connection(connection)
            assert problems == [], [str(p) for p in problems]
            entries = log.entries(connection, limit=100_000, newest_first=False)
        return len(store.records(limit=100_000)), count, entries
    finally:
        store.close()


def test_a_backup_taken_during_writes_restores_into_a_fresh_database(db_url, fresh_url, tmp_path):
    from jianfu.adapters.storage.backup import backup

    store = open_store(db_url)
    register = read_register(REGISTER)
    store.import_register(register, source="test")
    imported = len(register.records)
    template = register.records[0]
    stop, written = threading.Event(), []

    def writer():
        writes = open_store(db_url, migrate=False)  # another connection, as another clerk's process would be
        try:
            while not stop.is_set() and len(written) < 400:
                record = template.model_copy(update={"id": f"BK-{len(written)}"})
                writes.add_record(record, actor="写入者", role="office")
                written.append(record.id)
        finally:
            writes.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        target = tmp_path / ("backup.sqlite3" if db_url.startswith("sqlite") else "backup.jsonl.gz")
        backup(open_store(db_url, migrate=False), target)
    finally:
        stop.set()
        thread.join()
    assert len(written) >= 20

    done = jianfu("register", "restore", str(target), "--db", fresh_url)
    assert done.returncode == 0, done.stderr
    records, entries, log_rows = _state(fresh_url)
    # consistent: each write added a record and its log entry in one transaction, and the copy holds both or neither
    assert records - imported == entries == len([e for e in log_rows if e["action"] == "record"]) >= 20
    assert records - imported <= len(written)
    # and it restores only into an empty register
    again = jianfu("register", "restore", str(target), "--db", fresh_url)
    assert again.returncode == 2 and "空台账" in again.stderr
    store.close()


def test_the_command_line_backs_up_and_a_damaged_backup_is_refused(db_url, fresh_url, tmp_path):
    store = open_store(db_url)
    store.import_register(read_register(REGISTER), source="test")
    store.cancel(read_register(REGISTER).records[0].id, "测试", actor="甲", role="office")
    store.close()
    target = tmp_path / "b.bak"
    done = jianfu("register", "backup", str(target), "--db", db_url)
    assert done.returncode == 0, done.stderr
    broken = tmp_path / "broken.bak"
    broken.write_bytes(target.read_bytes()[: len(target.read_bytes()) // 2])
    refused = jianfu("register", "restore", str(broken), "--db", fresh_url)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert _state(fresh_url)[0] == 0  # nothing restored
    assert jianfu("register", "restore", str(target), "--db", fresh_url).returncode == 0
    records, entries, rows = _state(fresh_url)
    assert records == len(read_register(REGISTER).records) and [r["action"] for r in rows] == ["cancel"]
