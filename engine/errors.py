"""Errors for people: each names the field (and, once an adapter has placed it, the file and line or cell),
what was expected, in Chinese and in English.

`InvalidInput` (a request or register file is wrong) and `InvalidPack` (a rule pack is wrong) stop everything:
nothing is decided. `EvaluationError` is a rule that could not be evaluated: never an approval.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from pydantic import ValidationError

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class FieldError:
    path: Path
    zh: str
    en: str
    file: str | None = None
    line: int | None = None
    column: int | str | None = None
    sheet: str | None = None

    @property
    def where(self) -> str:
        """`file:line:column`, or `file[sheet]!C7` for a spreadsheet cell, as far as it is known."""
        out = self.file or ""
        if self.sheet is not None:
            out += f"[{self.sheet}]"
            if self.line is not None:
                out += f"!{self.column or ''}{self.line}" if isinstance(self.column, str) else f" 行 {self.line}"
            return out
        if self.line is not None:
            out += f":{self.line}"
            if self.column is not None:
                out += f":{self.column}"
        return out

    @property
    def field_path(self) -> str:
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
        return out or "(整个文件 / whole file)"

    def __str__(self) -> str:
        where = self.where
        head = f"{where}: " if where else ""
        return f"{head}{self.field_path}: {self.zh} / {self.en}"

    def at(self, **where: Any) -> "FieldError":
        return replace(self, **where)

    def prefixed(self, prefix: Path) -> "FieldError":
        return replace(self, path=tuple(prefix) + tuple(self.path))

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field_path, "path": list(self.path), "message": self.zh, "message_en": self.en}
        for key in ("file", "sheet", "line", "column"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


class JianfuError(Exception):
    """Base of the errors jianfu raises on purpose."""


@dataclass
class InvalidInput(JianfuError):
    errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


@dataclass
class InvalidPack(JianfuError):
    errors: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class EvaluationError(JianfuError):
    """A rule could not be evaluated. The request is neither approved nor rejected."""


class NoPackInForce(EvaluationError):
    """No rule pack is in force for the jurisdiction on the date: nothing can be decided."""


class AuditIncomplete(JianfuError):
    """The audit could not go through the whole register (a worker process died): no report is made of part of it."""


# Chinese wording for pydantic's error types; the English is pydantic's own message.
_ZH = {
    "missing": "缺少必填字段",
    "extra_forbidden": "未知字段（合同中没有这个键）",
    "bool_type": "应为布尔值 true 或 false",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "float_type": "应为数字",
    "string_type": "应为文本",
    "list_type": "应为列表",
    "dict_type": "应为对象（键值映射）",
    "model_type": "应为对象（键值映射）",
    "model_attributes_type": "应为对象（键值映射）",
    "literal_error": "取值不在允许范围内",
    "string_too_short": "不能为空",
    "string_too_long": "文本过长",
    "too_long": "列表过长",
    "too_short": "列表过短",
    "union_tag_invalid": "kind 取值无效",
    "union_tag_not_found": "缺少 kind 字段",
    "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大",
    "value_error": "取值无效",
    "date_type": "应为日期 YYYY-MM-DD",
    "date_from_datetime_inexact": "应为日期 YYYY-MM-DD，不带时间",
}


def _split_bilingual(msg: str) -> tuple[str, str] | None:
    # Our own validators write "中文 / English".
    text = msg.removeprefix("Value error, ")
    if " / " in text:
        zh, en = text.split(" / ", 1)
        return zh, en
    return None


EXCERPT = 80


def excerpt(value: Any, limit: int = EXCERPT) -> str:
    """A value as an error echoes it: its repr, cut to a short excerpt with its full length said, so a 50 MB title
    is named, never printed back whole."""
    if isinstance(value, (str, bytes)) and len(value) > limit:
        return f"{value[:limit]!r}…（共 {len(value)} 字符 / {len(value)} characters）"
    shown = repr(value)
    return shown if len(shown) <= limit else f"{shown[:limit]}…"


def _chinese_choices(expected: str) -> str:
    """pydantic's "'city_government' or 'department'" as the Chinese a clerk chose from, each with the code an
    office system sends: 市政府（city_government）、部门（department）."""
    import re

    try:
        from .decide import VALUE_ZH  # the value tables (read lazily: decide imports this module)
    except ImportError:  # pragma: no cover - the tables moved: the codes as they are
        return expected
    codes = re.findall(r"'([^']*)'", expected)
    return "、".join(f"{VALUE_ZH[code]}（{code}）" if code in VALUE_ZH else code for code in codes) if codes else expected


def from_validation_error(exc: ValidationError, prefix: Path = ()) -> list[FieldError]:
    """Turn pydantic's errors into `FieldError`s with Chinese wording and the allowed values spelled out."""
    errors = []
    for err in exc.errors(include_url=False):
        path = tuple(prefix) + tuple(p for p in err["loc"] if not _is_union_branch(p))
        kind = err["type"]
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            path += ("kind",)  # the discriminator is the field at fault
        own = _split_bilingual(err["msg"]) if kind == "value_error" else None
        if own:
            zh, en = own
            shown = err.get("input")
            if isinstance(shown, str) and len(shown) > EXCERPT:  # our validators quote the value: the excerpt instead
                zh, en = zh.replace(repr(shown), excerpt(shown)), en.replace(repr(shown), excerpt(shown))
        else:
            zh = _ZH.get(kind, "取值无效")
            en = err["msg"]
            ctx = err.get("ctx") or {}
            if kind == "literal_error" and "expected" in ctx:
                zh = f"{zh}，应为 {_chinese_choices(ctx['expected'])}"
            if kind in ("union_tag_invalid",) and "expected_tags" in ctx:
                zh = f"{zh}，应为 {ctx['expected_tags']}"
            if kind not in ("missing",) and "input" in err and not isinstance(err["input"], (dict, list)):
                zh = f"{zh}（收到 {excerpt(err['input'])}）"
        errors.append(FieldError(path=path, zh=zh, en=en))
    return errors


def _is_union_branch(part: Any) -> bool:
    # pydantic adds the chosen discriminator value or the union member's class name to the location.
    return isinstance(part, str) and (
        part in {"document", "meeting", "inspection", "bulletin", "plan"}
        or part.endswith("Record")
        or part in {"str", "int", "float", "constrained-str", "function-after[_no_control_chars(), constrained-str]"}
        or part.startswith("function-")
        or part.startswith("constrained-")
    )


def merge(*groups: Iterable[FieldError]) -> list[FieldError]:
    return [e for g in groups for e in g]
