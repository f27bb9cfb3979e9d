"""Annual plans in Excel: the template a department fills in, and the workbook handed back with the decisions."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from jianfu.adapters.files.plan_workbook import write_template
from jianfu.adapters.files.read import read_plan
from jianfu_cli import ROOT, jianfu

REGISTER = ROOT / "examples" / "register.yaml"


@pytest.fixture
def template(tmp_path) -> Path:
    path = tmp_path / "模板.xlsx"
    write_template(path)
    return path


def test_template_has_chinese_headers_drop_downs_and_an_example_per_kind(template):
    book = openpyxl.load_workbook(template)
    assert book.sheetnames == ["说明", "计划", "文件", "会议", "督查检查考核", "简报"]
    meetings = book["会议"]
    headers = [c.value for c in meetings[1]]
    assert {"编号", "日期", "标题", "会议名义", "范围", "常规性部署会议", "参会单位"} <= set(headers)
    assert meetings.cell(row=2, column=1).value == "JY-2019-M01"
    lists = {str(v.sqref): v.formula1 for v in meetings.data_validations.dataValidation}
    scope = openpyxl.utils.get_column_letter(headers.index("范围") + 1)
    assert lists[f"{scope}2:{scope}1000"] == '"本系统全市性,其他"'
    routine = openpyxl.utils.get_column_letter(headers.index("常规性部署会议") + 1)
    assert lists[f"{routine}2:{routine}1000"] == '"是,否"'


def test_template_example_reads_back_as_a_plan(template):
    plan = read_plan(template)
    assert (plan.id, plan.unit, plan.year, plan.filed) == ("JY-2019-PLAN", "市教育局", 2019, False)
    assert sorted(i.kind for i in plan.items) == ["bulletin", "document", "inspection", "meeting"]
    meeting = next(i for i in plan.items if i.kind == "meeting")
    assert meeting.jurisdiction == "景德镇市" and meeting.scope == "citywide_system" and meeting.routine is False
    assert meeting.attendees[0].directly_related is True


def test_checked_workbook_carries_decisions_highlights_rejections_and_neutralises_formulas(template, tmp_path):
    book = openpyxl.load_workbook(template)
    book["会议"]["C2"].value = '=HYPERLINK("http://example.invalid","点我")'  # 标题 a department typed as a formula
    book.save(template)
    out = tmp_path / "checked.xlsx"
    done = jianfu("plan", str(template), "--register", str(REGISTER), "--out", str(out))
    assert done.returncode == 1, done.stderr  # the example's system meeting is the unit's second of 2019
    checked = openpyxl.load_workbook(out)
    meetings = checked["会议"]
    headers = [c.value for c in meetings[1]]
    assert headers[-4:] == ["决定", "条款", "理由", "怎么办"]
    row = [c.value for c in meetings[2]]
    assert row[-4] == "驳回" and row[-3] == "第8条" and "已召开1次" in row[-2]
    assert meetings["A2"].fill.fgColor.rgb.endswith("F8CBAD")
    title = meetings["C2"]
    assert title.data_type == "s" and title.quotePrefix, "a formula typed into a cell must come back as text"
    summary = checked["审查结果"]
    assert summary["B4"].value == "尚未报市政府督查室备案"
    documents = checked["文件"]
    assert [c.value for c in documents[2]][-4] == "批准"


def test_checked_workbook_reads_back_without_complaint(template, tmp_path):
    out = tmp_path / "checked.xlsx"
    jianfu("plan", str(template), "--register", str(REGISTER), "--out", str(out))
    assert len(read_plan(out).items) == 4


def test_plan_command_writes_the_template(tmp_path):
    target = tmp_path / "t.xlsx"
    done = jianfu("plan", "template", "--out", str(target))
    assert done.returncode == 0 and target.is_file()


def test_check_record_on_sqlite_with_nothing_else_started(tmp_path):
    db = tmp_path / "r.sqlite3"
    imported = jianfu("register", "import", str(REGISTER), "--db", str(db))
    assert imported.returncode == 0, imported.stderr
    requests = ROOT / "examples" / "requests.yaml"
    first = jianfu("check", str(requests), "--db", str(db), "--record", "-f", "json")
    assert first.returncode == 1, first.stderr
    shown = jianfu("register", "show", "--db", str(db), "--id", "REQ-2019-0510-02")
    assert "status: approved" in shown.stdout and "recorded" in shown.stdout
    # the second time the same request is already in the register
    again = jianfu("check", str(requests), "--db", str(db), "--record")
    assert again.returncode == 2 and "already holds" in again.stderr


def test_a_checked_workbook_checked_again_has_its_result_columns_replaced(template, tmp_path):
    """Issue 14: fixed and checked again, a workbook keeps one set of 决定/条款/理由/怎么办, the stale 驳回 gone."""
    first = tmp_path / "checked.xlsx"
    jianfu("plan", str(template), "--register", str(REGISTER), "--out", str(first))
    book = openpyxl.load_workbook(first)
    meetings = book["会议"]
    headers = [c.value for c in meetings[1]]
    scope = headers.index("范围") + 1
    meetings.cell(row=2, column=scope).value = "其他"  # the fix: no longer a city-wide system meeting
    book.save(first)
    again = tmp_path / "again.xlsx"
    done = jianfu("plan", str(first), "--register", str(REGISTER), "--out", str(again))
    assert done.returncode in (0, 1), done.stderr
    meetings = openpyxl.load_workbook(again)["会议"]
    headers = [c.value for c in meetings[1]]
    assert [h for h in headers if h in ("决定", "条款", "理由", "怎么办")] == ["决定", "条款", "理由", "怎么办"]
    row = {h: c.value for h, c in zip(headers, meetings[2])}
    assert row["决定"] == "批准" and not row["条款"]
    assert not meetings["A2"].fill.fgColor.rgb.endswith("F8CBAD")


def test_a_checked_workbook_names_the_severity_in_chinese():
    from jianfu.adapters.files.plan_workbook import _severity

    assert (_severity("advice", True), _severity("waived", True), _severity("advice", False)) == ("提醒", "已批准豁免", "advice")


def test_each_findings_remedy_is_in_the_checked_row(tmp_path):
    """Issue 14: an inspection whose indicator only checks a document was printed (art. 12, a block) and whose on-site check asks for a briefing
    (art. 15, advice) shows both remedies in 怎么办, not the block's alone."""
    import openpyxl

    from jianfu import shipped
    from jianfu.adapters.files.plan_workbook import write_checked
    from jianfu.adapters.output import RuleBook
    from jianfu.engine import Engine, load_folder
    from jianfu.engine.requests import Plan

    catalog = load_folder(shipped("rules"))
    plan = Plan.model_validate({
        "id": "P-1", "kind": "plan", "jurisdiction": "景德镇市", "unit": "市教育局", "year": 2019, "title": "年度计划",
        "items": [{"id": "I-1", "kind": "inspection", "jurisdiction": "景德镇市", "unit": "市教育局", "date": "2019-06-03",
                   "title": "专项检查", "type": "special", "scope": "citywide", "urgent": False, "involved_units": ["市教育局"],
                   "joint": False, "work_plan": {"targets": ["整改"], "indicators": [{"name": "是否印发实施方案", "target": "是"}]},
                   "onsite": {"unannounced": True, "demands": ["准备汇报材料"]}}],
    })
    result = Engine(catalog).check_plan(plan)
    [decision] = result.decisions
    severities = {f.severity for f in decision.findings}
    assert {"block", "advice"} <= severities, decision.findings
    out = tmp_path / "checked.xlsx"
    write_checked(tmp_path / "plan.yaml", result, out, RuleBook(catalog), "zh")
    sheet = next(ws for ws in openpyxl.load_workbook(out).worksheets if any(c.value == "怎么办" for c in ws[1]))
    headers = [c.value for c in sheet[1]]
    remedy = sheet.cell(row=2, column=headers.index("怎么办") + 1).value
    for finding in decision.findings:
        assert finding.remedy in remedy
