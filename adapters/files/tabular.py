"""Rows of a CSV or XLSX/WPS sheet turned into contract dicts, remembering the cell of every value.

Nothing is guessed silently: an unknown header, a cell that is not a boolean where one is expected, or a malformed
compact list is an error naming the sheet, the row and the column.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from jianfu.engine.errors import EXCERPT, FieldError, Path, excerpt

from .columns import BY_HEADER, CODE_OF_ZH, RESULT_HEADERS, Column

TRUE = {"true", "是", "yes", "y", "1", "√", "✓", "对"}
FALSE = {"false", "否", "no", "n", "0", "×", "✗", "不"}
LIST_SPLIT = re.compile(r"[;；\n]")


@dataclass
class Cell:
    row: int  # 1-based, as the sheet shows it
    column: str  # A, B, … (or the header name for CSV)
    value: Any


@dataclass
class Sheet:
    """A table: headers and rows of cells, as read from a CSV file or a workbook sheet."""

    name: str | None
    file: str
    headers: list[tuple[str, str]]  # (header text, column letter)
    rows: list[list[Cell]] = field(default_factory=list)
    header_row: int = 1


@dataclass
class SheetRecord:
    data: dict[str, Any]
    cells: dict[Path, Cell]
    row: int
    failed: set[Path] = field(default_factory=set)  # cells already reported as unreadable

    def placed(self, errors: list[FieldError], sheet: "Sheet") -> list[FieldError]:
        """Model errors of this row at their cells, leaving out those about a cell already reported."""
        return [self.place(e, sheet) for e in errors if not any(tuple(e.path[: len(p)]) == p for p in self.failed)]

    def place(self, error: FieldError, sheet: Sheet) -> FieldError:
        path = tuple(error.path)
        while path and path not in self.cells:
            path = path[:-1]
        cell = self.cells.get(path)
        if cell is None:
            return error.at(file=sheet.file, sheet=sheet.name, line=self.row)
        return error.at(file=sheet.file, sheet=sheet.name, line=cell.row, column=cell.column)


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_csv(text: str, file: str) -> Sheet:
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise ValueError(f"CSV 无法解析：{exc} / cannot parse CSV: {exc}") from None
    if not rows:
        return Sheet(None, file, [])
    headers = [(h.strip(), column_letter(i)) for i, h in enumerate(rows[0])]
    sheet = Sheet(None, file, headers)
    for r, raw in enumerate(rows[1:], start=2):
        if not any(v.strip() for v in raw):
            continue
        sheet.rows.append([Cell(r, column_letter(i), v) for i, v in enumerate(raw)])
    return sheet


def records(sheet: Sheet, defaults: dict[str, Any] | None = None) -> tuple[list[SheetRecord], list[FieldError]]:
    """One contract dict per non-empty row; every problem found, each at its cell."""
    errors: list[FieldError] = []
    columns: list[tuple[Column | None, str, str]] = []
    seen: set[str] = set()
    for header, letter in sheet.headers:
        if not header or header in RESULT_HEADERS:
            columns.append((None, "", letter) if not header else (None, header, letter))
            continue
        column = BY_HEADER.get(header)
        if column is None:
            shown = excerpt(header)  # a header is whatever the first row held: echoed short
            errors.append(
                FieldError((header if len(header) <= EXCERPT else header[:EXCERPT] + "…",), f"未知的列 {shown}", f"unknown column {shown}",
                           sheet.file, sheet.header_row, letter, sheet.name)
            )
        elif column.path in seen:
            errors.append(FieldError((header,), f"列 {header!r} 重复", f"column {header!r} appears twice", sheet.file, sheet.header_row, letter, sheet.name))
        else:
            seen.add(column.path)
        columns.append((column, header, letter))
    if errors:
        return [], errors
    out: list[SheetRecord] = []
    for cells in sheet.rows:
        data: dict[str, Any] = dict(defaults or {})
        where: dict[Path, Cell] = {}
        failed: set[Path] = set()
        for (column, header, letter), cell in zip(columns, cells):
            if column is None:
                if _blank(cell.value) or header in RESULT_HEADERS:
                    continue
                errors.append(FieldError((), "无表头的列中有数据", "a value under no header", sheet.file, cell.row, letter, sheet.name))
                continue
            if _blank(cell.value):
                continue
            path = tuple(column.path.split("."))
            try:
                value = convert(column, cell.value)
            except ValueError as exc:
                zh, _, en = str(exc).partition(" / ")
                errors.append(FieldError(path, zh, en or zh, sheet.file, cell.row, cell.column, sheet.name))
                failed.add(path)
                continue
            target = data
            for part in path[:-1]:
                target = target.setdefault(part, {})
            target[path[-1]] = value
            for depth in range(1, len(path) + 1):
                where.setdefault(path[:depth], cell)
        if cells:
            out.append(SheetRecord(data, where, cells[0].row, failed))
    return out, errors


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def convert(column: Column, value: Any) -> Any:
    kind = column.type
    if kind == "bool":
        return _bool(value)
    if kind == "int":
        return _int(value)
    if kind == "date":
        return _date(value)
    if kind == "issue":
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value if isinstance(value, int) else str(value).strip()
    if kind == "enum":
        text = _text(value)
        return CODE_OF_ZH.get(text, text) if text not in column.values else text
    if kind == "list":
        return _list(value)
    if kind == "attendees":
        return _json_or(value, _attendees)
    if kind == "approvals":
        return _json_or(value, _approvals)
    if kind == "indicators":
        return _json_or(value, _indicators)
    return _text(value)


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).strip()


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise ValueError(f"应为 是/否（true/false），收到 {value!r} / expected true or false (是/否), got {value!r}")


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError(f"应为整数，收到 {value!r} / expected a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    text = _text(value)
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    raise ValueError(f"应为整数，收到 {value!r} / expected a whole number, got {value!r}")


def _date(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise ValueError(f"应为日期，不带时间：{value} / expected a date without a time: {value}")
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return chinese_date(_text(value))  # the model checks the calendar


# The forms Excel and WPS on a Chinese desktop write a date as in a CSV or a text cell: 2019/5/10, 2019年5月10日,
# 2019.05.10, in full-width digits too. Year first, they can be read one way only; day or month first (5/10/2019)
# or a two-digit year could be either, so those are refused rather than guessed.
_YEAR_FIRST = re.compile(r"(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?")
_AMBIGUOUS = re.compile(r"\d{1,2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{2,4}|\d{2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}")


def chinese_date(text: str) -> str:
    """An unambiguous date written the Chinese desktop's way, as ISO YYYY-MM-DD; other text as it is (the model
    says what is wrong with it); an ambiguous form refused, naming what to write."""
    import unicodedata

    plain = unicodedata.normalize("NFKC", text).strip()  # full-width digits and ／．－ to ASCII
    found = _YEAR_FIRST.fullmatch(plain)
    if found:
        year, month, day = (int(g) for g in found.groups())
        return f"{year:04d}-{month:02d}-{day:02d}"
    if _AMBIGUOUS.fullmatch(plain):
        raise ValueError(f"日期 {text!r} 有歧义（年份应在前），请写成 YYYY-MM-DD，如 2019-05-10 / "
                         f"the date {text!r} is ambiguous (put the year first): write YYYY-MM-DD, such as 2019-05-10")
    return text


def _list(value: Any) -> list[str]:
    text = _text(value)
    if text.startswith("["):
        loaded = _json(text)
        if not isinstance(loaded, list):
            raise ValueError("应为列表 / expected a list")
        return loaded
    return [part.strip() for part in LIST_SPLIT.split(text) if part.strip()]


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"JSON 无法解析：{exc.msg} / invalid JSON: {exc.msg}") from None


def _json_or(value: Any, compact) -> Any:
    text = _text(value)
    if text.startswith("[") or text.startswith("{"):
        loaded = _json(text)
        return loaded if isinstance(loaded, list) else [loaded]
    return [compact(part.strip()) for part in LIST_SPLIT.split(text) if part.strip()]


def _attendees(part: str) -> dict[str, Any]:
    unit, sep, related = re.split(r"([:：])", part, maxsplit=1) if re.search(r"[:：]", part) else (part, "", "")
    if not sep:
        raise ValueError(
            f"参会单位应写成 单位:是/否，收到 {part!r} / an attendee is written unit:yes/no, got {part!r}"
        )
    return {"unit": unit.strip(), "directly_related": _bool(related)}


def _approvals(part: str) -> dict[str, Any]:
    fields = [f.strip() for f in part.split("|")]
    if len(fields) > 4 or not fields[0]:
        raise ValueError(f"批准应写成 批准方|文号|日期|针对条款，收到 {part!r} / an approval is by|ref|date|covers, got {part!r}")
    out: dict[str, Any] = {"by": CODE_OF_ZH.get(fields[0], fields[0])}
    for key, text in zip(("ref", "date", "covers"), fields[1:]):
        if text:
            out[key] = chinese_date(text) if key == "date" else text
    return out


def _indicators(part: str) -> dict[str, Any]:
    name, sep, target = re.split(r"([=＝])", part, maxsplit=1) if re.search(r"[=＝]", part) else (part, "", "")
    out: dict[str, Any] = {"name": name.strip()}
    if sep and target.strip():
        out["target"] = target.strip()
    return out

