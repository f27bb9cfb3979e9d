"""Imports that lose nothing: a bad row rejects the whole import, named by sheet, row and column, and a killed
import leaves the register exactly as it was."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import openpyxl
import pytest

from jianfu.adapters.files.read import read_register
from jianfu.adapters.files.write import write_register
from jianfu.engine import InvalidInput
from jianfu_cli import JIANFU, ROOT, jianfu

EXAMPLES = ROOT / "examples"


def _sample_workbook(tmp_path: Path) -> Path:
    path = tmp_path / "register.xlsx"
    write_register(read_register(EXAMPLES / "register.yaml"), path)
    return path


def _set_cell(path: Path, sheet: str, row: int, header: str, value) -> str:
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    headers = [c.value for c in ws[1]]
    column = headers.index(header) + 1
    ws.cell(row=row, column=column).value = value
    book.save(path)
    return openpyxl.utils.get_column_letter(column)


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("日期", "2019-13-01", "日期格式应为|日历上没有"),
        ("常规性部署会议", "也许", "是/否"),
        ("单位", "市不存在局", "未知单位"),
        ("编号", "JDZ-M-2019-003", "重复|twice"),
    ],
)
def test_a_bad_row_rejects_the_whole_import_naming_sheet_row_and_column(store, tmp_path, header, value, expected):
    path = _sample_workbook(tmp_path)
    letter = _set_cell(path, "会议", 2, header, value)
    before = store.counts()
    with pytest.raises(InvalidInput) as caught:
        store.import_register(read_register(path), source="test")
    assert store.counts() == before
    text = "\n".join(str(e) for e in caught.value.errors)
    assert re.search(expected, text), text
    error = caught.value.errors[0]
    assert error.sheet == "会议" and error.column == letter, text
    # a duplicate id is reported where it appears the second time
    assert error.line == (2 if header != "编号" else 4), text


def test_an_id_already_in_the_register_rejects_the_import(store):
    data = read_register(EXAMPLES / "register.yaml")
    store.import_register(data, source="first")
    before = store.counts()
    with pytest.raises(InvalidInput, match="already holds"):
        store.import_register(data, source="again")
    assert store.counts() == before


def test_csv_register_rows_are_named_by_row_and_column(store, tmp_path):
    path = tmp_path / "records.csv"
    path.write_text(
        "编号,类别,地区,单位,日期,简报名称,状态\n"
        "B1,bulletin,景德镇市,市教育局,2019-05-01,教育简报,已印发\n"
        "B2,bulletin,景德镇市,市教育局,2019-02-30,教育简报,已印发\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as caught:
        read_register(path)
    error = caught.value.errors[0]
    assert (error.line, error.column) == (3, "E")
    assert "2019-02-30" in str(error)


def test_cli_import_of_a_sample_xlsx(tmp_path):
    workbook = _sample_workbook(tmp_path)
    db = tmp_path / "cli.sqlite3"
    done = jianfu("register", "import", str(workbook), "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert f"记录 records {len(read_register(EXAMPLES / 'register.yaml').records)}" in done.stdout
    again = jianfu("register", "import", str(workbook), "--db", str(db))
    assert again.returncode == 2 and "already holds" in again.stderr


def test_a_killed_import_leaves_the_register_as_it_was(store, db_url, tmp_path):
    store.import_register(read_register(EXAMPLES / "register.yaml"), source="test")
    before = store.counts()
    records = [
        {"id": f"K{i:06d}", "kind": "bulletin", "jurisdiction": "景德镇市", "unit": "市教育局", "date": "2019-06-01",
         "series": "教育简报", "issue_no": i, "status": "issued"}
        for i in range(120_000)
    ]
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"units": [], "records": records}, ensure_ascii=False), encoding="utf-8")
    process = subprocess.Popen(
        [*JIANFU, "register", "import", str(big), "--db", db_url], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 240
    seen = ""
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        seen += line
        if "导入 records" in line:  # rows are being written: the transaction is open, not committed
            break
        if not line and process.poll() is not None:
            break
    assert "导入 records" in seen, seen
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert store.counts() == before
