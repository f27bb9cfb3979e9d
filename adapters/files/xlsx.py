"""Writing cells into workbooks safely: a text that begins with = + - @ (or a tab or carriage return) is stored as
text with Excel's quote prefix, so no spreadsheet ever evaluates it as a formula (CSV/formula injection).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REJECT_FILL = PatternFill("solid", fgColor="F8CBAD")
APPROVE_FILL = PatternFill("solid", fgColor="E2EFDA")


def put(ws: Worksheet, row: int, column: int, value: Any):
    """Write one cell; text is always text, never a formula."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, (list, tuple)):
        value = "；".join(str(v) for v in value)
    if isinstance(value, bool):
        value = "是" if value else "否"
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    elif isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def neutralise(ws: Worksheet) -> None:
    """Make every formula-looking text cell of a sheet inert (for workbooks we write back to their owner)."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                cell.data_type = "s"
                cell.quotePrefix = True


def header(ws: Worksheet, titles: Iterable[str], row: int = 1) -> None:
    for i, title in enumerate(titles, start=1):
        cell = put(ws, row, i, title)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = ws.cell(row=row + 1, column=1)


def widths(ws: Worksheet, minimum: int = 8, maximum: int = 60) -> None:
    for i, column in enumerate(ws.iter_cols(min_row=1, max_row=min(ws.max_row, 200)), start=1):
        longest = max((_width(c.value) for c in column), default=minimum)
        ws.column_dimensions[get_column_letter(i)].width = max(minimum, min(maximum, longest + 2))


def _width(value: Any) -> int:
    if value is None:
        return 0
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
