"""Issue 14, the readers: the dates a Chinese desktop writes, over-limit files refused before they are parsed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from jianfu.adapters.files.read import MAX_REQUESTS, read_requests
from jianfu.engine import InvalidInput

HEADER = "编号,类别,地区,单位,日期,标题,会议名义,内容所需名义,范围,常规性部署会议\n"


def _csv(tmp_path: Path, day: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "r.csv"
    path.write_text(HEADER + f"M-1,meeting,景德镇市,市教育局,{day},全市教育工作会议,部门,部门,本系统全市性,否\n", encoding=encoding)
    return path


@pytest.mark.parametrize("day", ["2019/5/10", "2019年5月10日", "2019.05.10", "２０１９年５月１０日", "２０１９/０５/１０", "2019-5-10"])
def test_the_dates_excel_and_wps_write_are_read(tmp_path, day):
    [meeting] = read_requests(_csv(tmp_path, day))
    assert meeting.date.isoformat() == "2019-05-10"


def test_a_gbk_csv_with_a_chinese_date_is_read(tmp_path):
    [meeting] = read_requests(_csv(tmp_path, "2019年5月10日", encoding="gb18030"))
    assert meeting.date.isoformat() == "2019-05-10"


@pytest.mark.parametrize("day", ["5/10/2019", "10/5/2019", "19/5/10"])
def test_an_ambiguous_date_is_refused_naming_the_cell(tmp_path, day):
    with pytest.raises(InvalidInput) as caught:
        read_requests(_csv(tmp_path, day))
    [error] = caught.value.errors
    assert error.path[-1] == "date" and error.line == 2 and "有歧义" in error.zh and day in error.zh


def test_an_over_limit_file_is_refused_before_it_is_parsed(tmp_path):
    item = "- {id: R-%d, kind: meeting, jurisdiction: 景德镇市, unit: 市教育局, date: '2019-05-10', title: 会议}\n"
    path = tmp_path / "many.yaml"
    path.write_text("".join(item % i for i in range(MAX_REQUESTS + 1)), encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(InvalidInput) as caught:
        read_requests(path)
    assert time.perf_counter() - started < 5  # parsing it takes a minute
    assert "too many requests" in caught.value.errors[0].en and "未读取" in caught.value.errors[0].zh


def _workbook(tmp_path: Path, title: bool = False, hidden: bool = False) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "会议"
    if title:
        ws.append(["2019年5月会议申请汇总表"])
        ws.append([])
    ws.append(["编号", "地区", "单位", "日期", "标题", "会议名义", "内容所需名义", "范围", "常规性部署会议"])
    ws.append(["M-1", "景德镇市", "市教育局", "2019-05-10", "全市教育工作会议", "部门", "部门", "本系统全市性", "否"])
    if hidden:
        lookup = book.create_sheet("下拉选项")
        lookup.append(["部门", "市政府", "颜色"])
        lookup.sheet_state = "hidden"
    path = tmp_path / "r.xlsx"
    book.save(path)
    return path


def test_a_title_row_above_the_headers_is_skipped(tmp_path):
    [meeting] = read_requests(_workbook(tmp_path, title=True))
    assert meeting.id == "M-1" and meeting.scope == "citywide_system"


def test_a_bad_cell_below_a_title_names_its_real_row(tmp_path):
    import openpyxl

    path = _workbook(tmp_path, title=True)
    book = openpyxl.load_workbook(path)
    book["会议"]["I4"] = "也许"
    book.save(path)
    with pytest.raises(InvalidInput) as caught:
        read_requests(path)
    assert [(e.line, e.column) for e in caught.value.errors] == [(4, "I")]


def test_a_hidden_sheet_is_skipped_and_said(tmp_path, capfd):
    from jianfu_cli import jianfu

    done = jianfu("check", str(_workbook(tmp_path, hidden=True)))
    assert done.returncode in (0, 1), done.stderr
    assert "已跳过隐藏的工作表 下拉选项" in done.stderr


def test_a_zip_bomb_workbook_is_refused_unopened(tmp_path):
    import zipfile

    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 * 1024 * 1024))
    assert path.stat().st_size < 2 * 1024 * 1024
    with pytest.raises(InvalidInput) as caught:
        read_requests(path)
    assert "unpacks too large" in caught.value.errors[0].en


def test_a_unit_with_no_baseline_bulletin_shows_no_cut_percentage():
    from jianfu.adapters.reports.audit import NO_BASELINE, unit_cut

    assert unit_cut({"baseline_issues": 0, "issues": 3, "cut": -1.0}) == NO_BASELINE
    assert unit_cut({"baseline_issues": 0, "issues": 0, "cut": 0.0}) == "—"
    assert unit_cut({"baseline_issues": 10, "issues": 8, "cut": 0.2}) == "20.0%"


def test_the_template_offers_only_what_the_kind_accepts_and_errors_list_chinese_choices(tmp_path):
    import openpyxl

    from jianfu.adapters.files.plan_workbook import write_template

    path = tmp_path / "t.xlsx"
    write_template(path)
    meetings = openpyxl.load_workbook(path)["会议"]
    headers = [c.value for c in meetings[1]]
    offered = {}
    for validation in meetings.data_validations.dataValidation:
        column = headers[openpyxl.utils.column_index_from_string(str(validation.sqref).split(":")[0].rstrip("0123456789")) - 1]
        offered[column] = validation.formula1.strip('"').split(",")
    assert "议事协调机构" not in offered["内容所需名义"] and set(offered["内容所需名义"]) == {"市政府", "部门"}
    assert "全市" not in offered["范围"]
    csv = tmp_path / "r.csv"
    csv.write_text(HEADER + "M-1,meeting,景德镇市,市教育局,2019-05-10,全市教育工作会议,部门,议事协调机构,本系统全市性,否\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        read_requests(csv)
    [error] = caught.value.errors
    assert "市政府（city_government）" in error.zh and "部门（department）" in error.zh
