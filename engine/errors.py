"""Errors for people: each names the field (and, once an adapter has placed it, the file and line or cell),
what was expected, in Chinese and in English.

`InvalidInput` (a request or register file is wrong) and `InvalidPack` (a rule pack is wrong) stop everything:
nothing is decided. `EvaluationError` is a rule that could not be evaluated: never an approval.

Every `FieldError` and every refusal carries a stable `code` (`unknown_field`, `bad_date`, `no_pack_in_force`, …),
the same on the command line, in the API's JSON error bodies and on the pages, so an office system can act on it
without reading the words. `CODES` is the one list of them; docs/errors.md shows it as a table (a test keeps the
two in step).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from pydantic import ValidationError

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Code:
    """One stable error code: when it is given, and what it says in Chinese and English."""

    code: str
    when: str
    zh: str
    en: str


CODES: dict[str, Code] = {c.code: c for c in (
    # a field of a request, register, plan or option
    Code("missing_field", "a required field is absent", "缺少必填字段", "a required field is missing"),
    Code("unknown_field", "a key the contract does not have", "未知字段", "a field the contract does not have"),
    Code("wrong_type", "a value of the wrong type (text for a number, a list for text …)", "类型不对", "a value of the wrong type"),
    Code("not_allowed", "a value outside the listed choices", "取值不在允许范围内", "not one of the allowed values"),
    Code("bad_kind", "`kind` is missing or names no kind of request", "kind 缺少或无效", "kind is missing or unknown"),
    Code("bad_date", "not a date written YYYY-MM-DD", "应为日期 YYYY-MM-DD", "not a date YYYY-MM-DD"),
    Code("bad_length", "empty text, or a text or list too long or too short", "长度不对（为空、过长或过短）", "empty, too long or too short"),
    Code("out_of_range", "a number below or above its bounds", "数值超出范围", "a number out of range"),
    Code("implausible_year", "a year outside 1900-2200 (a slip such as 219)", "年度不合理", "an implausible year"),
    Code("unknown_parameter", "a what-if `--param` no pack has", "规则包中没有该参数", "no pack has that parameter"),
    Code("bad_parameter", "a what-if `--param` not written NAME=VALUE or of the wrong type", "参数写法或类型不对", "a parameter badly written"),
    Code("invalid_value", "any other value the contract refuses", "取值无效", "an invalid value"),
    # a file as a whole
    Code("bad_syntax", "a file that is not valid YAML or JSON (or not UTF-8, or with a duplicate key or an alias)", "文件语法错误", "a syntax error in the file"),
    Code("file_too_large", "a file over the size limit", "文件过大", "the file is too large"),
    # refusals: nothing is decided, nothing is written
    Code("invalid_input", "a request, register or plan file with field errors", "输入无效，未作任何决定", "invalid input: nothing decided"),
    Code("invalid_pack", "a rule pack that does not validate or lint", "规则包无效", "an invalid rule pack"),
    Code("no_pack_in_force", "no rule pack in force for the jurisdiction on the date (or several unrelated ones)", "没有生效的规则包，无法作出决定", "no rule pack in force: nothing decided"),
    Code("evaluation_error", "a rule that could not be evaluated (never an approval)", "规则无法评估，未作任何决定", "a rule could not be evaluated"),
    Code("audit_incomplete", "an audit worker process died: no report of part of the register", "审计未完成", "the audit is incomplete"),
    # the service
    Code("unauthorized", "no valid token or session", "未登录或令牌无效", "not signed in"),
    Code("forbidden", "the user's role may not do this", "无权限", "forbidden"),
    Code("not_found", "no such record, rule, kind or page", "未找到", "not found"),
    Code("too_large", "a request body over the service's limit", "请求体过大", "request body too large"),
    Code("http_404", "an address the service does not have", "未找到", "not found"),
    Code("http_405", "a method the address does not take", "不支持此方法", "method not allowed"),
    Code("http_413", "a body the web server refused as too large", "请求体过大", "request body too large"),
    Code("error", "anything else that stopped a decision (fail closed)", "无法作出决定", "nothing decided"),
)}

class CodedValueError(ValueError):
    """A contract validator's refusal (`中文 / English`) with the code it is reported under."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


# pydantic's error types, by the code they are reported under
_CODE_OF_TYPE = {
    "missing": "missing_field",
    "extra_forbidden": "unknown_field",
    "literal_error": "not_allowed",
    "union_tag_invalid": "bad_kind",
    "union_tag_not_found": "bad_kind",
    "string_too_short": "bad_length",
    "string_too_long": "bad_length",
    "too_long": "bad_length",
    "too_short": "bad_length",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
    **{kind: "wrong_type" for kind in ("bool_type", "bool_parsing", "int_type", "int_parsing", "int_from_float", "float_type", "float_parsing",
                                       "string_type", "list_type", "dict_type", "model_type", "model_attributes_type")},
    **{kind: "bad_date" for kind in ("date_type", "date_parsing", "date_from_datetime_inexact", "date_from_datetime_parsing")},
}


@dataclass(frozen=True)
class FieldError:
    path: Path
    zh: str
    en: str
    file: str | None = None
    line: int | None = None
    column: int | str | None = None
    sheet: str | None = None
    code: str = "invalid_value"

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown error code {self.code!r}: add it to engine.errors.CODES and docs/errors.md")

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
        return f"{head}{self.field_path}: {self.zh} / {self.en} [{self.code}]"

    def at(self, **where: Any) -> "FieldError":
        return replace(self, **where)

    def prefixed(self, prefix: Path) -> "FieldError":
        return replace(self, path=tuple(prefix) + tuple(self.path))

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.field_path, "path": list(self.path), "code": self.code, "message": self.zh, "message_en": self.en}
        for key in ("file", "sheet", "line", "column"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


class JianfuError(Exception):
    """Base of the errors jianfu raises on purpose."""

    code = "error"


@dataclass
class InvalidInput(JianfuError):
    errors: list[FieldError] = field(default_factory=list)
    code = "invalid_input"

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


@dataclass
class InvalidPack(JianfuError):
    errors: list[FieldError] = field(default_factory=list)
    code = "invalid_pack"

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class EvaluationError(JianfuError):
    """A rule could not be evaluated. The request is neither approved nor rejected."""

    code = "evaluation_error"


class NoPackInForce(EvaluationError):
    """No rule pack is in force for the jurisdiction on the date: nothing can be decided."""

    code = "no_pack_in_force"


class AuditIncomplete(JianfuError):
    """The audit could not go through the whole register (a worker process died): no report is made of part of it."""

    code = "audit_incomplete"


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

    from .messages import VALUE_ZH  # read lazily: the value tables' module may come to report errors itself
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
        raised = (err.get("ctx") or {}).get("error")
        code = raised.code if isinstance(raised, CodedValueError) else _CODE_OF_TYPE.get(kind, "invalid_value")
        errors.append(FieldError(path=path, zh=zh, en=en, code=code))
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
