"""Issue 14: a batch recorded from the command line is one transaction, and every recording, whatever the route, is
in the hash-chained decision log with who made it (`--as NAME`, else the operating system's user)."""

from __future__ import annotations

import getpass
from pathlib import Path

import yaml

from jianfu.adapters.storage import decision_log as log
from jianfu.adapters.storage import open_store
from jianfu_cli import jianfu

ROOT = Path(__file__).resolve().parents[2]
REGISTER = ROOT / "examples" / "register.yaml"
REQUESTS = yaml.safe_load((ROOT / "examples" / "requests.yaml").read_text(encoding="utf-8"))
APPROVED = next(r for r in REQUESTS if r["id"] == "REQ-2019-0510-02")  # approved against the sample register


def _imported(db_url: str) -> None:
    done = jianfu("register", "import", str(REGISTER), "--db", db_url, "--as", "李四")
    assert done.returncode == 0, done.stderr


def _log(db_url: str) -> list[dict]:
    store = open_store(db_url)
    try:
        with store.reading() as connection:
            count, problems = log.verify_connection(connection)
            assert problems == []
            return log.entries(connection, limit=1000, newest_first=False)
    finally:
        store.close()


def _has_record(db_url: str, record_id: str) -> bool:
    store = open_store(db_url)
    try:
        return store.record(record_id) is not None
    finally:
        store.close()


def test_a_batch_whose_second_item_cannot_be_decided_records_nothing(db_url, tmp_path):
    _imported(db_url)
    undecidable = {**APPROVED, "id": "REQ-NO-PACK", "date": "1990-05-20"}  # no pack in force in 1990
    batch = tmp_path / "batch.yaml"
    batch.write_text(yaml.safe_dump([APPROVED, undecidable], allow_unicode=True), encoding="utf-8")
    done = jianfu("check", str(batch), "--db", db_url, "--record")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert not _has_record(db_url, APPROVED["id"])  # the first item was decided, then rolled back with the batch
    assert _log(db_url) == []  # and its log entry with it


def test_a_recording_from_the_command_line_is_logged_with_who_made_it(db_url, tmp_path):
    _imported(db_url)
    batch = tmp_path / "one.yaml"
    batch.write_text(yaml.safe_dump([APPROVED], allow_unicode=True), encoding="utf-8")
    done = jianfu("check", str(batch), "--db", db_url, "--record", "--as", "张三")
    assert done.returncode == 0, done.stdout + done.stderr
    entries = _log(db_url)
    assert [(e["action"], e["actor"]) for e in entries] == [("recording", "张三")]
    assert entries[0]["request_id"] == APPROVED["id"] and '"decision":"approve"' in entries[0]["decision"].replace(" ", "")
    verified = jianfu("log", "verify", "--db", db_url)
    assert verified.returncode == 0 and "1 条" in verified.stdout


def test_without_as_the_operating_system_user_is_who(db_url, tmp_path):
    _imported(db_url)
    done = jianfu("register", "cancel", APPROVED["id"] + "-none", "--reason", "x", "--db", db_url)
    assert done.returncode == 2  # no such record: nothing changed, nothing logged
    batch = tmp_path / "one.yaml"
    batch.write_text(yaml.safe_dump([APPROVED], allow_unicode=True), encoding="utf-8")
    assert jianfu("check", str(batch), "--db", db_url, "--record").returncode == 0
    assert jianfu("register", "cancel", APPROVED["id"], "--reason", "会议取消", "--db", db_url).returncode == 0
    entries = _log(db_url)
    assert [(e["action"], e["actor"]) for e in entries] == [("recording", getpass.getuser()), ("cancel", getpass.getuser())]


def test_the_api_s_writes_are_logged_and_a_change_is_not_replayed(store):
    from jianfu.adapters.service.replay import replay
    from jianfu.adapters.files.read import read_register
    from jianfu.engine import load_folder

    register = read_register(REGISTER)
    store.import_register(register, source="import:register.yaml", actor="王五")
    store.cancel(register.records[0].id, "撤销", actor="王五", role="office")
    plan = register.plans[0].model_copy(update={"id": "FILED-NEW"})
    store.file_plan(plan, actor="王五", role="office")
    with store.reading() as connection:
        rows = log.entries(connection, newest_first=False)
        assert log.verify_connection(connection)[1] == []
    assert [(r["action"], r["actor"], r["role"]) for r in rows] == [("cancel", "王五", "office"), ("plan_filing", "王五", "office")]
    assert replay(store, load_folder(ROOT / "rules"), rows[0]["seq"]).outcome == "not_a_decision"


def test_register_import_names_the_row_the_database_already_holds(db_url):
    _imported(db_url)
    again = jianfu("register", "import", str(REGISTER), "--db", db_url)
    assert again.returncode == 2
    first_id = next(i for i, text in enumerate(REGISTER.read_text(encoding="utf-8").splitlines(), 1) if "JDZ-M-2019-001" in text)
    assert f"register.yaml:{first_id}:" in again.stderr and "records[0].id" in again.stderr, again.stderr[:500]
