"""Requests that are wrong are errors naming the field and the line (or the cell), all of them at once; nothing
is decided."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from jianfu.adapters.files.read import read_requests
from jianfu.engine import InvalidInput
from jianfu_cli import jianfu

MEETING = """\
- id: M-1
  kind: meeting
  jurisdiction: 景德镇市
  unit: 市教育局
  date: "2019-05-10"
  title: 全市教育工作会议
  held_in_name_of: department
  remit: department
  scope: citywide_system
  routine: false
"""


def errors_of(path: Path) -> list:
    with pytest.raises(InvalidInput) as caught:
        read_requests(path)
    return caught.value.errors


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_reads(tmp_path):
    [meeting] = read_requests(write(tmp_path, "r.yaml", MEETING))
    assert meeting.unit == "市教育局" and meeting.scope == "citywide_system"


@pytest.mark.parametrize(
    ("old", "new", "field", "line", "words"),
    [
        ("  routine: false\n", "  routine: \"no\"\n", "[0].routine", 10, "布尔值"),
        ("  routine: false\n", "  routine: false\n  colour: red\n", "[0].colour", 11, "未知字段"),
        ('  date: "2019-05-10"\n', '  date: "2019-02-30"\n', "[0].date", 5, "日历上没有这一天"),
        ('  date: "2019-05-10"\n', '  date: "2019-13-01"\n', "[0].date", 5, "日历上没有这一天"),
        ('  date: "2019-05-10"\n', "  date: 20190510\n", "[0].date", 5, "日期"),
        ("  scope: citywide_system\n", "  scope: 全市\n", "[0].scope", 9, "取值不在允许范围内"),
        ("  scope: citywide_system\n", "", "[0].scope", 1, "缺少必填字段"),
        ("  kind: meeting\n", "  kind: party\n", "[0].kind", 2, "kind"),
        ("  title: 全市教育工作会议\n", "  title: 全市教育工作会议\n  topics: 安全\n", "[0].topics", 7, "列表"),
    ],
)
def test_each_wrong_field_is_named_with_its_line(tmp_path, old, new, field, line, words):
    errors = errors_of(write(tmp_path, "r.yaml", MEETING.replace(old, new)))
    assert len(errors) == 1, errors
    error = errors[0]
    assert error.field_path == field and error.line == line, str(error)
    assert words in error.zh and error.en


def test_every_error_is_reported_not_only_the_first(tmp_path):
    text = MEETING.replace("  routine: false\n", "  routine: 1\n") + MEETING.replace("M-1", "M-2").replace('"2019-05-10"', '"2019-02-30"')
    errors = errors_of(write(tmp_path, "r.yaml", text))
    assert sorted(e.field_path for e in errors) == ["[0].routine", "[1].date"]
    assert sorted(e.line for e in errors) == [10, 15]


def test_json_errors_have_lines_too(tmp_path):
    data = [
        {"id": "M-1", "kind": "meeting", "jurisdiction": "景德镇市", "unit": "市教育局", "date": "2019-05-10",
         "held_in_name_of": "department", "remit": "department", "scope": "citywide_system", "routine": "false"}
    ]
    path = write(tmp_path, "r.json", json.dumps(data, ensure_ascii=False, indent=2))
    [error] = errors_of(path)
    assert error.field_path == "[0].routine" and error.line == 11


def test_duplicate_ids_are_refused(tmp_path):
    errors = errors_of(write(tmp_path, "r.yaml", MEETING + MEETING))
    assert any("重复" in e.zh for e in errors)


@pytest.mark.parametrize(("text", "words"), [("", "文件为空"), ("42\n", "应为一个申请对象"), ("- [1, 2\n", "YAML 语法错误")])
def test_odd_files(tmp_path, text, words):
    assert words in str(errors_of(write(tmp_path, "r.yaml", text))[0])


def test_huge_lists_are_refused(tmp_path):
    topics = "  topics: [" + ", ".join(f"议题{i}" for i in range(600)) + "]\n"
    errors = errors_of(write(tmp_path, "r.yaml", MEETING + topics))
    assert errors[0].field_path == "[0].topics" and "过长" in errors[0].zh


def test_csv_requests_with_chinese_headers_and_values(tmp_path):
    path = write(
        tmp_path,
        "r.csv",
        "编号,类别,地区,单位,日期,标题,会议名义,内容所需名义,范围,常规性部署会议,参会单位\n"
        "M-1,meeting,景德镇市,市教育局,2019-05-10,全市教育工作会议,部门,部门,本系统全市性,否,市公安局:是；市财政局:否\n",
    )
    [meeting] = read_requests(path)
    assert meeting.scope == "citywide_system" and meeting.routine is False
    assert [(a.unit, a.directly_related) for a in meeting.attendees] == [("市公安局", True), ("市财政局", False)]


def test_a_bad_cell_is_named_by_sheet_row_and_column(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "会议"
    ws.append(["编号", "地区", "单位", "日期", "标题", "会议名义", "内容所需名义", "范围", "常规性部署会议"])
    ws.append(["M-1", "景德镇市", "市教育局", "2019-05-10", "会议一", "部门", "部门", "本系统全市性", "否"])
    ws.append(["M-2", "景德镇市", "市教育局", "2019-05-11", "会议二", "部门", "部门", "本系统全市性", "也许"])
    ws.append(["M-3", "景德镇市", "市教育局", "2019-02-30", "会议三", "部门", "部门", "本系统全市性", "是"])
    path = tmp_path / "r.xlsx"
    book.save(path)
    errors = errors_of(path)
    assert [(e.sheet, e.line, e.column) for e in errors] == [("会议", 3, "I"), ("会议", 4, "D")]


def test_an_unknown_column_is_an_error(tmp_path):
    path = write(tmp_path, "r.csv", "编号,类别,颜色\nM-1,meeting,红\n")
    [error] = errors_of(path)
    assert "未知的列" in error.zh and error.column == "C"


def test_the_command_line_decides_nothing_on_invalid_input(tmp_path):
    path = write(tmp_path, "r.yaml", MEETING.replace("  routine: false\n", "  routine: maybe\n"))
    done = jianfu("check", str(path), "--register", "examples/register.yaml", "-f", "json")
    assert done.returncode == 2
    assert done.stdout == ""
    assert f"{path}:10:" in done.stderr and "routine" in done.stderr
