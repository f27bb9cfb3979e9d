"""Requests and registers as workbooks: the sheet layout shared by the plan template, the checked plan, register
imports and exports. One sheet per kind (文件, 会议, 督查检查考核, 简报) with Chinese headers; the register adds
单位 (units), 已备案计划 (filed plans) and 计划事项 (their items).
"""

from __future__ import annotations

import json
from typing import Any

from jianfu.engine.messages import VALUE_ZH

from .columns import COLUMNS, STATUS_ZH, Column

KIND_SHEETS = {"document": "文件", "meeting": "会议", "inspection": "督查检查考核", "bulletin": "简报"}
UNIT_HEADERS = ("名称", "类型", "层级", "地区", "别名", "牵头任务")
UNIT_KEYS = {"名称": "name", "类型": "type", "层级": "level", "地区": "jurisdiction", "别名": "aliases", "牵头任务": "leads",
             "name": "name", "type": "type", "level": "level", "jurisdiction": "jurisdiction", "aliases": "aliases", "leads": "leads"}
UNIT_LISTS = ("aliases", "leads")
"""Unit columns holding several names, separated by ； (or ;) in a cell."""
UNIT_TYPE_ZH = {"government": "政府", "general_office": "政府办公室", "department": "部门", "coordinating_body": "议事协调机构"}
UNIT_LEVEL_ZH = {"province": "省", "city": "市", "county": "县", "township": "乡镇"}
PLAN_HEADERS = ("计划编号", "地区", "单位", "年度", "备案单位", "备案日期", "标题")
PLAN_KEYS = {"计划编号": "id", "地区": "jurisdiction", "单位": "unit", "年度": "year", "备案单位": "filed_with", "备案日期": "filed_on", "标题": "title"}
PLAN_ITEM_SHEET = "计划事项"
PLAN_SHEET = "已备案计划"
UNIT_SHEET = "单位"


def columns_for(kind: str, with_status: bool = False) -> list[Column]:
    return [c for c in COLUMNS if kind in c.kinds and (with_status or c.path != "status")]


def cell_value(column: Column, data: dict[str, Any]) -> Any:
    """The value of a contract field as a sheet cell shows it (the reader reads it back to the same value)."""
    value: Any = data
    for part in column.path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    if value is None or value == [] or value == "":
        return None
    kind = column.type
    if kind == "bool":
        return "是" if value else "否"
    if kind == "enum":
        if column.path == "status":
            return STATUS_ZH.get(value, value)
        return VALUE_ZH.get(value, value) if column.path != "kind" else value
    if kind == "list":
        return "；".join(value) if not any(_ambiguous(v) for v in value) else json.dumps(value, ensure_ascii=False)
    if kind == "attendees":
        if any(_ambiguous(a["unit"]) or ":" in a["unit"] or "：" in a["unit"] for a in value):
            return json.dumps(value, ensure_ascii=False)
        return "；".join(f"{a['unit']}:{'是' if a['directly_related'] else '否'}" for a in value)
    if kind == "approvals":
        if any(_ambiguous(str(v)) or "|" in str(v) for a in value for v in a.values() if v is not None):
            return json.dumps(value, ensure_ascii=False)
        return "；".join(
            "|".join(str(a.get(k) or "") for k in ("by", "ref", "date", "covers")).rstrip("|") for a in value
        )
    if kind == "indicators":
        if any(_ambiguous(str(i.get("name"))) or "=" in str(i.get("name")) for i in value):
            return json.dumps(value, ensure_ascii=False)
        return "；".join(f"{i['name']}={i['target']}" if i.get("target") is not None else i["name"] for i in value)
    return value


def _ambiguous(text: str) -> bool:
    return any(ch in text for ch in ";；\n") or text.startswith(("[", "{"))
