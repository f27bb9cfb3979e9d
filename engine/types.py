"""Small annotated types shared by every contract model.

The contracts are strict: a boolean is `true`/`false`, never `"yes"` or `1`; a count is an integer, never `"5"`
(durable-rules would compare `"5"` equal to 5). Dates are the one exception: JSON and CSV can only carry them as
text, so an ISO `YYYY-MM-DD` string is accepted and checked against the calendar (2019-02-30 is refused).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic import BaseModel

from .errors import CodedValueError

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date(value: Any) -> Any:
    if isinstance(value, datetime):
        raise CodedValueError("bad_date", "应为日期 YYYY-MM-DD，不带时间 / expected a date YYYY-MM-DD without a time")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not ISO_DATE.match(text):
            raise CodedValueError("bad_date", f"日期格式应为 YYYY-MM-DD，收到 {value!r} / expected a date as YYYY-MM-DD, got {value!r}")
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise CodedValueError("bad_date", f"日历上没有这一天：{text} / no such day in the calendar: {text}") from None
    raise CodedValueError("bad_date", f"应为日期 YYYY-MM-DD，收到 {type(value).__name__} / expected a date YYYY-MM-DD")


Day = Annotated[date, BeforeValidator(_iso_date), Field(strict=False)]
"""An ISO calendar date (`2019-05-10`)."""


CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters other than tab, line feed and carriage return (a regex: this check runs on every text field
of every record read, and a character loop in Python made it the register's slowest step)."""


def _no_control_chars(value: str) -> str:
    if CONTROL_CHARS.search(value):
        raise ValueError("含有控制字符 / contains control characters")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), AfterValidator(_no_control_chars)]
"""A non-empty line of text: a name, an id, a title."""

LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000), AfterValidator(_no_control_chars)]
"""Free text such as an article's words."""


class Contract(BaseModel):
    """Base of every model that crosses a boundary: unknown keys are errors, types are strict."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, str_strip_whitespace=True)
