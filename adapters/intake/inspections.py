"""An inspection work plan (督查检查考核工作方案) read into an inspection draft: `type` from 综合/专项, the start date,
the `work_plan` (targets, and the indicator table's rows as `{name, target}`), the units from 牵头/参加/联合, and
`onsite.unannounced` from 暗访/不打招呼/四不两直."""

from __future__ import annotations

import re

from .elements import Elements, Found, labelled, labelled_date, put

INSPECTION_WORDS = r"督查|检查|考核|考评|巡查|督导"
START_LABELS = r"(?:检查|督查|考核|考评|督导|巡查)?时间(?:安排)?|(?:检查|督查|考核|督导)?时间和方式|实施时间"
TARGET_LABELS = r"(?:工作|检查|督查|考核)?目标(?:任务)?"
LEAD_LABELS = r"牵头单位|组织单位|主办单位"
JOIN_LABELS = r"参加单位|配合单位|参与单位|成员单位|联合单位"


def is_inspection_plan(title: str) -> bool:
    return bool(re.search(rf"({INSPECTION_WORDS}).*(工作方案|实施方案|方案)", title))


def read_inspection(elements: Elements, text: str, tables: list[list[list[str]]]) -> dict:
    out: dict = {}
    title = elements.title.value if elements.title else ""
    inner = re.search(r"《(.+?)》", title)
    plan_title = inner.group(1) if inner else title
    if plan_title:
        out["title"] = (plan_title, title)
    if "综合" in plan_title:
        out["type"] = ("comprehensive", plan_title)
    elif "专项" in plan_title:
        out["type"] = ("special", plan_title)
    if plan_title.startswith("全市") or re.match(r"^(19|20)\d\d年(度)?全市", plan_title):
        out["scope"] = ("citywide", plan_title)
    lines = elements.lines
    reference = elements.date.value if elements.date else None
    put(out, "date", labelled_date(lines, START_LABELS, text, r"(?:自|于|从)?((?:(?:19|20)\d\d年)?\d{1,2}月\d{1,2}日)(?:起|开始|至)", reference))
    targets = labelled(lines, TARGET_LABELS)
    if targets is not None:
        items = [t.strip() for t in re.split(r"[；;。]", targets.value) if t.strip()]
        if items:
            out["targets"] = (items, targets.evidence)
    indicators = _indicator_rows(tables)
    if indicators:
        out["indicators"] = indicators
    lead = labelled(lines, LEAD_LABELS) or _inline(text, LEAD_LABELS)
    if lead is None:
        led = re.search(r"由([^，。,]{2,30}?)牵头", text)
        if led:
            out["lead"] = (led.group(1), led.group(0))
    else:
        put(out, "lead", lead)
    join = labelled(lines, JOIN_LABELS) or _inline(text, JOIN_LABELS)
    if join is None:
        joined = re.search(r"牵头[，,、]\s*([^。；;]+?)(?:等单位|等部门)?(?:参加|配合|参与)", text)
        if joined:
            join = Found(joined.group(1), joined.group(0), 0)
    put(out, "join", join)
    jointly = re.search(r"[^。，,]{0,20}联合[^。，,]{0,20}", text)
    if jointly:
        out["joint"] = (True, jointly.group(0))
    elif join is not None:
        out["joint"] = (True, join.evidence)
    unannounced = re.search(r"[^。，,]{0,16}(暗访|不打招呼|四不两直)[^。，,]{0,16}", text)
    if unannounced:
        out["unannounced"] = (True, unannounced.group(0))
    return out


def _inline(text: str, labels: str) -> Found | None:
    """A label inside a sentence: 考核方式：牵头单位：市发展改革委；参加单位：市财政局。"""
    match = re.search(rf"({labels})[:：]\s*([^；;。\n]+)", text)
    return Found(match.group(2).strip(), match.group(0), 0) if match else None


def _indicator_rows(tables: list[list[list[str]]]) -> tuple[list[dict], str] | None:
    """The rows of the first table whose header names an indicator (指标) and its target (目标值, 目标, 标准)."""
    for table in tables:
        header = table[0]
        name_col = next((i for i, c in enumerate(header) if "指标" in c and "值" not in c), None)
        target_col = next((i for i, c in enumerate(header) if i != name_col and re.search(r"目标|标准|要求|指标值", c)), None)
        if name_col is None or target_col is None:
            continue
        rows = []
        for row in table[1:]:
            if len(row) > max(name_col, target_col) and row[name_col]:
                rows.append({"name": row[name_col], "target": row[target_col] or None})
        if rows:
            return rows, " | ".join(header)
    return None
