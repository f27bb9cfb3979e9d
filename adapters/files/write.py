"""Registers out: YAML, JSON or a workbook with one sheet per kind (the layout `register import` reads back)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from jianfu.engine.errors import FieldError, InvalidInput
from jianfu.engine.records import RegisterFile

from . import xlsx
from .sheets import (
    KIND_SHEETS,
    PLAN_HEADERS,
    PLAN_ITEM_SHEET,
    PLAN_SHEET,
    UNIT_HEADERS,
    UNIT_LEVEL_ZH,
    UNIT_SHEET,
    UNIT_TYPE_ZH,
    cell_value,
    columns_for,
)


def write_register(data: RegisterFile, out: Path) -> None:
    suffix = out.suffix.lower()
    plain = json.loads(data.model_dump_json(exclude_defaults=True))
    if suffix in (".yaml", ".yml"):
        out.write_text(yaml.safe_dump(plain, allow_unicode=True, sort_keys=False), encoding="utf-8")
    elif suffix == ".json":
        out.write_text(json.dumps(plain, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    elif suffix == ".xlsx":
        _workbook(data).save(out)
    else:
        raise InvalidInput([FieldError((), f"不支持的导出格式 {suffix}", f"cannot export to {suffix}: use .yaml, .json or .xlsx", file=str(out))])


def _workbook(data: RegisterFile):
    from openpyxl import Workbook

    book = Workbook()
    units = book.active
    units.title = UNIT_SHEET
    xlsx.header(units, UNIT_HEADERS)
    for r, unit in enumerate(data.units, start=2):
        for c, value in enumerate((unit.name, UNIT_TYPE_ZH[unit.type], UNIT_LEVEL_ZH[unit.level], unit.jurisdiction,
                                   "；".join(unit.aliases) or None, "；".join(unit.leads) or None), start=1):
            xlsx.put(units, r, c, value)
    xlsx.widths(units)
    by_kind: dict[str, list] = {kind: [] for kind in KIND_SHEETS}
    for record in data.records:
        by_kind[record.kind].append(record)
    for kind, sheet_name in KIND_SHEETS.items():
        ws = book.create_sheet(sheet_name)
        columns = [c for c in columns_for(kind, with_status=True) if c.path != "kind"]
        xlsx.header(ws, [c.zh for c in columns])
        for r, record in enumerate(by_kind[kind], start=2):
            plain = record.model_dump(mode="json")
            for c, column in enumerate(columns, start=1):
                xlsx.put(ws, r, c, cell_value(column, plain))
        xlsx.widths(ws)
    plans = book.create_sheet(PLAN_SHEET)
    xlsx.header(plans, PLAN_HEADERS)
    items = book.create_sheet(PLAN_ITEM_SHEET)
    item_columns = [c for c in columns_for("inspection") + columns_for("meeting") + columns_for("document") + columns_for("bulletin")]
    seen, unique_columns = set(), []
    for column in item_columns:
        if column.path not in seen:
            seen.add(column.path)
            unique_columns.append(column)
    xlsx.header(items, ["计划编号"] + [c.zh for c in unique_columns])
    row = 2
    for r, plan in enumerate(data.plans, start=2):
        for c, value in enumerate((plan.id, plan.jurisdiction, plan.unit, plan.year, "市政府督查室", plan.filed_on, plan.title or None), start=1):
            xlsx.put(plans, r, c, value)
        for item in plan.items:
            plain = item.model_dump(mode="json")
            xlsx.put(items, row, 1, plan.id)
            for c, column in enumerate(unique_columns, start=2):
                if item.kind in column.kinds:
                    xlsx.put(items, row, c, cell_value(column, plain))
            row += 1
    xlsx.widths(plans)
    xlsx.widths(items)
    return book
