"""Issue 14, crash safety measured: a `check --record` batch and a `register import` killed (SIGKILL) in the middle
leave the register exactly as it was and the decision log verifying, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from jianfu.adapters.files.read import read_register
from jianfu.adapters.storage import decision_log as log
from jianfu.adapters.storage import open_store
from jianfu_cli import JIANFU

ROOT = Path(__file__).resolve().parents[2]
REGISTER = ROOT / "examples" / "register.yaml"
REQUESTS = yaml.safe_load((ROOT / "examples" / "requests.yaml").read_text(encoding="utf-8"))


def _state(url: str) -> tuple:
    store = open_store(url)
    try:
        with store.reading() as connection:
            count, problems = log.verify_connection(connection)
            head = log.head(connection)
        return store.counts(), count, head, [str(p) for p in problems]
    finally:
        store.close()


def _prepared(url: str) -> None:
    store = open_store(url)
    store.import_register(read_register(REGISTER), source="test")
    store.cancel(read_register(REGISTER).records[0].id, "先有一条日志", actor="甲", role="office")
    store.close()


def _killed_when(args: list[str], ready, cwd: Path = ROOT) -> None:
    """Run the command line, SIGKILL it once `ready(process)` says it is in the middle, and check it was."""
    process = subprocess.Popen([*JIANFU, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        ready(process)
        assert process.poll() is None, "the command finished before it could be killed: make the batch bigger"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(30)
    assert process.returncode == -signal.SIGKILL


def test_a_killed_check_record_batch_leaves_the_register_as_it_was(db_url, tmp_path):
    _prepared(db_url)
    before = _state(db_url)
    base = next(r for r in REQUESTS if r["id"] == "REQ-2019-0510-02")
    units = ["市卫生健康委", "市教育局", "市财政局", "市生态环境局", "市市场监管局", "市发展改革委"]
    batch = [{**base, "id": f"KB-{i}", "unit": units[i % len(units)], "scope": "other", "topics": [f"议题{i}"]} for i in range(6000)]
    path = tmp_path / "batch.json"
    path.write_text(json.dumps(batch, ensure_ascii=False), encoding="utf-8")

    def ready(process):  # reading and checking the file takes a second or two; deciding 6,000 items, much longer
        time.sleep(6)

    _killed_when(["check", str(path), "--db", db_url, "--record", "--as", "乙"], ready)
    after = _state(db_url)
    assert after == before and after[3] == []


def test_a_killed_import_leaves_the_register_as_it_was(db_url, tmp_path):
    _prepared(db_url)
    before = _state(db_url)
    template = read_register(REGISTER).records[1].model_dump(mode="json")
    data = {"units": [], "records": [{**template, "id": f"KI-{i}"} for i in range(40_000)], "plans": []}
    path = tmp_path / "big-register.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    def ready(process):  # the first progress line: the import's transaction is open and rows are going in
        line = process.stderr.readline()
        while line and "导入 records" not in line:
            line = process.stderr.readline()
        assert line, "the import ended without writing"

    _killed_when(["register", "import", str(path), "--db", db_url, "--as", "丙"], ready)
    after = _state(db_url)
    assert after == before and after[3] == []
