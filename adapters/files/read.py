"""Request, plan and register files in: YAML, JSON, CSV and XLSX/WPS, validated against the contracts.

Every error is collected (not just the first) and placed at its line, or at its sheet, row and column; if there is
any, nothing is returned and nothing is decided.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any, Callable, Iterator

from loguru import logger
from pydantic import TypeAdapter, ValidationError

from jianfu.engine.errors import FieldError, InvalidInput, from_validation_error
from jianfu.engine.records import RegisterFile
from jianfu.engine.requests import Plan, Submission
from jianfu.engine.sources import Located, SourceError, load_json, load_yaml

from . import tabular

SUBMISSION = TypeAdapter(Submission)
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_REQUESTS = 100_000

SHEET_KINDS = {
    "文件": "document",
    "会议": "meeting",
    "督查检查考核": "inspection",
    "督查": "inspection",
    "简报": "bulletin",
    "document": "document",
    "documents": "document",
    "meeting": "meeting",
    "meetings": "meeting",
    "inspection": "inspection",
    "inspections": "inspection",
    "bulletin": "bulletin",
    "bulletins": "bulletin",
}
SKIPPED_SHEETS = {"说明", "readme", "instructions", "计划", "plan", "决定", "decisions", "审查结果"}


def _text(path: Path) -> str:
    if not path.is_file():
        raise InvalidInput([FieldError((), "文件不存在", "no such file", file=str(path))])
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InvalidInput([FieldError((), "文件过大（上限 200 MB）", "file too large (200 MB at most)", file=str(path))])
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        for encoding in ("gb18030",):  # WPS and older Excel save CSV in GBK
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise InvalidInput([FieldError((), "无法识别文件编码（应为 UTF-8 或 GBK）", "unknown encoding: use UTF-8 or GBK", file=str(path))]) from None


MAX_DEPTH = 32
"""How deep a request, plan or register file may nest: the contracts need a handful of levels; anything deeper is
refused before the models see it (and before a parser's recursion gives out)."""


def _parsed(load: Callable[[str, str], Located], text: str, name: str) -> Located:
    """`load` (YAML or JSON with positions) with every way it can fail as a FieldError naming the file."""
    too_deep = FieldError((), f"嵌套过深（上限 {MAX_DEPTH} 层）", f"nested too deep ({MAX_DEPTH} levels at most)", file=name)
    try:
        located = load(text, name)
    except SourceError as exc:
        raise InvalidInput([exc.error]) from None
    except RecursionError:
        raise InvalidInput([too_deep]) from None
    if _depth(located.data) > MAX_DEPTH:
        raise InvalidInput([too_deep])
    return located


def _depth(data: Any) -> int:
    """How deeply lists and mappings nest (walked with a stack of our own, never by recursion)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return deepest


def _structured(path: Path) -> Located:
    text = _text(path)
    if not text.strip():
        raise InvalidInput([FieldError((), "文件为空", "the file is empty", file=str(path))])
    return _parsed(load_json if path.suffix.lower() == ".json" else load_yaml, text, str(path))


def _validate(located: Located, data: Any, prefix: tuple, validate: Callable[[Any], Any]) -> tuple[Any, list[FieldError]]:
    try:
        return validate(data), []
    except ValidationError as exc:
        return None, [located.place(e) for e in from_validation_error(exc, prefix)]


_KIND_KEY = re.compile(rb'(?:^|[\s{,\[-])["\']?kind["\']?\s*:', re.MULTILINE)


def _refuse_too_many(path: Path) -> None:
    """Refuse a YAML/JSON file of more than MAX_REQUESTS requests before parsing it: every request (and plan item)
    has a `kind`, so counting the `kind:` keys in 1 MB pieces bounds the number of requests in a second or two, with
    a megabyte of memory; parsing it first took minutes and gigabytes (the parser keeps every value's position)."""
    count, tail = 0, b""
    with path.open("rb") as stream:
        while piece := stream.read(1 << 20):
            text = tail + piece
            cut = max(text.rfind(b"\n"), len(text) - 16)  # a key split across pieces is counted in the next one
            count += len(_KIND_KEY.findall(text, 0, cut))
            tail = text[cut:]
            if count > MAX_REQUESTS:
                raise InvalidInput([FieldError((), f"申请过多（上限 {MAX_REQUESTS}），未读取", f"too many requests ({MAX_REQUESTS} at most): not read", file=str(path))])
    count += len(_KIND_KEY.findall(tail))
    if count > MAX_REQUESTS:
        raise InvalidInput([FieldError((), f"申请过多（上限 {MAX_REQUESTS}），未读取", f"too many requests ({MAX_REQUESTS} at most): not read", file=str(path))])


def read_submissions(path: Path) -> list[Any]:
    """Requests (any kind) or plans, in file order. One object, or a list of them."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx", ".xlsm"):
        return _sheet_submissions(path)
    if path.is_file():
        _refuse_too_many(path)
    return located_submissions(_structured(path))


def _body_json(text: str, name: str) -> Located:
    if not text.strip():
        raise InvalidInput([FieldError((), "请求体为空", "the body is empty", file=name)])
    return _parsed(load_json, text, name)


def submissions_from_json(text: str, name: str = "request") -> list[Any]:
    """Requests or plans from a JSON text (an HTTP body): errors name the field and the line, as for a file."""
    return located_submissions(_body_json(text, name))


def model_from_json(text: str, validate: Callable[[Any], Any], name: str = "request") -> Any:
    """One object of a contract (a record, a filed plan) from a JSON text, errors placed at their field and line."""
    located = _body_json(text, name)
    value, errors = _validate(located, located.data, (), validate)
    if errors:
        raise InvalidInput(errors)
    return value


def located_submissions(located: Located) -> list[Any]:
    data = located.data
    items = data if isinstance(data, list) else [data]
    if not isinstance(data, (list, dict)):
        raise InvalidInput([located.place(FieldError((), "应为一个申请对象或申请列表", "expected a request object or a list of them"))])
    if len(items) > MAX_REQUESTS:
        raise InvalidInput([located.place(FieldError((), f"申请过多（上限 {MAX_REQUESTS}）", f"too many requests ({MAX_REQUESTS} at most)"))])
    out, errors = [], []
    for i, item in enumerate(items):
        prefix = (i,) if isinstance(data, list) else ()
        value, problems = _validate(located, item, prefix, SUBMISSION.validate_python)
        errors.extend(problems)
        out.append(value)
    errors.extend(_duplicate_ids(out, lambda i: located.place(FieldError(((i,) if isinstance(data, list) else ()) + ("id",), "", ""))))
    if errors:
        raise InvalidInput(errors)
    return out


def _duplicate_ids(items: list[Any], where: Callable[[int], FieldError]) -> list[FieldError]:
    errors, seen = [], {}
    for i, item in enumerate(items):
        if item is None:
            continue
        ids = [(item.id, i)] + ([(sub.id, i) for sub in item.items] if isinstance(item, Plan) else [])
        for rid, index in ids:
            if rid in seen:
                base = where(index)
                errors.append(base.at(zh=f"编号 {rid!r} 重复", en=f"id {rid!r} is used twice"))
            seen.setdefault(rid, index)
    return errors


def read_sheets(path: Path) -> list[tabular.Sheet]:
    if path.suffix.lower() == ".csv":
        try:
            return [tabular.read_csv(_text(path), str(path))]
        except ValueError as exc:
            zh, _, en = str(exc).partition(" / ")
            raise InvalidInput([FieldError((), zh, en, file=str(path))]) from None
    return _workbook_sheets(path)


def _workbook_sheets(path: Path) -> list[tabular.Sheet]:
    import openpyxl  # only needed for spreadsheets

    if not path.is_file():
        raise InvalidInput([FieldError((), "文件不存在", "no such file", file=str(path))])
    _refuse_zip_bomb(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise InvalidInput([FieldError((), f"无法打开工作簿：{exc}", f"cannot open the workbook: {exc}", file=str(path))]) from None
    sheets = []
    try:
        for ws in book.worksheets:
            if getattr(ws, "sheet_state", "visible") != "visible":  # a lookup sheet the workbook's author hid
                logger.warning("已跳过隐藏的工作表 {} / skipped the hidden sheet {}: {}", ws.title, ws.title, path)
                continue
            rows = ws.iter_rows(values_only=True)
            if ws.title.strip().lower() in SKIPPED_SHEETS:  # the plan's own fields (计划) are key and value, no headers
                header, at = next(rows, None), 1
            else:
                header, at, rows = _header_row(rows)
            if header is None:
                continue
            headers = [("" if h is None else str(h).strip(), tabular.column_letter(i)) for i, h in enumerate(header)]
            sheet = tabular.Sheet(ws.title, str(path), headers, header_row=at)
            for r, values in enumerate(rows, start=at + 1):
                if values is None or all(tabular._blank(v) for v in values):
                    continue
                sheet.rows.append([tabular.Cell(r, tabular.column_letter(i), v) for i, v in enumerate(values)])
            sheets.append(sheet)
    finally:
        book.close()
    return sheets


MAX_UNZIPPED = 256 * 1024 * 1024
TITLE_ROWS = 10


def _refuse_zip_bomb(path: Path) -> None:
    """A workbook is a zip: one that would unpack to more than MAX_UNZIPPED (a zip bomb) is refused unopened."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return  # not a zip at all: openpyxl says why below
    if unpacked > MAX_UNZIPPED:
        raise InvalidInput([FieldError((), f"工作簿解压后过大（{unpacked // 1024 // 1024} MB，上限 {MAX_UNZIPPED // 1024 // 1024} MB）",
                                       f"the workbook unpacks too large ({unpacked // 1024 // 1024} MB, {MAX_UNZIPPED // 1024 // 1024} MB at most)", file=str(path))])


def _header_row(rows) -> tuple[tuple | None, int, Iterator]:
    """The header row, its number and the rows after it: the first row with two known column headers within the
    first TITLE_ROWS (a title such as 2019年5月会议申请汇总表 above the headers is skipped); else the first row."""
    from .columns import BY_HEADER

    seen = []
    for values in rows:
        seen.append(values)
        if values and sum(1 for v in values if v is not None and str(v).strip() in BY_HEADER) >= 2:
            return values, len(seen), rows
        if len(seen) >= TITLE_ROWS:
            break
    if not seen:
        return None, 1, iter(())
    return seen[0], 1, itertools.chain(seen[1:], rows)


def _sheet_submissions(path: Path, inherited: dict[str, Any] | None = None) -> list[Any]:
    out, errors = [], []
    for sheet in read_sheets(path):
        if (sheet.name or "").strip().lower() in SKIPPED_SHEETS:
            continue
        kind = SHEET_KINDS.get((sheet.name or "").strip().lower()) if sheet.name else None
        defaults = {**(inherited or {}), **({"kind": kind} if kind else {})}
        rows, problems = tabular.records(sheet, defaults)
        errors.extend(problems)
        for record in rows:
            try:
                out.append(SUBMISSION.validate_python(record.data))
            except ValidationError as exc:
                errors.extend(record.placed(from_validation_error(exc), sheet))
    if errors:
        raise InvalidInput(errors)
    if not out:
        raise InvalidInput([FieldError((), "表格中没有申请", "no requests in the sheet", file=str(path))])
    return out


def read_requests(path: Path) -> list[Any]:
    """Requests to screen (plans are refused here: `jianfu plan` checks those)."""
    items = read_submissions(path)
    plans = [i for i, item in enumerate(items) if isinstance(item, Plan)]
    if plans:
        raise InvalidInput([FieldError((plans[0], "kind"), "这是年度计划，请用 jianfu plan 检查", "this is an annual plan: check it with `jianfu plan`", file=str(path))])
    return items


PLAN = TypeAdapter(Plan)
PLAN_FIELDS = {"编号": "id", "地区": "jurisdiction", "单位": "unit", "年度": "year", "标题": "title", "备案单位": "filed_with", "备案日期": "filed_on"}


def read_plan(path: Path) -> Plan:
    """An annual plan: a YAML/JSON plan object, or a workbook/CSV of items (the plan's own fields on sheet 计划)."""
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        items = read_submissions(path)
        if len(items) != 1 or not isinstance(items[0], Plan):
            raise InvalidInput([FieldError(("kind",), "应为一个 kind: plan 的年度计划", "expected one object with kind: plan", file=str(path))])
        return items[0]
    sheets = read_sheets(path)
    meta: dict[str, Any] = {"kind": "plan"}
    for sheet in sheets:
        if (sheet.name or "").strip().lower() in ("计划", "plan"):
            for cells in [[tabular.Cell(sheet.header_row, h[1], h[0]) for h in sheet.headers]] + sheet.rows:
                if len(cells) < 2 or tabular._blank(cells[0].value) or tabular._blank(cells[1].value):
                    continue
                key = str(cells[0].value).strip()
                if key in ("字段", "field"):
                    continue  # the template's header row
                key = PLAN_FIELDS.get(key, key)
                value = cells[1].value
                if key == "year" and isinstance(value, (int, float)):
                    value = int(value)
                elif key == "filed_with" and isinstance(value, str):
                    value = {"市政府督查室": "supervision_office", "督查室": "supervision_office"}.get(value.strip(), value.strip())
                elif key == "filed_on":
                    value = tabular._date(value)
                meta[key] = value
    items = _sheet_submissions(path, {k: meta[k] for k in ("jurisdiction", "unit") if k in meta})
    if any(isinstance(item, Plan) for item in items):
        raise InvalidInput([FieldError(("kind",), "计划事项不能是计划", "a plan item cannot be a plan", file=str(path))])
    if "year" not in meta and items:
        years = {item.date.year for item in items}
        if len(years) == 1:
            meta["year"] = years.pop()
    for key in ("jurisdiction", "unit"):
        if key not in meta and items:
            values = {getattr(item, key) for item in items}
            if len(values) == 1:
                meta[key] = values.pop()
    meta.setdefault("id", path.stem)
    meta["items"] = [item.model_dump(mode="json", exclude_defaults=True) | {"kind": item.kind} for item in items]
    try:
        return PLAN.validate_python(meta)
    except ValidationError as exc:
        raise InvalidInput([e.at(file=str(path), sheet="计划") for e in from_validation_error(exc)]) from None


def read_register(path: Path) -> RegisterFile:
    """The register as a file: `units`, `records` and `plans`."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx", ".xlsm"):
        from .register_sheets import read_register_sheets

        return read_register_sheets(path)
    located = _structured(path)
    if not isinstance(located.data, dict):
        raise InvalidInput([located.place(FieldError((), "台账应为含 units、records、plans 的映射", "a register is a mapping with units, records and plans"))])
    value, errors = _validate(located, located.data, (), RegisterFile.model_validate)
    if errors:
        raise InvalidInput(errors)
    errors = _register_consistency(value, located)
    if errors:
        raise InvalidInput(errors)
    return value


def _register_consistency(register: RegisterFile, located: Located | None) -> list[FieldError]:
    """Duplicate ids and records of units the register does not know."""

    def place(path: tuple, zh: str, en: str) -> FieldError:
        error = FieldError(path, zh, en)
        return located.place(error) if located else error

    errors, seen = [], {}
    names = {u.name for u in register.units}
    known: dict[str, int] = {}  # every name and alias of a unit: a name is one unit's only
    for i, unit in enumerate(register.units):
        for j, name in enumerate([unit.name, *unit.aliases]):
            if name in known and known[name] != i:
                path = ("units", i, "name") if j == 0 else ("units", i, "aliases", j - 1)
                other = register.units[known[name]].name
                errors.append(place(path, f"单位名称 {name!r} 重复（已是 {other} 的名称）", f"unit name {name!r} is used twice (already a name of {other})"))
            known.setdefault(name, i)
    for i, record in enumerate(register.records):
        if record.id in seen:
            errors.append(place(("records", i, "id"), f"编号 {record.id!r} 重复", f"id {record.id!r} is used twice"))
        seen.setdefault(record.id, i)
        if names and record.unit not in names:
            errors.append(place(("records", i, "unit"), f"未知单位 {record.unit!r}（不在 units 中）", f"unknown unit {record.unit!r}: not among the units"))
    plan_ids = set()
    for i, plan in enumerate(register.plans):
        if plan.id in plan_ids:
            errors.append(place(("plans", i, "id"), f"计划编号 {plan.id!r} 重复", f"plan id {plan.id!r} is used twice"))
        plan_ids.add(plan.id)
        if names and plan.unit not in names:
            errors.append(place(("plans", i, "unit"), f"未知单位 {plan.unit!r}（不在 units 中）", f"unknown unit {plan.unit!r}: not among the units"))
    return errors


def placed_in(path: Path, errors: list[FieldError]) -> list[FieldError]:
    """Errors found after a file was read (an id the database already holds) placed at their line in it, as the
    reader's own errors are; a sheet's rows are named by their path. Read again only when there are errors."""
    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        return [e if e.file else e.at(file=str(path)) for e in errors]
    try:
        located = _structured(path)
    except InvalidInput:
        return [e.at(file=str(path)) for e in errors]
    return [e if e.line is not None else located.place(e) for e in errors]


def item_lines(path: Path) -> list[int | None]:
    """The line (or sheet row) where each request of a file starts, for reports that point back into the file."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".xlsx", ".xlsm"):
        lines: list[int | None] = []
        for sheet in read_sheets(path):
            if (sheet.name or "").strip().lower() not in SKIPPED_SHEETS:
                lines.extend(cells[0].row if cells else None for cells in sheet.rows)
        return lines
    located = _structured(path)
    if isinstance(located.data, list):
        return [(located.where((i,)) or (None,))[0] for i in range(len(located.data))]
    return [(located.where(()) or (None,))[0]]
