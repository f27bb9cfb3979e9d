"""A register read from a workbook (sheets 单位, 文件, 会议, 督查检查考核, 简报, 已备案计划, 计划事项) or from a CSV
of records (with a 类别 column). Every problem is named by sheet, row and column; nothing is imported if any.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError

from jianfu.engine.errors import FieldError, InvalidInput, from_validation_error
from jianfu.engine.records import FiledPlan, Record, RegisterFile, Unit
from jianfu.engine.requests import Submission

from . import tabular
from .read import SHEET_KINDS, _register_consistency, read_sheets
from .sheets import PLAN_ITEM_SHEET, PLAN_KEYS, PLAN_SHEET, UNIT_KEYS, UNIT_LEVEL_ZH, UNIT_LISTS, UNIT_SHEET, UNIT_TYPE_ZH

RECORD = TypeAdapter(Record)
ITEM = TypeAdapter(Submission)
TYPE_OF_ZH = {v: k for k, v in UNIT_TYPE_ZH.items()}
LEVEL_OF_ZH = {v: k for k, v in UNIT_LEVEL_ZH.items()}


def read_register_sheets(path: Path) -> RegisterFile:
    units: list[Unit] = []
    records: list[Any] = []
    origins: list[tuple[tabular.SheetRecord, tabular.Sheet]] = []  # where each record came from
    plan_rows: list[tuple[dict, tabular.Sheet, int]] = []
    item_rows: list[tuple[dict, tabular.SheetRecord, tabular.Sheet]] = []
    errors: list[FieldError] = []
    for sheet in read_sheets(path):
        name = (sheet.name or "").strip()
        if name == UNIT_SHEET:
            units.extend(_units(sheet, errors))
        elif name == PLAN_SHEET:
            plan_rows.extend(_key_rows(sheet, PLAN_KEYS, errors))
        elif name == PLAN_ITEM_SHEET:
            renamed = _without_plan_column(sheet)
            rows, problems = tabular.records(renamed)
            errors.extend(problems)
            for record, plan_id in zip(rows, _plan_ids(sheet)):
                item_rows.append(({"plan": plan_id, **record.data}, record, sheet))
        elif name.lower() in SHEET_KINDS or sheet.name is None:
            kind = SHEET_KINDS.get(name.lower())
            rows, problems = tabular.records(sheet, {"kind": kind} if kind else {})
            errors.extend(problems)
            for record in rows:
                try:
                    records.append(RECORD.validate_python(record.data))
                    origins.append((record, sheet))
                except ValidationError as exc:
                    errors.extend(record.placed(from_validation_error(exc), sheet))
        elif name not in ("说明", "readme"):
            errors.append(FieldError((), f"未知的工作表 {name!r}", f"unknown sheet {name!r}", file=str(path), sheet=name))
    plans = _plans(plan_rows, item_rows, errors)
    if errors:
        raise InvalidInput(errors)
    data = RegisterFile.model_construct(units=units, records=records, plans=plans)
    problems = _register_consistency(data, None)
    if problems:
        raise InvalidInput([_place(p, origins, path) for p in problems])
    return data


def _place(error: FieldError, origins, path: Path) -> FieldError:
    if len(error.path) >= 3 and error.path[0] == "records" and isinstance(error.path[1], int):
        record, sheet = origins[error.path[1]]
        return record.place(FieldError(tuple(error.path[2:]), error.zh, error.en), sheet)
    return error.at(file=str(path))


def _units(sheet: tabular.Sheet, errors: list[FieldError]) -> list[Unit]:
    out = []
    for data, _, row in _key_rows(sheet, UNIT_KEYS, errors):
        data["type"] = TYPE_OF_ZH.get(data.get("type"), data.get("type"))
        data["level"] = LEVEL_OF_ZH.get(data.get("level"), data.get("level"))
        for key in UNIT_LISTS:
            if isinstance(data.get(key), str):
                data[key] = [v.strip() for v in data[key].replace(";", "；").split("；") if v.strip()]
        try:
            out.append(Unit.model_validate(data))
        except ValidationError as exc:
            errors.extend(e.at(file=sheet.file, sheet=sheet.name, line=row) for e in from_validation_error(exc))
    return out


def _key_rows(sheet: tabular.Sheet, keys: dict[str, str], errors: list[FieldError]):
    columns = []
    for header, letter in sheet.headers:
        key = keys.get(header)
        if header and key is None:
            errors.append(FieldError((header,), f"未知的列 {header!r}", f"unknown column {header!r}", sheet.file, sheet.header_row, letter, sheet.name))
        columns.append(key)
    for cells in sheet.rows:
        data = {}
        for key, cell in zip(columns, cells):
            if key and not tabular._blank(cell.value):
                value = cell.value
                if key in ("filed_on",):
                    value = tabular._date(value)
                elif key == "year":
                    value = int(value) if isinstance(value, (int, float)) else str(value).strip()
                elif isinstance(value, str):
                    value = value.strip()
                data[key] = value
        yield data, sheet, cells[0].row if cells else 0


def _without_plan_column(sheet: tabular.Sheet) -> tabular.Sheet:
    keep = [i for i, (h, _) in enumerate(sheet.headers) if h != "计划编号"]
    out = tabular.Sheet(sheet.name, sheet.file, [sheet.headers[i] for i in keep], header_row=sheet.header_row)
    out.rows = [[cells[i] for i in keep if i < len(cells)] for cells in sheet.rows]
    return out


def _plan_ids(sheet: tabular.Sheet) -> list[str | None]:
    index = next((i for i, (h, _) in enumerate(sheet.headers) if h == "计划编号"), None)
    return [None if index is None or index >= len(cells) else (str(cells[index].value).strip() if cells[index].value is not None else None) for cells in sheet.rows]


def _plans(plan_rows, item_rows, errors: list[FieldError]) -> list[FiledPlan]:
    plans = []
    for data, sheet, row in plan_rows:
        if data.get("filed_with") in ("市政府督查室", "督查室"):
            data["filed_with"] = "supervision_office"
        items = []
        for item, record, item_sheet in item_rows:
            if item.get("plan") == data.get("id"):
                entry = {k: v for k, v in item.items() if k != "plan"}
                entry.setdefault("jurisdiction", data.get("jurisdiction"))
                entry.setdefault("unit", data.get("unit"))
                try:
                    items.append(ITEM.validate_python(entry).model_dump(mode="json", exclude_defaults=True) | {"kind": entry.get("kind")})
                except ValidationError as exc:
                    errors.extend(record.place(e, item_sheet) for e in from_validation_error(exc))
        try:
            plans.append(FiledPlan.model_validate({**data, "kind": "plan", "items": items}))
        except ValidationError as exc:
            errors.extend(e.at(file=sheet.file, sheet=sheet.name, line=row) for e in from_validation_error(exc))
    known = {d.get("id") for d, _, _ in plan_rows}
    for item, record, sheet in item_rows:
        if item.get("plan") not in known:
            errors.append(FieldError(("计划编号",), f"计划事项所属计划 {item.get('plan')!r} 不在 {PLAN_SHEET} 中", f"plan {item.get('plan')!r} of this item is not on the {PLAN_SHEET} sheet", sheet.file, record.row, None, sheet.name))
    return plans
