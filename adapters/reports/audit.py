"""The yearly audit report in four formats, chosen by the file's suffix: `.html` (one self-contained file, Chinese,
charts as inline SVG drawn by pygal, prints on A4), `.xlsx` (sheets 汇总/单位/违规/义务, written through the one
cell writer that neutralises formula injection), `.json` (the audit's data) and `.md` (for pasting into a report).

Every writer returns bytes; the command line writes them only when all were produced (nothing half-written).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, Callable

import pygal
from jinja2 import Environment, FileSystemLoader, select_autoescape
from openpyxl import Workbook
from pygal.style import Style

from jianfu.adapters.files.xlsx import REJECT_FILL, APPROVE_FILL, header, put, widths
from jianfu.engine.audit import Audit, Flip
from jianfu.engine.messages import INSPECTION_ZH, LIGHT_ZH, MEETING_ZH

SUFFIXES = (".html", ".xlsx", ".json", ".md")
TEMPLATES = Path(__file__).resolve().parent / "templates"
CHART_UNITS = 30  # charts show the units with the most records; tables show every unit
FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"


def report_data(audit: Audit, flips: list[Flip] | None = None, source: str | None = None) -> dict[str, Any]:
    """The report's data: the audit's, with when it was generated and from which register (every format shows
    both: a report handed on must say what it was made from)."""
    from datetime import datetime, timezone

    data = audit.as_dict()
    data["generated"] = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "register": source or "—"}
    if audit.parameters:
        data["what_if"] = {"parameters": dict(audit.parameters), "flips": [f.as_dict() for f in flips or []]}
    return data


def render(path: Path, audit: Audit, flips: list[Flip] | None = None, source: str | None = None) -> bytes:
    writer = WRITERS.get(path.suffix.lower())
    if writer is None:
        raise ValueError(path.suffix)
    return writer(audit, flips, source)


# -- JSON ---------------------------------------------------------------------------------------------------------
def to_json(audit: Audit, flips: list[Flip] | None = None, source: str | None = None) -> bytes:
    return (json.dumps(report_data(audit, flips, source), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# -- shared wording -------------------------------------------------------------------------------------------------
def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


NO_BASELINE = "无基数（基准年 0 期）"
UNIT_TYPE_ZH = {"government": "人民政府", "general_office": "政府办公室", "department": "部门", "coordinating_body": "议事协调机构"}


def unit_cut(bulletins: dict) -> str:
    """A unit's cut; a dash for a unit that published no bulletin in either year (nothing to cut); for one that
    published none in the baseline year, no percentage at all (the engine counts it an increase, -1.0, but
    "−100%" of nothing reads as a number it is not)."""
    if not bulletins["baseline_issues"]:
        return NO_BASELINE if bulletins["issues"] else "—"
    return percent(bulletins["cut"])


def met_zh(value: bool | None) -> str:
    return "不适用" if value is None else ("达标" if value else "未达标")


def _articles(counts: dict[str, int]) -> str:
    return "、".join(f"第{a}条×{n}" if a.isdigit() else f"{a}×{n}" for a, n in counts.items()) or "无"


def _obligations_text(unit: dict) -> str:
    parts = []
    for o in unit["obligations"]:
        parts.append(f"{o['title']}：{'已履行' if o['met'] else '未履行（' + '；'.join(o['missing']) + '）'}")
    if unit["obligations_not_checked"]:
        parts.append(f"未核查：{unit['obligations_not_checked']}")
    return "\n".join(parts) or "无适用义务"


def _summary_rows(data: dict) -> list[tuple[str, Any]]:
    b = data["bulletins"]
    rows = [
        ("审计年度", data["year"]),
        ("基准年度", data["baseline_year"]),
        ("生成时间（UTC）", data["generated"]["at"]),
        ("台账来源", data["generated"]["register"]),
    ] + ([("季度督查截至（004第18条）", data["as_of"])] if data.get("as_of") else []) + [
        ("本年度台账记录（计数状态）", data["records_in_year"]),
        ("已复核记录", data["records_checked"]),
        ("未能复核记录（无生效规则包）", data["records_not_checked"]),
        ("简报期数（基准年度）", b["baseline_issues"]),
        ("简报期数（审计年度）", b["issues"]),
        ("简报压减比例", unit_cut(b)),
        ("压减目标", percent(b["target"])),
        ("是否达标", met_zh(b["met"])),
        ("印发文件", data["documents"]),
    ]
    rows += [(MEETING_ZH[k], v) for k, v in data["meetings"].items()]
    rows += [(f"督查检查考核：{INSPECTION_ZH[k]}", v) for k, v in data["inspections"].items()]
    rows.append(("违规（按条）", _articles(data["violations_by_article"])))
    rows += [(f"亮灯：{LIGHT_ZH[k]}", v) for k, v in data["lights"].items()]
    if data.get("what_if"):
        rows.append(("假设分析参数", "，".join(f"{k}={v}" for k, v in data["what_if"]["parameters"].items())))
        rows.append(("结果变化的单位", "；".join(f["description"] for f in data["what_if"]["flips"]) or "无"))
    rows.append(("规则包", "，".join(f"{p['id']}@{p['version']}" for p in data["packs"])))
    return rows


# -- XLSX ---------------------------------------------------------------------------------------------------------
def to_xlsx(audit: Audit, flips: list[Flip] | None = None, source: str | None = None) -> bytes:
    data = report_data(audit, flips, source)
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    header(summary, ["项目", "数值"])
    for r, (name, value) in enumerate(_summary_rows(data), start=2):
        put(summary, r, 1, name)
        put(summary, r, 2, value)
    widths(summary)

    units = book.create_sheet("单位")
    header(units, ["单位", "地区", "类型", "印发文件", "本系统全市性会议", "现场办公会", "其他会议", "综合性督查考核", "其他督查检查考核",
                   "简报种类", "简报名称", "基准年度期数", "本年度期数", "压减比例", "压减达标", "违规记录", "违规（按条）", "提醒", "豁免",
                   "未能复核", "义务", "亮灯"])
    for r, u in enumerate(data["units"], start=2):
        b = u["bulletins"]
        values = [u["unit"], u["jurisdiction"] or "", UNIT_TYPE_ZH.get(u["type"], u["type"] or ""), u["documents"], u["meetings"]["citywide_system"], u["meetings"]["onsite_office"],
                  u["meetings"]["other"], u["inspections"]["comprehensive"], u["inspections"]["other"], b["series_count"], b["series"],
                  b["baseline_issues"], b["issues"], unit_cut(b), met_zh(b["met"]), u["violations"], _articles(u["violations_by_article"]),
                  u["advice"], u["waivers"], u["records_not_checked"], _obligations_text(u), LIGHT_ZH[u["light"]]]
        for c, value in enumerate(values, start=1):
            put(units, r, c, value)
        fill = {"red": REJECT_FILL, "green": APPROVE_FILL}.get(u["light"])
        if fill is not None:
            units.cell(row=r, column=len(values)).fill = fill
    widths(units)

    violations = book.create_sheet("违规")
    header(violations, ["记录编号", "单位", "类别", "日期", "规则", "条", "程度", "理由", "条文", "整改建议"])
    r = 2
    for group in (data["violations"], data["advice"], data["waivers"]):
        for v in group:
            for f in v["findings"]:
                for c, value in enumerate([v["record_id"], v["unit"], v["kind"], v["date"], f["rule"], f["clause"],
                                           {"block": "违规", "advice": "提醒", "waived": "已批准豁免"}[f["severity"]],
                                           f["message"], f["article_text"], f["remedy"]], start=1):
                    put(violations, r, c, value)
                r += 1
    for n in data["not_checked"]:
        for c, value in enumerate([n["record_id"], n["unit"], n["kind"], n["date"], "", "", "未能复核", n["reason"], "", ""], start=1):
            put(violations, r, c, value)
        r += 1
    widths(violations)

    obligations = book.create_sheet("义务")
    header(obligations, ["单位", "义务", "条", "来源", "是否履行", "最低要求", "周期", "实有", "缺少", "说明", "解读"])
    r = 2
    for u in data["units"]:
        for o in u["obligations"]:
            for c, value in enumerate([u["unit"], o["title"], o["article"], o["source"], "已履行" if o["met"] else "未履行", o["minimum"] if o["minimum"] is not None else "",
                                       o["period"] or "逐件销号", o["found"], o["missing"], o["message"], o["reading"]], start=1):
                put(obligations, r, c, value)
            r += 1
        if u["obligations_not_checked"]:
            for c, value in enumerate([u["unit"], "", "", "", "未核查", "", "", "", "", u["obligations_not_checked"], ""], start=1):
                put(obligations, r, c, value)
            r += 1
    widths(obligations)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# -- Markdown -----------------------------------------------------------------------------------------------------
def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", "<br>")


def to_markdown(audit: Audit, flips: list[Flip] | None = None, source: str | None = None) -> bytes:
    data = report_data(audit, flips, source)
    b = data["bulletins"]
    lines = [f"# {data['year']}年度精文简会与督查检查考核合规审计", ""]
    lines.append(f"简报数量：{data['baseline_year']}年 {b['baseline_issues']} 期，{data['year']}年 {b['issues']} 期，压减 {unit_cut(b)}"
                 f"（目标 {percent(b['target'])}，{met_zh(b['met'])}）。")
    lines.append("")
    lines += ["## 汇总", "", "| 项目 | 数值 |", "| --- | --- |"]
    lines += [f"| {_md(k)} | {_md(v)} |" for k, v in _summary_rows(data)]
    lines += ["", "## 各单位", "", "| 单位 | 文件 | 系统会议 | 现场办公会 | 综合督查 | 其他督查 | 简报（基准→本年） | 压减 | 违规（按条） | 未履行义务 | 亮灯 |",
              "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- | --- | --- |"]
    for u in data["units"]:
        bu = u["bulletins"]
        missed = "；".join(o["title"] for o in u["obligations"] if not o["met"]) or "—"
        lines.append(f"| {_md(u['unit'])} | {u['documents']} | {u['meetings']['citywide_system']} | {u['meetings']['onsite_office']} | "
                     f"{u['inspections']['comprehensive']} | {u['inspections']['other']} | {bu['baseline_issues']}→{bu['issues']} | {unit_cut(bu)} | "
                     f"{_md(_articles(u['violations_by_article']))} | {_md(missed)} | {LIGHT_ZH[u['light']]} |")
    lines += ["", "## 违规记录", ""]
    if not data["violations"]:
        lines.append("无。")
    for v in data["violations"]:
        for f in v["findings"]:
            lines.append(f"- **{_md(v['record_id'])}**（{_md(v['unit'])}，{v['date']}）第{f['clause']}条 `{f['rule']}`：{_md(f['message'])}")
    if data["waivers"]:
        lines += ["", "## 已使用的批准（豁免）", ""]
        for v in data["waivers"]:
            for f in v["findings"]:
                lines.append(f"- {_md(v['record_id'])}（{_md(v['unit'])}）第{f['clause']}条：{_md(f['message'])}")
    lines += ["", "## 未履行的年度义务", ""]
    missed_any = False
    for u in data["units"]:
        for o in u["obligations"]:
            if not o["met"]:
                missed_any = True
                lines.append(f"- {_md(o['message'])}（{o['source']} 第{o['article']}条）")
    if not missed_any:
        lines.append("无。")
    if data["not_checked"]:
        lines += ["", f"## 未能复核的记录（{len(data['not_checked'])} 条）", ""]
        for n in data["not_checked"][:50]:
            lines.append(f"- {_md(n['record_id'])}（{_md(n['unit'])}，{n['date']}）：{_md(n['reason'])}")
        if len(data["not_checked"]) > 50:
            lines.append(f"- ……另有 {len(data['not_checked']) - 50} 条，见 JSON 或 XLSX。")
    return ("\n".join(lines) + "\n").encode("utf-8")


# -- HTML ---------------------------------------------------------------------------------------------------------
def _style() -> Style:
    return Style(font_family=FONT, background="white", plot_background="white", colors=("#9bbbd9", "#1f5fa0", "#d98c3f", "#6a9f58", "#b04a4a"),
                 title_font_size=16, label_font_size=11, major_label_font_size=11, legend_font_size=12, value_font_size=10)


def _chart(kind: Callable, title: str, labels: list[str], series: list[tuple[str, list[int]]]) -> str:
    chart = kind(style=_style(), js=[], disable_xml_declaration=True, width=900, height=max(320, 60 + 22 * len(labels)),
                 title=title, legend_at_bottom=True, margin_left=40, print_values=False, show_y_guides=False, show_x_guides=True, truncate_label=-1)
    chart.x_labels = labels
    for name, values in series:
        chart.add(name, values)
    combine = sum if kind is pygal.HorizontalStackedBar else max
    largest = max((combine(column) for column in zip(*(values for _, values in series))), default=0)
    if largest <= 20:  # counts: whole-number ticks, never 0.1 of a meeting
        chart.y_labels = list(range(0, largest + 1))
    return chart.render(is_unicode=True)


def charts(data: dict) -> dict[str, str]:
    b_units = sorted(data["bulletins"]["units"], key=lambda u: -(u["baseline_issues"] + u["issues"]))[:CHART_UNITS]
    out = {}
    if b_units:
        out["bulletins"] = _chart(pygal.HorizontalBar, f"简报期数：{data['baseline_year']}年与{data['year']}年", [u["unit"] for u in b_units],
                                  [(f"{data['baseline_year']}年", [u["baseline_issues"] for u in b_units]), (f"{data['year']}年", [u["issues"] for u in b_units])])
    busy = [u for u in data["units"] if sum(u["meetings"].values()) + u["inspections"]["comprehensive"] + u["inspections"]["other"]]
    busy = sorted(busy, key=lambda u: -(sum(u["meetings"].values()) + u["inspections"]["comprehensive"] + u["inspections"]["other"]))[:CHART_UNITS]
    if busy:
        out["activity"] = _chart(pygal.HorizontalStackedBar, f"{data['year']}年各单位会议与督查检查考核", [u["unit"] for u in busy], [
            ("本系统全市性会议", [u["meetings"]["citywide_system"] for u in busy]),
            ("现场办公会", [u["meetings"]["onsite_office"] for u in busy]),
            ("其他会议", [u["meetings"]["other"] for u in busy]),
            ("综合性督查考核", [u["inspections"]["comprehensive"] for u in busy]),
            ("其他督查检查考核", [u["inspections"]["other"] for u in busy]),
        ])
    quarterly = data["units"][:CHART_UNITS]
    if quarterly and quarterly[0].get("lights_by_quarter"):
        out["lights"] = lights_chart(data, quarterly)
    return out


LIGHT_COLOURS = {"green": "#3c9a4a", "yellow": "#e0b300", "red": "#c0392b", "grey": "#9a9a9a"}


def lights_chart(data: dict, units: list[dict]) -> str:
    """Each unit's light quarter by quarter (004 art. 18 亮灯预警): a row per unit, a cell per review day coloured
    by its light (pygal colours a value of its own when given one)."""
    days = units[0]["lights_by_quarter"]
    title = f"{data['year']}年各单位季度亮灯" + (f"（截至 {data['as_of']}）" if data.get("as_of") else "")
    chart = pygal.HorizontalStackedBar(style=_style(), js=[], disable_xml_declaration=True, width=900, height=max(320, 80 + 22 * len(units)),
                                       title=title, show_legend=False, margin_left=40, print_values=True, show_y_guides=False,
                                       show_x_guides=False, truncate_label=-1, show_x_labels=False)
    chart.x_labels = [u["unit"] for u in units]
    for i, day in enumerate(days):
        values = []
        for u in units:
            light = u["lights_by_quarter"][i]["light"] if i < len(u["lights_by_quarter"]) else "grey"
            values.append({"value": 1, "color": LIGHT_COLOURS[light], "label": f"{day['quarter']} {LIGHT_ZH[light]}",
                           "formatter": lambda _value, q=day["quarter"], zh=LIGHT_ZH[light]: f"{q} {zh}"})
        chart.add(day["quarter"], values)
    return chart.render(is_unicode=True)


def to_html(audit: Audit, flips: list[Flip] | None = None, source: str | None = None) -> bytes:
    data = report_data(audit, flips, source)
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html", "j2"]))
    env.filters["percent"] = percent
    env.filters["met"] = met_zh
    env.filters["articles"] = _articles
    template = env.get_template("audit.html.j2")
    html = template.render(data=data, charts=charts(data), light_zh=LIGHT_ZH, meeting_zh=MEETING_ZH, inspection_zh=INSPECTION_ZH,
                           summary=_summary_rows(data))
    return html.encode("utf-8")


WRITERS: dict[str, Callable[[Audit, list[Flip] | None, str | None], bytes]] = {".html": to_html, ".xlsx": to_xlsx, ".json": to_json, ".md": to_markdown}
