"""The annual plan as an Excel/WPS workbook: the template departments fill in, and the same workbook handed back
with each item's decision, articles, reasons and remedies, rejected rows highlighted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from jianfu.engine.decide import PlanCheck
from jianfu.engine.messages import DECISION_ZH, VALUE_ZH

from . import xlsx
from .sheets import KIND_SHEETS, cell_value, columns_for

PLAN_INFO = (
    ("编号", "JY-2019-PLAN", "计划编号 / plan id"),
    ("地区", "景德镇市", "jurisdiction"),
    ("单位", "市教育局", "unit"),
    ("年度", 2019, "year"),
    ("标题", "市教育局2019年会议、督查检查考核、简报和文件计划", "title"),
    ("备案单位", "", "filed_with: 市政府督查室 once filed"),
    ("备案日期", "", "filed_on: YYYY-MM-DD once filed"),
)
EXAMPLES: dict[str, dict[str, Any]] = {
    "meeting": {"id": "JY-2019-M01", "date": "2019-03-25", "title": "2019年全市教育工作会议", "topics": ["教育工作部署"],
                "held_in_name_of": "department", "remit": "department", "scope": "citywide_system", "routine": False,
                "attendees": [{"unit": "各县（市、区）教育局", "directly_related": True}]},
    "inspection": {"id": "JY-2019-I01", "date": "2019-06-10", "title": "校园安全专项督查", "type": "special", "scope": "citywide",
                   "urgent": False, "involved_units": [], "joint": False,
                   "work_plan": {"targets": ["校园安全隐患整改到位"], "indicators": [{"name": "隐患整改完成率", "target": "100%"}]},
                   "onsite": {"unannounced": True, "demands": []}},
    "bulletin": {"id": "JY-2019-B01", "date": "2019-04-15", "title": "教育工作简报第1期", "series": "教育工作简报", "issue_no": 1},
    "document": {"id": "JY-2019-D01", "date": "2019-05-10", "title": "关于做好2019年中考工作的通知", "issuer": "department",
                 "remit": "department", "subject": "2019年中考"},
}
RESULT_HEADERS = ("决定", "条款", "理由", "怎么办")
HIDDEN = {"kind", "status", "jurisdiction", "unit"}


def _item_columns(kind: str):
    return [c for c in columns_for(kind) if c.path not in HIDDEN]


def write_template(path: Path) -> None:
    book = Workbook()
    guide = book.active
    guide.title = "说明"
    lines = [
        "年度计划预审模板 / annual plan template",
        "1. 在“计划”表填写编号、地区、单位、年度；已报市政府督查室备案的，填写备案单位和备案日期。",
        "2. 在“会议”“督查检查考核”“简报”“文件”表中每行填写一项；第2行为示例，可覆盖或删除。",
        "3. 带下拉框的列请从选项中选择；是/否列填“是”或“否”；多个值用“；”分隔。",
        "4. 参会单位写成 单位:是/否（是否直接相关）；方案指标写成 指标=目标值；批准写成 批准方|文号|日期|条款。",
        "5. 运行 jianfu plan 本文件.xlsx --out 审查结果.xlsx，每行后面会写上决定、条款、理由和怎么办。",
        "Fill one item per row; enumerations from the drop-downs; 是/否 for yes/no; several values separated by ；.",
    ]
    for r, line in enumerate(lines, start=1):
        xlsx.put(guide, r, 1, line)
    guide.column_dimensions["A"].width = 110
    info = book.create_sheet("计划")
    xlsx.header(info, ("字段", "值", "说明"))
    for r, row in enumerate(PLAN_INFO, start=2):
        for c, value in enumerate(row, start=1):
            xlsx.put(info, r, c, value if value != "" else None)
    filed = DataValidation(type="list", formula1='"市政府督查室"', allow_blank=True)
    info.add_data_validation(filed)
    filed.add("B7")
    xlsx.widths(info)
    for kind, name in KIND_SHEETS.items():
        ws = book.create_sheet(name)
        columns = _item_columns(kind)
        xlsx.header(ws, [c.zh for c in columns])
        example = EXAMPLES[kind]
        for c, column in enumerate(columns, start=1):
            xlsx.put(ws, 2, c, cell_value(column, example))
            header_cell = ws.cell(row=1, column=c)
            if column.help:
                from openpyxl.comments import Comment

                header_cell.comment = Comment(f"{column.path}: {column.help}", "jianfu")
            choices = _choices(column, kind)
            if choices:
                validation = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
                validation.error = "请从下拉选项中选择 / choose from the list"
                ws.add_data_validation(validation)
                letter = get_column_letter(c)
                validation.add(f"{letter}2:{letter}1000")
        xlsx.widths(ws)
    book.save(path)


SCOPES = {"meeting": ("citywide_system", "other"), "inspection": ("citywide", "other")}


def _choices(column, kind: str) -> list[str]:
    """A drop-down offers only what this kind's model accepts (a meeting's 内容所需名义 is 市政府 or 部门, never
    议事协调机构), in Chinese."""
    if column.type == "bool":
        return ["是", "否"]
    if column.type == "enum" and column.values:
        values = accepted(kind, column.path) or (SCOPES[kind] if column.path == "scope" else column.values)
        return [VALUE_ZH.get(v, v) for v in values]
    return []


def accepted(kind: str, path: str) -> tuple[str, ...]:
    """The values the request model of `kind` accepts at a dotted path, when it is a fixed list (a Literal)."""
    from typing import Literal, Union, get_args, get_origin

    from pydantic import BaseModel

    from jianfu.engine.requests import Bulletin, Document, Inspection, Meeting

    model: Any = {"document": Document, "meeting": Meeting, "inspection": Inspection, "bulletin": Bulletin}.get(kind)
    annotation: Any = None
    for part in path.split("."):
        if model is None or part not in model.model_fields:
            return ()
        annotation = model.model_fields[part].annotation
        model = next((a for a in (annotation, *get_args(annotation)) if isinstance(a, type) and issubclass(a, BaseModel)), None)
    if get_origin(annotation) is Union:
        annotation = next((a for a in get_args(annotation) if a is not type(None)), annotation)
    return tuple(get_args(annotation)) if get_origin(annotation) is Literal else ()


def write_checked(source: Path, result: PlanCheck, out: Path, book_of_rules, lang: str = "zh") -> None:
    """The plan's workbook with every item's decision added to its row; or a new workbook for a YAML/JSON/CSV plan."""
    decisions = {d.id: d for d in result.decisions}
    if source.suffix.lower() in (".xlsx", ".xlsm"):
        book = load_workbook(source)
    else:
        book = _workbook_of(result)
    for ws in book.worksheets:
        if ws.title not in KIND_SHEETS.values() or ws.max_row < 1:
            continue
        headers = [c.value for c in ws[1]]
        id_column = next((i for i, h in enumerate(headers) if h in ("编号", "id")), None)
        if id_column is None:
            continue
        # A workbook checked before (fixed, then checked again) already has the result columns: they are replaced,
        # never a second set beside stale decisions.
        earlier = next((i for i, h in enumerate(headers) if h == RESULT_HEADERS[0]), None)
        first = len(headers) + 1 if earlier is None else earlier + 1
        if earlier is not None:
            for row in ws.iter_rows(min_row=2, min_col=first, max_col=first + len(RESULT_HEADERS) - 1):
                for cell in row:
                    cell.value, cell.fill = None, PatternFill(fill_type=None)
        for offset, title in enumerate(RESULT_HEADERS):
            cell = xlsx.put(ws, 1, first + offset, title)
            cell.font = Font(bold=True)
            cell.fill = xlsx.HEADER_FILL
        for row in ws.iter_rows(min_row=2):
            if id_column >= len(row) or row[id_column].value is None:
                continue
            decision = decisions.get(str(row[id_column].value).strip())
            if decision is None:
                continue
            _annotate(ws, row[0].row, first, decision, book_of_rules, lang)
        for offset in range(len(RESULT_HEADERS)):
            ws.column_dimensions[get_column_letter(first + offset)].width = (10, 12, 60, 40)[offset]
        xlsx.neutralise(ws)
    summary = book["审查结果"] if "审查结果" in book.sheetnames else book.create_sheet("审查结果", 0)
    approved = sum(1 for d in result.decisions if d.approved)
    rows = [
        ("年度计划", result.plan.id),
        ("单位", result.plan.unit),
        ("年度", result.plan.year),
        ("备案", "已报市政府督查室备案（" + str(result.plan.filed_on) + "）" if result.filed else "尚未报市政府督查室备案"),
        ("事项", len(result.decisions)),
        ("批准", approved),
        ("驳回", len(result.decisions) - approved),
        ("规则包", "、".join(f"{p.id} {p.version}" for p in (result.decisions[0].packs if result.decisions else []))),
    ]
    for r, (key, value) in enumerate(rows, start=1):
        xlsx.put(summary, r, 1, key).font = Font(bold=True)
        xlsx.put(summary, r, 2, value)
    summary.column_dimensions["A"].width = 12
    summary.column_dimensions["B"].width = 60
    book.save(out)


def _severity(severity: str, zh: bool) -> str:
    from jianfu.adapters.output import SEVERITY_ZH

    return SEVERITY_ZH.get(severity, severity) if zh else severity


def _annotate(ws, row: int, first: int, decision, book_of_rules, lang: str) -> None:
    zh = lang == "zh"
    verdict = DECISION_ZH[decision.decision] if zh else decision.decision
    findings = decision.findings
    clauses = "、".join(dict.fromkeys(f"第{f.clause}条" if zh else f.clause for f in findings))
    reasons = "\n".join((f.message if zh else f.message_en) + ("" if f.severity == "block" else f"（{_severity(f.severity, zh)}）") for f in findings)
    # every finding's remedy, advice's too (a reason listed with no remedy beside it left the clerk without one)
    remedies = "\n".join(dict.fromkeys(book_of_rules.remedy(f, lang) for f in findings if book_of_rules.remedy(f, lang)))
    for offset, value in enumerate((verdict, clauses, reasons, remedies)):
        cell = xlsx.put(ws, row, first + offset, value or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    fill = xlsx.REJECT_FILL if not decision.approved else xlsx.APPROVE_FILL
    for cell in ws[row]:
        if decision.approved and cell.column < first:
            if cell.fill.fgColor.rgb == xlsx.REJECT_FILL.fgColor.rgb:  # the red of an earlier check's rejection
                cell.fill = PatternFill(fill_type=None)
            continue
        cell.fill = fill


def _workbook_of(result: PlanCheck) -> Workbook:
    book = Workbook()
    info = book.active
    info.title = "计划"
    plan = result.plan
    for r, (key, value) in enumerate((("编号", plan.id), ("地区", plan.jurisdiction), ("单位", plan.unit), ("年度", plan.year)), start=1):
        xlsx.put(info, r, 1, key)
        xlsx.put(info, r, 2, value)
    for kind, name in KIND_SHEETS.items():
        items = [i for i in plan.items if i.kind == kind]
        if not items:
            continue
        ws = book.create_sheet(name)
        columns = _item_columns(kind)
        xlsx.header(ws, [c.zh for c in columns])
        for r, item in enumerate(items, start=2):
            plain = item.model_dump(mode="json")
            for c, column in enumerate(columns, start=1):
                xlsx.put(ws, r, c, cell_value(column, plain))
        xlsx.widths(ws)
    return book
